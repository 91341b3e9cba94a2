package io.connback.folders.internal.conf;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lines and configurations of {@code conf/} files, one save at a time. */
class ConfFilesTest {

    private static final Path HOME = Path.of("/opt/gateway");
    private static final Path CONF = HOME.resolve("conf");
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Readers CONNECTORS = readers("io.connback.fleet", "io.connback.mqtt", "io.connback.serial",
            "io.connback.tcp");

    private final MapConfigurations configurations = new MapConfigurations();
    private final RecordingLogger log = new RecordingLogger();
    private ConfFiles files;

    @BeforeEach
    void start() {
        files = new ConfFiles(configurations, HOME, log);
        files.start();
        files.readersChanged(CONNECTORS);
    }

    @Test
    void aFileBecomesItsConfigurationWithTheFileNamedInIt() {
        save("io.connback.tcp-meter1.cfg", "host = 127.0.0.1\nport = 4001\n");

        assertThat(configurations.byPid).containsOnlyKeys("io.connback.tcp~meter1");
        assertThat(configurations.byPid.get("io.connback.tcp~meter1")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "host", "127.0.0.1", "port", "4001", "connback.file", "conf/io.connback.tcp-meter1.cfg"));
        assertThat(log.lines()).containsExactly(
                "INFO conf/io.connback.tcp-meter1.cfg: configuration io.connback.tcp~meter1 created");
    }

    @Test
    void aSingletonFileBecomesTheConfigurationOfItsPid() {
        save("io.connback.fleet.cfg", "gatewayId = gw1\n");

        assertThat(configurations.byPid).containsOnlyKeys("io.connback.fleet");
    }

    @Test
    void aUtf8ValueArrivesIntact() {
        save("io.connback.tcp-x.cfg", "host = ünïcödé.example\n");

        assertThat(configurations.byPid.get("io.connback.tcp~x")).containsEntry("host", "ünïcödé.example");
    }

    @Test
    void anUnchangedSaveSaysNothingAndAChangedOneSaysUpdated() {
        save("io.connback.tcp-x.cfg", "port = 1\n");
        save("io.connback.tcp-x.cfg", "port = 1\n");
        save("io.connback.tcp-x.cfg", "port = 2\n");

        assertThat(log.lines()).containsExactly(
                "INFO conf/io.connback.tcp-x.cfg: configuration io.connback.tcp~x created",
                "INFO conf/io.connback.tcp-x.cfg: configuration io.connback.tcp~x updated");
    }

    @Test
    void aMalformedFileGetsOneLineWithItsLineAndIsNotApplied() {
        save("io.connback.tcp-x.cfg", "host = a\nport = 1\n# \\u in a comment is fine\npath = C:\\users\n");

        assertThat(configurations.byPid).isEmpty();
        assertThat(log.lines()).containsExactly("WARNING conf/io.connback.tcp-x.cfg: line 4: cannot be read: "
                + "malformed \\uXXXX escape '\\users': \\u takes 4 hexadecimal digits (write \\\\ for a backslash); "
                + "not applied");
    }

    @Test
    void aFileThatIsNotUtf8GetsOneLine() {
        save("io.connback.tcp-x.cfg", "host = Müller\n".getBytes(ISO_8859_1), PRIVATE);

        assertThat(log.warnings()).containsExactly("WARNING conf/io.connback.tcp-x.cfg: line 1: cannot be read: "
                + "byte 0xfc at byte 8 of the file is not UTF-8 (save the file as UTF-8); not applied");
    }

    @Test
    void aMalformedSaveOfAnAppliedFileKeepsItsConfigurationAndSaysSo() {
        save("io.connback.tcp-x.cfg", "port = 1\n");
        save("io.connback.tcp-x.cfg", "port = \\u12\n");

        assertThat(configurations.byPid.get("io.connback.tcp~x")).containsEntry("port", "1");
        assertThat(log.warnings()).singleElement().asString()
                .endsWith("line 1: cannot be read: malformed \\uXXXX escape '\\u12': \\u takes 4 hexadecimal "
                        + "digits (write \\\\ for a backslash); its previous version stays applied");
    }

    @Test
    void aFileCreatedMalformedAppliesOnceFixed() {
        save("io.connback.tcp-x.cfg", "port = \\uxyz1\n");
        save("io.connback.tcp-x.cfg", "port = 7001\n");

        assertThat(configurations.byPid.get("io.connback.tcp~x")).containsEntry("port", "7001");
        assertThat(log.lines()).hasSize(2).last().asString().endsWith("configuration io.connback.tcp~x created");
    }

    @Test
    void eachDuplicateKeyGetsOneLineNamingTheEarlierLinesAndTheLastOneCounts() {
        save("io.connback.tcp-x.cfg", "keepalive = 5\nhost = a\nkeepalive = 6\nport = 1\n\nkeepalive = 7\n");

        assertThat(log.warnings()).containsExactly(
                "WARNING conf/io.connback.tcp-x.cfg: line 3: keepalive: duplicate key (line 1 also sets it); "
                        + "the last one counts",
                "WARNING conf/io.connback.tcp-x.cfg: line 6: keepalive: duplicate key (lines 1 and 3 also set it); "
                        + "the last one counts");
        assertThat(configurations.byPid.get("io.connback.tcp~x")).containsEntry("keepalive", "7");
    }

    @Test
    void aKeyThatCouldForgeALineIsQuoted() {
        save("io.connback.tcp-x.cfg", "a\\nWARNING\\ forged = 1\na\\nWARNING\\ forged = 2\n");

        assertThat(log.warnings()).containsExactly("WARNING conf/io.connback.tcp-x.cfg: line 2: 'a\\nWARNING forged': "
                + "duplicate key (line 1 also sets it); the last one counts");
    }

    @Test
    void aFileNameThatCouldForgeALineIsQuoted() {
        save("io.connback.tcp-a\nWARNING b.cfg", "port = 1\nport = 2\n");

        assertThat(log.warnings()).singleElement().asString()
                .startsWith("WARNING 'conf/io.connback.tcp-a\\nWARNING b.cfg': line 2: port: duplicate key");
    }

    @Test
    void aFileThatNoComponentReadsIsToldWithTheKnownPidsAndStillApplied() {
        save("tcp-x.cfg", "port = 1\n");
        save("io.connback.zigbee-x.cfg", "port = 1\n");

        assertThat(log.warnings()).containsExactly(
                "WARNING conf/tcp-x.cfg: no installed connector or component reads 'tcp' (files are named "
                        + "<pid>-<link name>.cfg; known: io.connback.fleet, io.connback.mqtt, io.connback.serial, "
                        + "io.connback.tcp)",
                "WARNING conf/io.connback.zigbee-x.cfg: no installed connector or component reads "
                        + "'io.connback.zigbee' (files are named <pid>-<link name>.cfg; known: io.connback.fleet, "
                        + "io.connback.mqtt, io.connback.serial, io.connback.tcp)");
        assertThat(configurations.byPid).containsOnlyKeys("tcp~x", "io.connback.zigbee~x");
    }

    @Test
    void filesReadBeforeTheComponentsAreKnownAreCheckedWhenTheyAre() {
        files = new ConfFiles(configurations, HOME, log);
        files.start();
        save("io.connback.zigbee-x.cfg", "port = 1\n");
        save("io.connback.tcp-x.cfg", "port = 1\n");
        assertThat(log.warnings()).isEmpty();

        files.readersChanged(CONNECTORS);

        assertThat(log.warnings()).singleElement().asString().startsWith("WARNING conf/io.connback.zigbee-x.cfg: "
                + "no installed connector or component reads 'io.connback.zigbee'");
    }

    @Test
    void aConnectorInstalledLaterGetsOneInfoLineAndComponentChangesSayNothingMore() {
        save("io.connback.zigbee-x.cfg", "port = 1\n");
        log.clear();
        Readers withZigbee = readers("io.connback.fleet", "io.connback.mqtt", "io.connback.serial",
                "io.connback.tcp", "io.connback.zigbee");

        files.readersChanged(withZigbee);
        files.readersChanged(withZigbee);
        files.readersChanged(CONNECTORS);
        files.readersChanged(withZigbee);

        assertThat(log.lines()).containsExactly(
                "INFO conf/io.connback.zigbee-x.cfg: 'io.connback.zigbee' is installed now, and reads it");
    }

    @Test
    void aFileSavedWhileTheComponentsChangeIsCheckedOnceTheyAreKnownAgain() {
        files.readersChanging(); // the TCP bundle stops
        save("io.connback.tcp-x.cfg", "port = 1\n");
        assertThat(log.warnings()).isEmpty();

        files.readersChanged(readers("io.connback.serial"));

        assertThat(log.warnings()).singleElement().asString().contains("reads 'io.connback.tcp'");
    }

    @Test
    void eachSaveOfAnUnreadFileIsToldAgain() {
        save("tcp-x.cfg", "port = 1\n");
        save("tcp-x.cfg", "port = 2\n");

        assertThat(log.warnings()).hasSize(2).allMatch(line -> line.contains("reads 'tcp'"));
    }

    @Test
    void aPasswordReadableByOthersIsToldOncePerFile() {
        save("io.connback.mqtt-fleet.cfg", "serverUri = tcp://b:1883\ntls.keystorePassword = secret\n",
                WORLD_READABLE);
        save("io.connback.mqtt-fleet.cfg", "serverUri = tcp://b:1884\ntls.keystorePassword = secret\n",
                WORLD_READABLE);

        assertThat(log.warnings()).containsExactly("WARNING conf/io.connback.mqtt-fleet.cfg: holds a password and is "
                + "readable by others; chmod 600 it");
        assertThat(String.join("\n", log.lines())).doesNotContain("secret");
    }

    @Test
    void aPasswordOnlyTheOwnerReadsAndAnEmptyOneAreFine() {
        save("io.connback.mqtt-a.cfg", "PASSWORD = secret\n", PRIVATE);
        save("io.connback.mqtt-b.cfg", "password =\n", WORLD_READABLE);
        save("io.connback.mqtt-c.cfg", "password = secret\n", PosixFilePermissions.fromString("rw--w----"));

        assertThat(log.warnings()).isEmpty();
    }

    @Test
    void aGroupReadablePasswordIsToldAgainAfterItWasFixedAndExposedAgain() {
        Set<PosixFilePermission> group = PosixFilePermissions.fromString("rw-r-----");
        save("io.connback.mqtt-a.cfg", "Password = s\n", group);
        save("io.connback.mqtt-a.cfg", "Password = s\n", PRIVATE);
        save("io.connback.mqtt-a.cfg", "Password = s\n", group);

        assertThat(log.warnings()).hasSize(2).allMatch(line -> line.endsWith("chmod 600 it"));
    }

    @Test
    void aDeletedFileDeletesItsConfiguration() {
        save("io.connback.tcp-x.cfg", "port = 1\n");
        log.clear();

        files.deleted(CONF.resolve("io.connback.tcp-x.cfg"));

        assertThat(configurations.byPid).isEmpty();
        assertThat(log.lines()).containsExactly(
                "INFO conf/io.connback.tcp-x.cfg: deleted: configuration io.connback.tcp~x deleted");
    }

    @Test
    void aSecondFileForTheSameConfigurationIsIgnoredAndItsDeletionChangesNothing() {
        save("io.connback.tcp-x.cfg", "port = 1\n");
        Path other = Path.of("/etc/connback/io.connback.tcp-x.cfg");
        files.saved(other, "port = 2\n".getBytes(UTF_8), PRIVATE);
        files.deleted(other);

        assertThat(configurations.byPid.get("io.connback.tcp~x")).containsEntry("port", "1");
        assertThat(log.warnings()).containsExactly("WARNING /etc/connback/io.connback.tcp-x.cfg: ignored: "
                + "conf/io.connback.tcp-x.cfg already configures io.connback.tcp~x");
    }

    @Test
    void aFactoryFileWithoutALinkNameIsIgnored() {
        save("io.connback.tcp-.cfg", "port = 1\n");

        assertThat(configurations.byPid).isEmpty();
        assertThat(log.warnings()).containsExactly("WARNING conf/io.connback.tcp-.cfg: ignored: no link name after "
                + "the '-' (files are named <pid>-<link name>.cfg)");
    }

    @Test
    void configurationsOfGoneFilesFromAnEarlierRunAreDeletedAndTheOthersKept() {
        configurations.byPid.put("io.connback.tcp~gone", Map.of("connback.file", "conf/io.connback.tcp-gone.cfg"));
        configurations.byPid.put("io.connback.tcp~kept", Map.of("connback.file", "conf/io.connback.tcp-kept.cfg"));
        configurations.byPid.put("io.connback.tcp~api", Map.of("port", "1"));
        files = new ConfFiles(configurations, HOME, log);
        files.start();

        files.deleteOrphans(List.of(CONF.resolve("io.connback.tcp-kept.cfg"), CONF.resolve("README.txt")));

        assertThat(configurations.byPid).containsOnlyKeys("io.connback.tcp~kept", "io.connback.tcp~api");
        assertThat(log.lines()).containsExactly("INFO configuration io.connback.tcp~gone deleted: its file "
                + "conf/io.connback.tcp-gone.cfg is gone");
    }

    @Test
    void aFileFromAnEarlierRunThatIsMalformedNowKeepsItsConfiguration() {
        configurations.byPid.put("io.connback.tcp~x",
                Map.of("port", "1", "connback.file", "conf/io.connback.tcp-x.cfg"));
        files = new ConfFiles(configurations, HOME, log);
        files.start();

        save("io.connback.tcp-x.cfg", "port = \\u1\n");
        files.deleteOrphans(List.of(CONF.resolve("io.connback.tcp-x.cfg")));

        assertThat(configurations.byPid).containsKey("io.connback.tcp~x");
        assertThat(log.warnings()).singleElement().asString().endsWith("its previous version stays applied");
    }

    @Test
    void otherFilesGetOneInfoLineNotesADebugLineAndTemporaryFilesNone() {
        files.ignored(CONF.resolve("links.json"), ConfFileName.Kind.OTHER);
        files.ignored(CONF.resolve("README.txt"), ConfFileName.Kind.NOTE);
        files.ignored(CONF.resolve(".x.cfg.swp"), ConfFileName.Kind.TEMPORARY);

        assertThat(log.lines()).containsExactly("INFO conf/links.json: ignored: only *.cfg files are read",
                "DEBUG conf/README.txt: a note, not read");
    }

    @Test
    void aConfigurationAdminFailureIsOneLineAndTheFileAppliesAtItsNextSave() {
        Configurations failingOnce = new Configurations() {
            private boolean failed;

            @Override
            public Outcome apply(ConfFileName file, Map<String, String> properties) throws IOException {
                if (!failed) {
                    failed = true;
                    throw new IOException("disk full\nWARNING forged");
                }
                return configurations.apply(file, properties);
            }

            @Override
            public boolean delete(String configurationPid) {
                return configurations.delete(configurationPid);
            }

            @Override
            public Map<String, String> fromFiles() {
                return configurations.fromFiles();
            }
        };
        files = new ConfFiles(failingOnce, HOME, log);
        files.start();

        save("io.connback.tcp-x.cfg", "port = 1\n");
        save("io.connback.tcp-x.cfg", "port = 1\n");

        assertThat(log.lines()).containsExactly("WARNING conf/io.connback.tcp-x.cfg: not applied: Configuration Admin "
                        + "failed: 'java.io.IOException: disk full\\nWARNING forged'",
                "INFO conf/io.connback.tcp-x.cfg: configuration io.connback.tcp~x created");
    }

    @Test
    void anUnreadableFileGetsOneLine() {
        files.unreadable(CONF.resolve("io.connback.tcp-x.cfg"), "permission denied");

        assertThat(log.warnings()).containsExactly(
                "WARNING conf/io.connback.tcp-x.cfg: cannot be read: permission denied; not applied");
    }

    @Test
    void theKnownPidsNamedAreThoseComponentsDeclareOrAllWhenNoneIs() {
        files.readersChanged(new Readers(Set.of("io.connback.tcp", "org.example.Component", "org.example.Managed"),
                Set.of("io.connback.tcp")));
        save("tcp-a.cfg", "port = 1\n");
        files.readersChanged(new Readers(Set.of("org.example.Component"), Set.of()));
        save("tcp-b.cfg", "port = 1\n");
        files.readersChanged(new Readers(Set.of(), Set.of()));
        save("tcp-c.cfg", "port = 1\n");

        assertThat(log.warnings()).extracting(line -> line.substring(line.indexOf("known: ")))
                .containsExactly("known: io.connback.tcp)", "known: org.example.Component)", "known: none)");
    }

    private static Readers readers(String... pids) {
        return new Readers(Set.of(pids), Set.of(pids));
    }

    private void save(String name, String content) {
        save(name, content.getBytes(UTF_8), PRIVATE);
    }

    private void save(String name, String content, Set<PosixFilePermission> permissions) {
        save(name, content.getBytes(UTF_8), permissions);
    }

    private void save(String name, byte[] content, Set<PosixFilePermission> permissions) {
        files.saved(CONF.resolve(name), content, permissions);
    }
}
