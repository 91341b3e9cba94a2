package io.connback.osgi;

import io.connback.ConnectionState;
import io.connback.link.Link;
import java.time.Instant;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One configured link of the gateway, registered as a service by the connection manager with the properties
 * {@link ConnbackProperties#NAME}, {@link ConnbackProperties#TYPE} and {@link ConnbackProperties#STATE}.
 *
 * <p>The service outlives its connector: when the connector bundle is updated or restarted, the link is closed, the
 * service stays registered (same service id, same listeners) and reconnects through the connector that comes back.
 * Do not keep the {@linkplain #client() client} or the {@linkplain #link() link} across events: each connection has
 * its own. The name never changes: a configuration renamed to another name ends this service and registers another.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ProviderType
public interface ManagedConnection {

    /**
     * The name of the link, unique in the gateway.
     *
     * @return the name, e.g. {@code meter1}
     */
    String name();

    /**
     * The kind of connector.
     *
     * @return the type, e.g. {@code tcp}
     */
    String type();

    /**
     * Where the link stands now.
     *
     * @return the state
     */
    ConnectionState state();

    /**
     * When the state last changed.
     *
     * @return the instant of the last state change
     */
    Instant since();

    /**
     * The number of the attempt under way or last made, counted from the last stable connection; see
     * {@link LinkStatus#attempt()}.
     *
     * @return the attempt number
     */
    long attempts();

    /**
     * The last error reported: a failed attempt, a lost link, a missing connector; kept after the link reconnects.
     *
     * @return the error, or empty
     */
    Optional<Throwable> lastError();

    /**
     * Everything known of the link now, as the log, the console and the fleet status show it.
     *
     * @return a snapshot of its status
     */
    LinkStatus status();

    /**
     * The connected client, of the connector's client type.
     *
     * @return the client while connected, otherwise empty
     */
    Optional<Object> client();

    /**
     * The connected client as a byte-stream link, for connectors of links (TCP, serial). What is sent through it is
     * counted in the link's {@linkplain #status() status}; what is sent through the {@link #client()} itself is not.
     *
     * @return the link while connected, empty otherwise or if the client is not a {@link Link}
     */
    Optional<Link> link();

    /** Drops the current connection, if any, and connects again now. */
    void reconnect();

    /**
     * Closes the link and stops reconnecting, until {@link #reconnect()}. The service stays registered as long as
     * its configuration exists.
     */
    void end();
}
