package io.connback.osgi.internal;

/** A connection attempt found no connector service for its link (the connector bundle is stopped or updating). */
final class ConnectorUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    ConnectorUnavailableException(String type) {
        super("connector io.connback." + type + " unavailable");
    }
}
