package io.connback.osgi;

import io.connback.ConnectionState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Where one link of the gateway stands: the one record that the log lines, the console, the fleet status and the
 * web page all read, so that they never disagree. A snapshot: it does not change; read
 * {@link LinkStatuses#status(String)} or {@link ManagedConnection#status()} again for a newer one.
 *
 * <p>Attempts are counted as the Connback counts them: from the last stable connection (see
 * {@code stableAfter}), so a link that flaps keeps counting and its backoff grows.
 * The log line of a failed attempt N carries attempt N's error, and {@code CONNECTED after N failed attempts}
 * names the last of them.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ProviderType
public interface LinkStatus {

    /**
     * The link's name, unique in the gateway.
     *
     * @return the name
     */
    String name();

    /**
     * The connector type.
     *
     * @return e.g. {@code tcp}
     */
    String type();

    /**
     * Where the link's configuration comes from.
     *
     * @return the file, e.g. {@code conf/io.connback.tcp-meter1.cfg}, or the configuration's PID
     */
    String source();

    /**
     * The link's state.
     *
     * @return the state, or empty when no link runs under this name: its configuration is refused
     */
    Optional<ConnectionState> state();

    /**
     * When the link entered its state (for a refused configuration, when it was refused).
     *
     * @return the instant
     */
    Instant since();

    /**
     * The number of the attempt under way or last failed since the link was last stable.
     *
     * @return the attempt number, 0 when none failed since then
     */
    long attempt();

    /**
     * When the next attempt is due, while the link waits between attempts.
     *
     * @return the instant, or empty when no attempt is scheduled
     */
    Optional<Instant> nextAttemptAt();

    /**
     * The last error of the link, kept after it reconnects.
     *
     * @return the error's message, or empty if none happened
     */
    Optional<String> lastError();

    /**
     * When the last error happened.
     *
     * @return the instant, or empty if none happened
     */
    Optional<Instant> lastErrorAt();

    /**
     * Why the link was last disconnected: {@code configuration changed}, {@code peer closed}, {@code keepalive: ...},
     * {@code I/O error: ...}, {@code gateway stopping}.
     *
     * @return the reason, or empty if it never was
     */
    Optional<String> lastDisconnect();

    /**
     * Connections made since the gateway started.
     *
     * @return the count
     */
    long connects();

    /**
     * Established connections lost or closed since the gateway started.
     *
     * @return the count
     */
    long drops();

    /**
     * Connection attempts failed since the gateway started.
     *
     * @return the count
     */
    long failedAttempts();

    /**
     * Frames received by listeners since the gateway started (device links).
     *
     * @return the count
     */
    long framesIn();

    /**
     * Bytes of the frames received since the gateway started.
     *
     * @return the count
     */
    long bytesIn();

    /**
     * Frames sent through {@link ManagedConnection#link()} since the gateway started.
     *
     * @return the count
     */
    long framesOut();

    /**
     * Bytes sent through {@link ManagedConnection#link()} since the gateway started.
     *
     * @return the count
     */
    long bytesOut();

    /**
     * What is wrong with the link's configuration: one line per bad key, naming the file. A link that runs on its
     * previous configuration has problems too: those of the change it refused.
     *
     * @return the lines, empty when the configuration was taken
     */
    List<String> problems();

    /**
     * Whether the gateway's health depends on this link: its configuration sets {@code required = true}.
     *
     * @return true if the link must be connected for the gateway to be healthy
     */
    boolean required();
}
