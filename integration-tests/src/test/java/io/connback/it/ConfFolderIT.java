package io.connback.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.connback.osgi.ManagedConnection;
import io.connback.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * connback-folders' ConfFolder in a real Felix with SCR and Configuration Admin: files in the folder of the framework
 * property {@code connback.conf} become the links' factory configurations, a deleted file ends its link, and a file
 * whose connector is not installed is told once, then applies when the connector starts.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfFolderIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String CONF_LOGGER = "io.connback.folders.internal.conf.ConfFolder";

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    /** Held: java.util.logging keeps its loggers, and so their level and handlers, only while referenced. */
    private final Logger confLogger = Logger.getLogger(CONF_LOGGER);
    private Path conf;
    private Links links;
    private EchoServer echo;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    /**
     * The framework of this class: the gateway's bundles, and connback-folders watching a folder of target/.
     *
     * @return its options
     * @throws IOException if the folder cannot be made
     */
    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws IOException {
        Path folder = Files.createDirectories(Path.of("target", "conf-folder-it").toAbsolutePath());
        return OptionUtils.combine(Gateway.framework(), options(Gateway.connbackBundle("connback-folders"),
                frameworkProperty("connback.conf").value(folder.toString())));
    }

    @Before
    public void setUp() throws IOException {
        conf = Path.of(context.getProperty("connback.conf"));
        confLogger.setLevel(Level.ALL); // the framework's JUL configuration may drop INFO
        confLogger.addHandler(recorder);
        links = new Links(context, configurationAdmin);
        echo = new EchoServer();
    }

    @After
    public void cleanUp() throws Exception {
        try (Stream<Path> files = Files.list(conf)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Await.until("the configurations of the files deleted", TIMEOUT, () -> fromFiles().length == 0);
        confLogger.removeHandler(recorder);
        links.cleanUp();
        echo.close();
    }

    @Test
    public void aFileBecomesTheLinksFactoryConfigurationWithItsUtf8ValuesAndNamesItself() throws Exception {
        write("io.connback.tcp-file1.cfg", "host = 127.0.0.1\nport = " + echo.port() + "\nname = ünïcödé\n");

        ManagedConnection connection = links.awaitConnected("ünïcödé");
        assertEquals("tcp", connection.type());
        Configuration configuration = configurationAdmin.getConfiguration("io.connback.tcp~file1", "?");
        Dictionary<String, Object> properties = configuration.getProperties();
        assertEquals("io.connback.tcp", configuration.getFactoryPid());
        assertEquals("ünïcödé", properties.get("name"));
        assertEquals("target/conf-folder-it/io.connback.tcp-file1.cfg", properties.get("connback.file"));
    }

    @Test
    public void deletingTheFileEndsTheLink() throws Exception {
        Path file = write("io.connback.tcp-file2.cfg", "host = 127.0.0.1\nport = " + echo.port() + "\n");
        links.awaitConnected("file2");

        Files.delete(file);

        Await.until("the link's service gone", TIMEOUT, () -> links.managedConnection("file2").isEmpty());
        assertEquals(0, fromFiles().length);
    }

    @Test
    public void aFixedSaveOfAMalformedFileApplies() throws Exception {
        write("io.connback.tcp-file3.cfg", "host = 127.0.0.1\nport = \\u70\n");
        Await.until("the malformed file told", TIMEOUT, () -> !about("io.connback.tcp-file3.cfg: line 2").isEmpty());
        assertEquals(0, fromFiles().length);

        write("io.connback.tcp-file3.cfg", "host = 127.0.0.1\nport = " + echo.port() + "\n");

        links.awaitConnected("file3");
        assertEquals(List.of("WARNING target/conf-folder-it/io.connback.tcp-file3.cfg: line 2: cannot be read: "
                + "malformed \\uXXXX escape '\\u70': \\u takes 4 hexadecimal digits (write \\\\ for a backslash); "
                + "not applied"), warnings());
    }

    @Test
    public void aFileWhoseConnectorIsNotInstalledIsToldOnceAndAppliesWhenItStarts() throws Exception {
        Bundle tcp = links.bundle("io.connback.tcp");
        tcp.stop();
        try {
            write("io.connback.tcp-file4.cfg", "host = 127.0.0.1\nport = " + echo.port() + "\n");
            Await.until("the unread file told", TIMEOUT, () -> !warnings().isEmpty());
            assertEquals(1, warnings().size());
            assertTrue(warnings().get(0), warnings().get(0).startsWith("WARNING target/conf-folder-it/"
                    + "io.connback.tcp-file4.cfg: no installed connector or component reads 'io.connback.tcp' "
                    + "(files are named <pid>-<link name>.cfg; known: "));
            assertTrue(warnings().get(0), warnings().get(0).contains("io.connback.serial"));
        } finally {
            tcp.start();
        }

        links.awaitConnected("file4");
        Await.until(() -> "the connector told, in " + lines, TIMEOUT,
                () -> !about("'io.connback.tcp' is installed now").isEmpty());
        assertEquals(1, warnings().size());
    }

    private Path write(String name, String content) throws IOException {
        return Files.write(conf.resolve(name), content.getBytes(UTF_8));
    }

    private Configuration[] fromFiles() {
        try {
            Configuration[] found = configurationAdmin.listConfigurations("(connback.file=*)");
            return found == null ? new Configuration[0] : found;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private List<String> warnings() {
        return lines.stream().filter(line -> line.startsWith("WARNING")).toList();
    }

    private List<String> about(String text) {
        return lines.stream().filter(line -> line.contains(text)).toList();
    }
}
