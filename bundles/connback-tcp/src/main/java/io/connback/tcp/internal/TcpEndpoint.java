package io.connback.tcp.internal;

import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Where and how a TCP link connects; validated by the connector's builder.
 *
 * @param host a host name or an IP address literal, checked with {@link Resolver#checkHost(String)}
 * @param port the server's port, 1 to 65535
 * @param tcpNoDelay whether small writes go out at once (TCP_NODELAY)
 * @param tcpKeepAlive whether the operating system probes an idle connection (SO_KEEPALIVE)
 * @param tls whether the link runs TLS
 * @param sslContext the TLS context; empty for the JVM's default
 * @param verifyHostname whether the server's certificate must match {@code host}
 */
public record TcpEndpoint(String host, int port, boolean tcpNoDelay, boolean tcpKeepAlive, boolean tls,
        Optional<SSLContext> sslContext, boolean verifyHostname) {

    /**
     * Checks the non-null components.
     *
     * @param host a host name or an IP address literal
     * @param port the server's port
     * @param tcpNoDelay whether TCP_NODELAY is set
     * @param tcpKeepAlive whether SO_KEEPALIVE is set
     * @param tls whether the link runs TLS
     * @param sslContext the TLS context, or empty
     * @param verifyHostname whether the certificate must match the host
     */
    public TcpEndpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(sslContext, "sslContext");
    }

    /**
     * The endpoint as links describe their remote end: {@code host:port}, an IPv6 address in brackets.
     *
     * @return e.g. {@code 192.168.1.20:502} or {@code [fe80::1]:502}
     */
    public String remote() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
