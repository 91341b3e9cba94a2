package io.connback.tcp;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Connector;
import io.connback.config.ConfigValues;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.tcp.internal.Resolver;
import io.connback.tcp.internal.TcpEndpoint;
import io.connback.tcp.internal.TcpLink;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;

/**
 * A {@link Connector} of device {@link Link}s over TCP, optionally with TLS. Immutable and thread-safe; one connector
 * may serve several Connbacks to the same device.
 *
 * <pre>{@code
 * TcpConnector meter = TcpConnector.builder().host("192.168.1.20").port(502)
 *         .linkSettings(LinkSettings.builder().framing(Framing.lengthField(4, 2, ByteOrder.BIG_ENDIAN, 0)).build())
 *         .build();
 * Connback<Link> connback = Connback.create(meter,
 *         ConnbackOptions.builder().keepalive(Duration.ofSeconds(10)).build());
 * connback.onConnect(link -> link.addFrameListener(frame -> handle(frame)));
 * }</pre>
 *
 * <h2>Threading</h2>
 * Nothing blocks a Connback thread. One thread, {@code connback-tcp-selector}, connects, reads and writes every TCP
 * link of the JVM with non-blocking NIO; it starts with the first link and ends about a second after the last one
 * closed. Frame listeners run on it, so they must be quick: hand slow work to an executor. Host names are resolved
 * anew at each attempt on a few daemon threads named {@code connback-tcp-resolver-N}, which end when idle; IP address
 * literals are not looked up. The connect timeout is the Connback's {@link io.connback.ConnbackOptions#connectTimeout()
 * connectTimeout}, which covers the lookup, the connection and the TLS handshake.
 *
 * <h2>Closing</h2>
 * A forced close (keepalive timeout, {@code end(true)}) closes the socket at once with a TCP reset, dropping unsent
 * data. A graceful close ({@code end()}, {@code reconnect()}) first writes the queued sends, for at most two seconds,
 * reading nothing meanwhile, then sends the TLS close_notify and closes. A peer that closes is reported as a close
 * without error, a read or write failure as an error; both make the Connback reconnect.
 *
 * <h2>TLS</h2>
 * With {@link Builder#tls(boolean) tls} on, the link runs TLS over the socket, with the JVM's default
 * {@link SSLContext} (the {@code javax.net.ssl.trustStore} system properties, or the JDK's trusted authorities) unless
 * {@linkplain Builder#sslContext(SSLContext) another} is given. The server's certificate must be trusted and, unless
 * {@linkplain Builder#hostnameVerification(boolean) turned off}, match the configured host (HTTPS rules: a DNS name or
 * an IP address in its subject alternative names). A failed handshake fails the attempt with an
 * {@link javax.net.ssl.SSLHandshakeException} that names the server and the reason.
 *
 * <h2>Configuration properties</h2>
 * <table>
 *   <caption>Keys read by {@link #fromMap(Map)}</caption>
 *   <tr><th>key</th><th>value</th><th>default</th></tr>
 *   <tr><td>{@code host}</td><td>a host name or an IP address</td><td>required</td></tr>
 *   <tr><td>{@code port}</td><td>1 to 65535</td><td>required</td></tr>
 *   <tr><td>{@code tls}</td><td>{@code true} or {@code false}</td><td>{@code false}</td></tr>
 *   <tr><td>{@code tcpNoDelay}</td><td>{@code true} or {@code false}: send small writes at once
 *       (TCP_NODELAY)</td><td>{@code true}</td></tr>
 *   <tr><td>{@code tcpKeepAlive}</td><td>{@code true} or {@code false}: let the operating system probe an idle
 *       connection (SO_KEEPALIVE); independent of the Connback's {@code keepalive}</td><td>{@code true}</td></tr>
 *   <tr><td>{@code framing}, {@code maxFrameSize}, {@code maxQueuedBytes}, {@code ping.frame},
 *       {@code pong.match}</td><td>see {@link LinkSettings}</td><td></td></tr>
 * </table>
 * Absent keys and empty strings take the default; other keys are ignored, so the whole configuration of a link can be
 * passed. A bad value throws an {@link IllegalArgumentException} that names the key and the value.
 */
