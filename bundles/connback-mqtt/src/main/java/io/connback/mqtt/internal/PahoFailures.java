package io.connback.mqtt.internal;

import io.connback.link.mqtt.MqttConnectionRefusedException;
import java.io.IOException;
import java.net.ConnectException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * Turns Paho's exceptions into errors that name the broker and say what happened, with types from the JDK or the
 * link API, so that applications and retry predicates never need Paho's classes. The Paho exception stays as the
 * cause, for the stack trace.
 */
final class PahoFailures {

    private PahoFailures() {}

    /**
     * Why a connection attempt failed.
     *
     * @param serverUri the broker
     * @param error what Paho reported
     * @return an {@link MqttConnectionRefusedException} for a CONNACK refusal, an {@link SSLHandshakeException} for a
     *     failed TLS handshake, a {@link ConnectException} when nothing listens, an {@link IOException} otherwise
     */
    static Exception connectFailed(String serverUri, Throwable error) {
        if (!(error instanceof MqttException paho)) {
            return error instanceof Exception e ? e : new IOException(serverUri + ": " + error, error);
        }
        int code = paho.getReasonCode();
        if (code >= MqttConnectionRefusedException.UNACCEPTABLE_PROTOCOL_VERSION
                && code <= MqttConnectionRefusedException.NOT_AUTHORIZED) {
            return withCause(new MqttConnectionRefusedException(serverUri, code), paho);
        }
        Throwable cause = paho.getCause();
        if (cause instanceof SSLException tls) {
            return withCause(new SSLHandshakeException("TLS handshake with " + serverUri + " failed: "
                    + tls.getMessage()), paho);
        }
        if (cause instanceof ConnectException refused) {
            return withCause(new ConnectException("cannot connect to " + serverUri + ": " + refused.getMessage()),
                    paho);
        }
        return new IOException("cannot connect to " + serverUri + ": " + describe(paho), paho);
    }

    /**
     * Why an established connection was lost.
     *
     * @param serverUri the broker
     * @param error what Paho reported
     * @return an {@link IOException} naming the broker and the reason
     */
    static Exception connectionLost(String serverUri, Throwable error) {
        if (error instanceof MqttException paho) {
            return new IOException("connection to " + serverUri + " lost: " + describe(paho), paho);
        }
        return new IOException("connection to " + serverUri + " lost: " + error, error);
    }

    private static String describe(MqttException paho) {
        Throwable cause = paho.getCause();
        return paho.getMessage() + " (Paho reason code " + paho.getReasonCode() + ")"
                + (cause == null ? "" : ": " + cause);
    }

    private static <E extends Exception> E withCause(E error, Throwable cause) {
        error.initCause(cause);
        return error;
    }
}
