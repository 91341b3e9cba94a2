package io.connback.mqtt;

import io.connback.testing.LoopbackPorts;

/**
 * A broker for the tests, on loopback, on a port below the ephemeral range (it stops and starts again on the same port
 * while clients reconnect). Configured before its first {@link #start()}.
 */
abstract class TestBroker implements AutoCloseable {

    final int port = LoopbackPorts.belowEphemeralRange();
    private int tlsPort;

    /** Accepts only this user name and password. */
    abstract TestBroker credentials(String username, String password);

    /**
     * Refuses subscriptions to filters outside {@code topicLevel/#}, as an ACL that lets clients read only there does;
     * {@code null} lifts the restriction. Applies from the next {@link #start()} on, or sooner.
     */
    abstract TestBroker readableOnlyUnder(String topicLevel);

    /** Also listens with TLS, as the given identity; returns the TLS port. */
    final int tls(TlsIdentity identity) {
        tlsPort = LoopbackPorts.belowEphemeralRange();
        listenWithTls(identity, tlsPort);
        return tlsPort;
    }

    /** The port of {@link #tls}. */
    final int tlsPort() {
        return tlsPort;
    }

    abstract void listenWithTls(TlsIdentity identity, int tlsPort);

    /** With {@link #tls}: asks clients for a certificate, trusting those of {@link TlsIdentity#clientCertificates}. */
    abstract TestBroker requireClientCertificates();

    /** The CONNACK return code with which it refuses a wrong password. */
    abstract int badCredentialsReturnCode();

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Starts it, or starts it again after {@link #stop()}; returns once it accepts connections. */
    abstract TestBroker start();

    /** Stops it, closing every connection; nothing if it is not running. */
    abstract void stop();

    @Override
    public void close() {
        stop();
    }
}
