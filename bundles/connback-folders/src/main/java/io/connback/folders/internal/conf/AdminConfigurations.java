package io.connback.folders.internal.conf;

import java.io.IOException;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The configurations of the files in Configuration Admin: {@code <pid>-<name>.cfg} is the named factory
 * configuration {@code <pid>~<name>} ({@link ConfigurationAdmin#getFactoryConfiguration(String, String, String)}),
 * {@code <pid>.cfg} the configuration {@code <pid>}; both with the location {@code ?}, so that any bundle may take
 * them. {@link Configuration#updateIfDifferent} leaves an unchanged save alone.
 */
final class AdminConfigurations implements Configurations {

    private static final String ANY_LOCATION = "?";

    private final ConfigurationAdmin admin;

    AdminConfigurations(ConfigurationAdmin admin) {
        this.admin = admin;
    }

    @Override
    public Outcome apply(ConfFileName file, Map<String, String> properties) throws IOException {
        Configuration configuration = file.isFactory()
                ? admin.getFactoryConfiguration(file.pid(), file.name(), ANY_LOCATION)
                : admin.getConfiguration(file.pid(), ANY_LOCATION);
        boolean existed = configuration.getProperties() != null;
        if (!configuration.updateIfDifferent(new Hashtable<>(properties))) {
            return Outcome.UNCHANGED;
        }
        return existed ? Outcome.UPDATED : Outcome.CREATED;
    }

    @Override
    public boolean delete(String configurationPid) throws IOException {
        Configuration[] found = list("(service.pid=" + escape(configurationPid) + ")");
        for (Configuration configuration : found) {
            configuration.delete();
        }
        return found.length > 0;
    }

    @Override
    public Map<String, String> fromFiles() throws IOException {
        Map<String, String> files = new HashMap<>();
        for (Configuration configuration : list("(" + ConfFiles.FILE_PROPERTY + "=*)")) {
            Dictionary<String, Object> properties = configuration.getProperties();
            if (properties != null && properties.get(ConfFiles.FILE_PROPERTY) instanceof String file) {
                files.put(configuration.getPid(), file);
            }
        }
        return files;
    }

    private Configuration[] list(String filter) throws IOException {
        try {
            Configuration[] found = admin.listConfigurations(filter);
            return found == null ? new Configuration[0] : found;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("filter " + filter, e);
        }
    }

    /** Escapes a value for an LDAP filter (RFC 4515 as OSGi filters take it). */
    private static String escape(String value) {
        StringBuilder escaped = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}
