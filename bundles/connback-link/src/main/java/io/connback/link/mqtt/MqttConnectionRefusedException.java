package io.connback.link.mqtt;

import java.io.IOException;

/**
 * The broker refused the connection with a CONNACK return code (MQTT 3.1.1, section 3.2.2.3). The Connback retries as
 * its retry predicate decides; a predicate can stop retrying on an {@linkplain #isAuthenticationFailure()
 * authentication failure}, which retrying will not cure.
 */
public final class MqttConnectionRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The return code of a refused protocol version. */
    public static final int UNACCEPTABLE_PROTOCOL_VERSION = 1;
    /** The return code of a refused client identifier. */
    public static final int IDENTIFIER_REJECTED = 2;
    /** The return code of a broker that cannot serve now. */
    public static final int SERVER_UNAVAILABLE = 3;
    /** The return code of a wrong user name or password. */
    public static final int BAD_USER_NAME_OR_PASSWORD = 4;
    /** The return code of a client that is not allowed to connect. */
    public static final int NOT_AUTHORIZED = 5;

    private final int returnCode;

    /**
     * Creates the exception.
     *
     * @param serverUri the broker that refused
     * @param returnCode the CONNACK return code, 1 to 5 (others are reported as unknown)
     */
    public MqttConnectionRefusedException(String serverUri, int returnCode) {
        super(serverUri + " refused the connection: " + reason(returnCode) + " (CONNACK return code " + returnCode
                + ")");
        this.returnCode = returnCode;
    }

    /**
     * The CONNACK return code.
     *
     * @return 1 to 5, see the constants
     */
    public int returnCode() {
        return returnCode;
    }

    /**
     * Whether the broker refused the client's credentials or identity: {@link #BAD_USER_NAME_OR_PASSWORD} or
     * {@link #NOT_AUTHORIZED}.
     *
     * @return {@code true} for an authentication or authorization failure
     */
    public boolean isAuthenticationFailure() {
        return returnCode == BAD_USER_NAME_OR_PASSWORD || returnCode == NOT_AUTHORIZED;
    }

    private static String reason(int returnCode) {
        return switch (returnCode) {
            case UNACCEPTABLE_PROTOCOL_VERSION -> "unacceptable protocol version";
            case IDENTIFIER_REJECTED -> "client identifier rejected";
            case SERVER_UNAVAILABLE -> "server unavailable";
            case BAD_USER_NAME_OR_PASSWORD -> "bad user name or password";
            case NOT_AUTHORIZED -> "not authorized";
            default -> "unknown reason";
        };
    }
}
