package io.connback.osgi;

import io.connback.config.ConfigValues;
import java.util.Hashtable;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

    /**
     * The configuration key that marks a link the gateway's health depends on ({@code true} or {@code false}, by
     * default {@code false}); see {@link LinkStatus#required()}.
     */
    public static final String REQUIRED = "required";

    /**
     * Whether a configuration marks its link as required.
     *
     * @param configuration the configuration properties
     * @return the value of {@value #REQUIRED}
     * @throws IllegalArgumentException if it is neither true nor false
     */
    public static boolean isRequired(Map<String, ?> configuration) {
        return ConfigValues.ofForm(configuration).bool(REQUIRED).orElse(false);
    }

    /**
     * On a connector service and a {@link ConfigurationRefusal}: where the link's configuration comes from, e.g.
     * {@code conf/io.connback.tcp-meter1.cfg} (see {@link ConfigurationCheck#sourceOf}).
     */
    public static final String SOURCE = "connback.source";

    /**
     * In a configuration made by the gateway from a file of its {@code conf/}: the file, as the log lines name it.
     */
    public static final String FILE = "connback.file";

    /** Properties of a component configuration that are not the link's: the framework and SCR set them. */
    private static final Set<String> NOT_CONFIGURATION = Set.of("component.name", "component.id", "objectClass",
            "service.id", "service.bundleid", "service.scope");

    private ConnbackProperties() {}

    /**
     * The service properties of a connector service made from a factory configuration (by a connector bundle's
     * component): the configuration's properties, which include the Connback options, with {@link #TYPE} and
     * {@link #NAME}. Secrets are left out, as every bundle and the console can read service properties: a key whose
     * name ends with {@code password} (in any case, e.g. {@code password}, {@code tls.keystorePassword}). The name is the configuration's {@code name} property, or else the name of the factory
     * configuration: {@code meter1} for {@code io.connback.serial~meter1} (FileInstall's
     * {@code io.connback.serial-meter1.cfg}).
     *
     * @param type the connector type, e.g. {@code tcp}
     * @param configuration the configuration properties
     * @return the service properties
     * @throws IllegalArgumentException if the configuration has no name and is not a named factory configuration
     */
    public static Hashtable<String, Object> ofConnector(String type, Map<String, ?> configuration) {
        Hashtable<String, Object> properties = new Hashtable<>();
        configuration.forEach((key, value) -> {
            if (value != null && !key.startsWith(".") && !NOT_CONFIGURATION.contains(key) && !isSecret(key)
                    && !key.equals(FILE) && !key.equals("felix.fileinstall.filename")) {
                properties.put(key, value);
            }
        });
        properties.put(TYPE, type);
        properties.put(NAME, linkName(configuration));
        return properties;
    }

    private static boolean isSecret(String key) {
        return key.toLowerCase(Locale.ROOT).endsWith("password");
    }

    /**
     * The link name of a configuration: its {@code name} property, or else the name of its factory configuration.
     *
     * @param configuration the configuration properties
     * @return the name
     * @throws IllegalArgumentException if the configuration has no name and is not a named factory configuration
     */
    public static String linkName(Map<String, ?> configuration) {
        ConfigValues values = ConfigValues.of(configuration);
        Optional<String> name = values.text("name").map(String::trim).filter(text -> !text.isEmpty());
        String pid = values.text("service.pid").orElse("");
        String factoryName = pid.substring(pid.indexOf('~') + 1);
        if (name.isEmpty() && (pid.indexOf('~') < 0 || factoryName.isEmpty())) {
            throw ConfigValues.invalid("name", null,
                    "a link name is required unless the factory configuration is named (" + pid + ")");
        }
        return name.orElse(factoryName);
    }
}
