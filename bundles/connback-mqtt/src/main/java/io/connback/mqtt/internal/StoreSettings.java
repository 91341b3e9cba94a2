package io.connback.mqtt.internal;

import io.connback.config.ConfigValues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how an MQTT link keeps its durable queue ({@code store = disk}).
 *
 * @param dir the folder of the link's store files, one folder per link
 * @param maxBytes the most bytes of waiting messages the files may hold
 * @param syncInterval how often the files are forced to the disk; {@link Duration#ZERO} forces every batch of
 *     records before anything else is written ({@code store.sync = always})
 */
public record StoreSettings(Path dir, long maxBytes, Duration syncInterval) {

    /** The default {@code store.maxBytes}: 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** The smallest {@code store.maxBytes}. */
    public static final long MIN_MAX_BYTES = 64L << 10;
    /** The default {@code store.sync}: {@code interval:100}. */
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(100);

    /**
     * Checks the values.
     *
     * @param dir the folder of the link's store files
     * @param maxBytes the most bytes of waiting messages, at least {@link #MIN_MAX_BYTES}
     * @param syncInterval the sync interval, or zero for {@code always}
     * @throws IllegalArgumentException if the bound is below {@link #MIN_MAX_BYTES} or the interval negative
     */
    public StoreSettings {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(syncInterval, "syncInterval");
        if (maxBytes < MIN_MAX_BYTES) {
            throw ConfigValues.invalid("store.maxBytes", maxBytes, "must be at least " + MIN_MAX_BYTES);
        }
        if (syncInterval.isNegative()) {
            throw ConfigValues.invalid("store.sync", syncInterval, "must not be negative");
        }
    }

    /**
     * Reads a {@code store.sync} value.
     *
     * @param text {@code always} or {@code interval:<ms>}, with 1 ms or more
     * @return the interval, {@link Duration#ZERO} for {@code always}
     * @throws IllegalArgumentException saying what is expected
     */
    public static Duration parseSync(String text) {
        String value = text.trim();
        if (value.equalsIgnoreCase("always")) {
            return Duration.ZERO;
        }
        String prefix = "interval:";
        if (value.regionMatches(true, 0, prefix, 0, prefix.length())) {
            try {
                long millis = Long.parseLong(value.substring(prefix.length()).trim());
                if (millis >= 1) {
                    return Duration.ofMillis(millis);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("expected always or interval:<ms>, with 1 ms or more");
    }

    /** @return {@code always} or {@code interval:<ms>} */
    public String syncName() {
        return syncInterval.isZero() ? "always" : "interval:" + syncInterval.toMillis();
    }

    @Override
    public String toString() {
        return "store=disk, store.dir=" + dir + ", store.maxBytes=" + maxBytes + ", store.sync=" + syncName();
    }
}