public final class TcpConnector implements Connector<Link> {

    private static final int MAX_PORT = 65535;

    private final TcpEndpoint endpoint;
    private final LinkSettings linkSettings;

    private TcpConnector(TcpEndpoint endpoint, LinkSettings linkSettings) {
        this.endpoint = endpoint;
        this.linkSettings = linkSettings;
    }

    /**
     * A builder with the defaults: no TLS, TCP_NODELAY and SO_KEEPALIVE on, {@link LinkSettings#defaults()}. The host
     * and the port must be set.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a connector from configuration properties (see the class description).
     *
     * @param properties the configuration, e.g. from Configuration Admin
     * @return the connector
     * @throws IllegalArgumentException naming the key and the value, if a value is missing, malformed or out of range
     */
    public static TcpConnector fromMap(Map<String, ?> properties) {
        return builder().apply(properties).build();
    }

    /**
     * Starts one connection attempt; see the class description.
     *
     * @param connback the Connback asking; it receives the link's heartbeats, close and errors
     * @param token abandons the attempt and closes its socket when cancelled
     * @return a stage completed with the link once connected
     */
    @Override
    public CompletionStage<Link> connect(Connback<Link> connback, CancellationToken token) {
        return TcpLink.connect(endpoint, linkSettings, connback, token);
    }

    /**
     * Closes a link; see the class description. Returns at once: the socket is closed on the selector thread.
     *
     * @param link a link made by this connector
     * @param force {@code true} to drop unsent data and close at once
     * @throws IllegalArgumentException if the link was not made by a TCP connector
     */
    @Override
    public void close(Link link, boolean force) {
        tcpLink(link).close(force);
    }

    /**
     * Sends the {@linkplain LinkSettings#pingFrame() ping frame}, if one is configured.
     *
     * @param link a link made by this connector
     * @throws IllegalArgumentException if the link was not made by a TCP connector
     */
    @Override
    public void ping(Link link) {
        tcpLink(link).sendPing();
    }

    /**
     * Returns {@code true}: connect, close and ping return at once (the socket work runs on the selector thread, the host lookup on the resolver's), so Connback calls them on its own
     * threads, without a hand-off per keepalive ping.
     *
     * @return {@code true}
     */
    @Override
    public boolean isNonBlocking() {
        return true;
    }

    /**
     * The host connected to.
     *
     * @return a host name or an IP address
     */
    public String host() {
        return endpoint.host();
    }

    /**
     * The port connected to.
     *
     * @return 1 to 65535
     */
    public int port() {
        return endpoint.port();
    }

    /**
     * Whether links run TLS.
     *
     * @return {@code true} with TLS
     */
    public boolean tls() {
        return endpoint.tls();
    }

    /**
     * Whether TCP_NODELAY is set: small writes go out at once rather than being coalesced (Nagle's algorithm).
     *
     * @return {@code true} by default
     */
    public boolean tcpNoDelay() {
        return endpoint.tcpNoDelay();
    }

    /**
     * Whether SO_KEEPALIVE is set: the operating system probes a connection idle for long (hours, by default on
     * Linux). The Connback's keepalive detects a dead link much sooner; this one also frees a half-open socket.
     *
     * @return {@code true} by default
     */
    public boolean tcpKeepAlive() {
        return endpoint.tcpKeepAlive();
    }

    /**
     * Whether a TLS server's certificate must match the configured host.
     *
     * @return {@code true} by default
     */
    public boolean hostnameVerification() {
        return endpoint.verifyHostname();
    }

    /**
     * The settings of the links made.
     *
     * @return framing, limits and heartbeat matching
     */
    public LinkSettings linkSettings() {
        return linkSettings;
    }

    @Override
    public String toString() {
        return "TcpConnector[" + endpoint.remote() + (endpoint.tls() ? ", tls" : "") + "]";
    }

    private TcpLink tcpLink(Link link) {
        if (link instanceof TcpLink tcp) {
            return tcp;
        }
        throw new IllegalArgumentException(link + " was not made by a TCP connector");
    }

