package io.connback.mqtt.internal;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The default folders of the links' durable queues in a gateway: {@code <data folder>/mqtt/<link name>}, where the
 * data folder is the framework (or system) property {@value #DATA_PROPERTY}; else Karaf's {@code karaf.data}
 * ({@code <karaf.data>/connback}); else the folder {@code data} beside the framework's storage folder, never in it:
 * the gateway cleans its storage folder ({@code cache/}) at every start.
 */
final class StoreFolders {

    /** The framework property of the gateway's data folder. */
    static final String DATA_PROPERTY = "connback.data";

    private StoreFolders() {}

    /**
     * The gateway's data folder.
     *
     * @param property reads a framework property, e.g. {@code BundleContext::getProperty}; {@code null} if unset
     * @return the folder
     */
    static Path dataFolder(UnaryOperator<String> property) {
        String data = property.apply(DATA_PROPERTY);
        if (data != null && !data.isBlank()) {
            return Path.of(data.trim());
        }
        String karaf = property.apply("karaf.data");
        if (karaf != null && !karaf.isBlank()) {
            return Path.of(karaf.trim(), "connback");
        }
        String storage = property.apply("org.osgi.framework.storage");
        Path cache = Path.of(storage == null || storage.isBlank() ? "felix-cache" : storage.trim());
        return cache.toAbsolutePath().normalize().resolveSibling("data");
    }

    /**
     * A link's folder: its name, with characters other than letters, digits, '.', '_' and '-' made '_'.
     *
     * @param data the data folder
     * @param link the link's name
     * @return {@code <data>/mqtt/<link>}
     */
    static Path ofLink(Path data, String link) {
        String folder = link.replaceAll("[^A-Za-z0-9._-]", "_");
        return data.resolve("mqtt").resolve(folder.equals(".") || folder.equals("..") ? "_" + folder : folder);
    }
}
