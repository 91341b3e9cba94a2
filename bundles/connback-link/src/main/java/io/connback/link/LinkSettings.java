package io.connback.link;

import io.connback.config.ConfigValues;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a device link frames its inbound bytes, how much it buffers, and how it proves the device alive. Immutable;
 * made with {@link #builder()} or, from configuration properties, with {@link #fromMap(Map)}.
 *
 * <h2>Heartbeats from devices</h2>
 * The keepalive of a {@link io.connback.Connback} closes a link that fed no heartbeat for the keepalive period and
 * pings it after half of it. On a device link:
 * <ul>
 *   <li>a sensor that streams on its own needs neither a ping frame nor a pong matcher: its bytes are the heartbeat;
 *   <li>a meter that only answers when asked needs a {@link #pingFrame() ping frame} that asks it something
 *       harmless; its answer, or with a {@link #pongMatcher() pong matcher} only a matching answer, is the heartbeat.
 *       Without a ping frame such a device looks dead after one keepalive period of silence.
 * </ul>
 *
 * <h2>Configuration properties</h2>
 * <table>
 *   <caption>Keys read by {@link #fromMap(Map)}</caption>
 *   <tr><th>key</th><th>value</th><th>default</th></tr>
 *   <tr><td>{@code framing}</td><td>see {@link Framing#parse(String)}</td><td>{@code none}</td></tr>
 *   <tr><td>{@code maxFrameSize}</td><td>bytes, 1 to {@value #MAX_FRAME_SIZE_LIMIT}</td>
 *       <td>{@value #DEFAULT_MAX_FRAME_SIZE}</td></tr>
 *   <tr><td>{@code maxQueuedBytes}</td><td>bytes waiting to be sent, and received frames waiting for the
 *       frame listeners; each 1 to {@value #MAX_QUEUED_BYTES_LIMIT}</td>
 *       <td>{@value #DEFAULT_MAX_QUEUED_BYTES}</td></tr>
 *   <tr><td>{@code ping.frame}</td><td>a byte string, see {@link Frames#parse(String)}</td><td>no ping</td></tr>
 *   <tr><td>{@code pong.match}</td><td>see {@link PongMatcher#parse(String)}</td><td>{@code any}</td></tr>
 * </table>
 * Absent keys and empty strings (an optional metatype attribute left blank) take the default. Every value is
 * validated when the settings are built: a bad one throws an {@link IllegalArgumentException} that names the key and
 * the value. Nothing is clamped in silence.
 */
public final class LinkSettings {

    /** The default {@link #maxFrameSize()}, in bytes. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 4096;
    /** The largest {@link #maxFrameSize()} accepted, in bytes (16 MiB): a frame is buffered whole. */
    public static final int MAX_FRAME_SIZE_LIMIT = 16 * 1024 * 1024;
    /** The default {@link #maxQueuedBytes()}. */
    public static final int DEFAULT_MAX_QUEUED_BYTES = 64 * 1024;
    /** The largest {@link #maxQueuedBytes()} accepted (16 MiB). */
    public static final int MAX_QUEUED_BYTES_LIMIT = 16 * 1024 * 1024;

    private static final LinkSettings DEFAULTS = builder().build();

    private final Framing framing;
    private final int maxFrameSize;
    private final int maxQueuedBytes;
    private final byte[] pingFrame;
    private final PongMatcher pongMatcher;

    private LinkSettings(Builder b) {
        this.framing = Objects.requireNonNull(b.framing, "framing");
        this.pongMatcher = Objects.requireNonNull(b.pongMatcher, "pong.match");
        this.maxFrameSize = inRange("maxFrameSize", b.maxFrameSize, MAX_FRAME_SIZE_LIMIT);
        this.maxQueuedBytes = inRange("maxQueuedBytes", b.maxQueuedBytes, MAX_QUEUED_BYTES_LIMIT);
        this.pingFrame = b.pingFrame;
        try {
            framing.checkFits(maxFrameSize);
        } catch (IllegalArgumentException e) {
            throw ConfigValues.invalid("framing", framing, e.getMessage());
        }
        if (pingFrame != null && pingFrame.length == 0) {
            throw ConfigValues.invalid("ping.frame", "", "empty frame");
        }
        if (pingFrame != null && pingFrame.length > maxQueuedBytes) {
            throw ConfigValues.invalid("ping.frame", Frames.format(pingFrame),
                    "longer than maxQueuedBytes (" + maxQueuedBytes + "), it could never be sent");
        }
    }

    /**
     * The default settings: no framing, {@value #DEFAULT_MAX_FRAME_SIZE}-byte frames, no ping frame, any inbound
     * byte is a heartbeat.
     *
     * @return the defaults
     */
    public static LinkSettings defaults() {
        return DEFAULTS;
    }

    /**
     * A builder holding the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads settings from configuration properties (see the class description); absent keys take the defaults.
     * Other keys are ignored, so the whole configuration of a connector can be passed.
     *
     * @param properties the configuration, e.g. from Configuration Admin
     * @return the settings
     * @throws IllegalArgumentException naming the key and the value, if a value is malformed or out of range
     */
    public static LinkSettings fromMap(Map<String, ?> properties) {
        return builder().apply(properties).build();
    }

    /**
     * A builder that starts from these settings.
     *
     * @return a new builder holding these values
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.framing = framing;
        b.maxFrameSize = maxFrameSize;
        b.maxQueuedBytes = maxQueuedBytes;
        b.pingFrame = pingFrame;
        b.pongMatcher = pongMatcher;
        return b;
    }

    /**
     * How inbound bytes are cut into frames.
     *
     * @return the framing, {@link Framing#none()} by default
     */
    public Framing framing() {
        return framing;
    }

    /**
     * The largest inbound frame, in bytes, counting its delimiter or header; it bounds the memory a link's decoder
     * uses. Longer frames are reported and discarded.
     *
     * @return the maximum frame size, {@value #DEFAULT_MAX_FRAME_SIZE} by default
     */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * How many bytes may wait to be sent; a send that does not fit fails with a {@link SendQueueFullException}. The
     * same bound applies to received frames waiting for the frame listeners: beyond it, frames read are dropped and
     * counted ({@link AbstractLink#droppedFrames()}).
     *
     * @return the queue limit of each direction, {@value #DEFAULT_MAX_QUEUED_BYTES} by default
     */
    public int maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /**
     * The frame sent when the keepalive pings the link.
     *
     * @return a read-only buffer holding the frame, or empty if the link is not pinged (the default)
     */
    public Optional<ByteBuffer> pingFrame() {
        return Optional.ofNullable(pingFrame).map(bytes -> ByteBuffer.wrap(bytes).asReadOnlyBuffer());
    }

    /**
     * Which inbound data counts as a heartbeat.
     *
     * @return the matcher, {@link PongMatcher#any()} by default
     */
    public PongMatcher pongMatcher() {
        return pongMatcher;
    }

    /**
     * Compares all settings.
     *
     * @param other the object to compare with
     * @return whether {@code other} holds the same settings
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof LinkSettings s && framing.equals(s.framing) && maxFrameSize == s.maxFrameSize
                && maxQueuedBytes == s.maxQueuedBytes && Arrays.equals(pingFrame, s.pingFrame)
                && pongMatcher.equals(s.pongMatcher);
    }

    @Override
    public int hashCode() {
        return Objects.hash(framing, maxFrameSize, maxQueuedBytes, Arrays.hashCode(pingFrame), pongMatcher);
    }

    @Override
    public String toString() {
        return "LinkSettings[framing=" + framing + ", maxFrameSize=" + maxFrameSize + ", maxQueuedBytes="
                + maxQueuedBytes + ", ping.frame=" + (pingFrame == null ? "none" : Frames.format(pingFrame))
                + ", pong.match=" + pongMatcher + "]";
    }

    private static int inRange(String key, int value, int limit) {
        if (value < 1 || value > limit) {
            throw ConfigValues.invalid(key, value, "expected a whole number from 1 to " + limit);
        }
        return value;
    }

    /** Builds {@link LinkSettings}; not thread-safe. Values are validated by {@link #build()}. */
    public static final class Builder {
        private Framing framing = Framing.none();
        private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
        private int maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
        private byte[] pingFrame;
        private PongMatcher pongMatcher = PongMatcher.any();

        private Builder() {}

        /**
         * Sets the framing. Default {@link Framing#none()}.
         *
         * @param framing how inbound bytes are cut into frames
         * @return this builder
         */
        public Builder framing(Framing framing) {
            this.framing = framing;
            return this;
        }

        /**
         * Sets the maximum frame size, 1 to {@value #MAX_FRAME_SIZE_LIMIT} bytes and enough for the framing. Default
         * {@value #DEFAULT_MAX_FRAME_SIZE}.
         *
         * @param maxFrameSize the largest inbound frame in bytes, counting its delimiter or header
         * @return this builder
         */
        public Builder maxFrameSize(int maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
            return this;
        }

        /**
         * Sets the queue limit of each direction, 1 to {@value #MAX_QUEUED_BYTES_LIMIT} bytes. Default
         * {@value #DEFAULT_MAX_QUEUED_BYTES}.
         *
         * @param maxQueuedBytes how many bytes may wait to be sent, and how many received may wait for the listeners
         * @return this builder
         */
        public Builder maxQueuedBytes(int maxQueuedBytes) {
            this.maxQueuedBytes = maxQueuedBytes;
            return this;
        }

        /**
         * Sets the frame sent when the keepalive pings the link. Default: none.
         *
         * @param pingFrame the frame, not empty, copied; {@code null} for no ping
         * @return this builder
         */
        public Builder pingFrame(byte[] pingFrame) {
            this.pingFrame = pingFrame == null ? null : pingFrame.clone();
            return this;
        }

        /**
         * Sets which inbound data counts as a heartbeat. Default {@link PongMatcher#any()}.
         *
         * @param pongMatcher the matcher
         * @return this builder
         */
        public Builder pongMatcher(PongMatcher pongMatcher) {
            this.pongMatcher = pongMatcher;
            return this;
        }

        /**
         * Applies configuration properties over the values set so far; see {@link LinkSettings#fromMap(Map)}.
         *
         * @param properties the configuration
         * @return this builder
         * @throws IllegalArgumentException naming the key and the value, if a value is malformed
         */
        public Builder apply(Map<String, ?> properties) {
            ConfigValues values = ConfigValues.of(properties);
            values.parsed("framing", Framing::parseSpec).ifPresent(this::framing);
            values.parsed("ping.frame", Frames::bytes).ifPresent(this::pingFrame);
            values.parsed("pong.match", PongMatchers::parse).ifPresent(this::pongMatcher);
            values.wholeNumber("maxFrameSize", 1, MAX_FRAME_SIZE_LIMIT).ifPresent(this::maxFrameSize);
            values.wholeNumber("maxQueuedBytes", 1, MAX_QUEUED_BYTES_LIMIT).ifPresent(this::maxQueuedBytes);
            return this;
        }

        /**
         * Builds the settings.
         *
         * @return the settings
         * @throws IllegalArgumentException naming the key and the value, if a value is out of range or the framing
         *     does not fit in the maximum frame size
         * @throws NullPointerException naming the key, if the framing or the pong matcher is null
         */
        public LinkSettings build() {
            return new LinkSettings(this);
        }
    }
}
