package io.connback.osgi;

/** The service properties of {@link ManagedConnection} services and of the connector services behind them. */
public final class ConnbackProperties {

    /**
     * The name of the link, unique in the gateway, e.g. {@code meter1}. On a {@link ManagedConnection}, and on a
     * {@link ConnectionListener} to receive the events of that link only (a string or an array of strings).
     */
    public static final String NAME = "connback.name";

    /** The kind of connector, e.g. {@code tcp}, {@code serial}, {@code mqtt}; on connector services too. */
    public static final String TYPE = "connback.type";

    /** The {@link io.connback.ConnectionState} name of a {@link ManagedConnection}, kept current. */
    public static final String STATE = "connback.state";

    /**
     * On a {@link ConnectionListener}: an LDAP filter over the {@link ManagedConnection} service properties, e.g.
     * {@code (connback.type=serial)}, to receive the events of the connections it matches.
     */
    public static final String FILTER = "connback.filter";

    private ConnbackProperties() {}
}
