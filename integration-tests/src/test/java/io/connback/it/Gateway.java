package io.connback.it;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import org.ops4j.pax.exam.Option;

/** The framework of the tests: Felix with SCR and Configuration Admin, and the gateway bundles built by the reactor. */
final class Gateway {

    /** The factory PID of TCP links. */
    static final String TCP_PID = "io.connback.tcp";

    /** The factory PID of serial links. */
    static final String SERIAL_PID = "io.connback.serial";

    private Gateway() {}

    static Option[] framework() {
        return new Option[] {
                junitBundles(),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                mavenBundle("org.osgi", "org.osgi.util.function", property("osgi.function.version")),
                mavenBundle("org.osgi", "org.osgi.util.promise", property("osgi.promise.version")),
                mavenBundle("org.osgi", "org.osgi.service.component", property("osgi.ds.version")),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin",
                        property("felix.configadmin.version")),
                mavenBundle("org.apache.felix", "org.apache.felix.scr", property("felix.scr.version")),
                mavenBundle("com.fazecast", "jSerialComm", property("jserialcomm.version")),
                connbackBundle("connback-core"),
                connbackBundle("connback-link"),
                connbackBundle("connback-osgi"),
                connbackBundle("connback-tcp"),
                connbackBundle("connback-serial"),
        };
    }

    static Option connbackBundle(String module) {
        Path jar = Path.of(property("connback.bundles"), module, "target",
                module + "-" + property("connback.version") + ".jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the bundles first (mvn -pl integration-tests -am)");
        }
        return bundle(jar.toUri().toString());
    }

    static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name + " is not set (the failsafe configuration)");
        }
        return value;
    }

    /** The configuration of a TCP link to a local port, with quick retries. */
    static Dictionary<String, Object> tcpLink(int port) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("host", "127.0.0.1");
        properties.put("port", port);
        properties.put("initialDelay", 50);
        properties.put("maxDelay", 500);
        return properties;
    }

    /** The configuration of a serial link to a device path, with frames of one line and quick retries. */
    static Dictionary<String, Object> serialLink(Path port) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("port", port.toString());
        properties.put("framing", "delimiter:hex:0A");
        properties.put("initialDelay", 50);
        properties.put("maxDelay", 500);
        return properties;
    }
}