    /** Builds a {@link TcpConnector}; not thread-safe. Values are validated by {@link #build()}. */
    public static final class Builder {
        private String host;
        private Integer port;
        private boolean tls;
        private SSLContext sslContext;
        private boolean hostnameVerification = true;
        private boolean tcpNoDelay = true;
        private boolean tcpKeepAlive = true;
        private LinkSettings linkSettings = LinkSettings.defaults();

        private Builder() {}

        /**
         * Sets the host to connect to. Required.
         *
         * @param host a host name, an IPv4 address or an IPv6 address (with or without brackets)
         * @return this builder
         */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /**
         * Sets the port to connect to. Required.
         *
         * @param port 1 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Turns TLS on or off. Default off.
         *
         * @param tls {@code true} to run TLS, with the {@linkplain #sslContext(SSLContext) given context} or the
         *     JVM's default
         * @return this builder
         */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Sets the TLS context: the trusted certificates, a client certificate, the protocols. Turns TLS on.
         *
         * @param sslContext the context, initialized
         * @return this builder
         */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            this.tls = true;
            return this;
        }

        /**
         * Sets whether a TLS server's certificate must match the host. Default on; turn it off only for a device
         * whose certificate names neither its host name nor its address, and whose certificate alone is trusted.
         *
         * @param hostnameVerification {@code false} to accept any trusted certificate
         * @return this builder
         */
        public Builder hostnameVerification(boolean hostnameVerification) {
            this.hostnameVerification = hostnameVerification;
            return this;
        }

        /**
         * Sets TCP_NODELAY. Default on: devices exchange small frames, which Nagle's algorithm would delay.
         *
         * @param tcpNoDelay whether small writes go out at once
         * @return this builder
         */
        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        /**
         * Sets SO_KEEPALIVE, the operating system's probing of idle connections. Default on.
         *
         * @param tcpKeepAlive whether the operating system probes an idle connection
         * @return this builder
         */
        public Builder tcpKeepAlive(boolean tcpKeepAlive) {
            this.tcpKeepAlive = tcpKeepAlive;
            return this;
        }

        /**
         * Sets the settings of the links. Default {@link LinkSettings#defaults()}.
         *
         * @param linkSettings framing, limits and heartbeat matching
         * @return this builder
         */
        public Builder linkSettings(LinkSettings linkSettings) {
            this.linkSettings = Objects.requireNonNull(linkSettings, "linkSettings");
            return this;
        }

        /**
         * Applies configuration properties over the values set so far; see {@link TcpConnector#fromMap(Map)}. The
         * link keys are applied over the link settings set so far.
         *
         * @param properties the configuration
         * @return this builder
         * @throws IllegalArgumentException naming the key and the value, if a value is malformed
         */
        public Builder apply(Map<String, ?> properties) {
            ConfigValues values = ConfigValues.ofForm(properties);
            values.text("host").ifPresent(this::host);
            values.wholeNumber("port", 1, MAX_PORT).ifPresent(this::port);
            values.bool("tls").ifPresent(this::tls);
            values.bool("tcpNoDelay").ifPresent(this::tcpNoDelay);
            values.bool("tcpKeepAlive").ifPresent(this::tcpKeepAlive);
            linkSettings = linkSettings.toBuilder().apply(properties).build();
            return this;
        }

        /**
         * Builds the connector.
         *
         * @return the connector
         * @throws IllegalArgumentException naming the key and the value, if the host or the port is missing or
         *     invalid
         */
        public TcpConnector build() {
            String checkedHost;
            try {
                checkedHost = Resolver.checkHost(host);
            } catch (IllegalArgumentException e) {
                throw ConfigValues.invalid("host", host, e.getMessage());
            }
            if (port == null) {
                throw ConfigValues.invalid("port", null, "a port 1 to " + MAX_PORT + " is required");
            }
            if (port < 1 || port > MAX_PORT) {
                throw ConfigValues.invalid("port", port, "expected a whole number from 1 to " + MAX_PORT);
            }
            return new TcpConnector(new TcpEndpoint(checkedHost, port, tcpNoDelay, tcpKeepAlive, tls,
                    Optional.ofNullable(sslContext), hostnameVerification), linkSettings);
        }
    }
}
