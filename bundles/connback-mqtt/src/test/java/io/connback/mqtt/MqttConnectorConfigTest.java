package io.connback.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connback.mqtt.internal.MqttSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration properties: values, defaults, errors that name key and value, passwords never shown. */
class MqttConnectorConfigTest {

    private static final String SECRET = "s3cret-never-shown";

    @TempDir
    Path folder;

    private static Map<String, Object> config(Object... keysAndValues) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("serverUri", "tcp://broker.example.com:1883");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    @Test
    void readsEveryKeyAndIgnoresOthers() {
        MqttConnector connector = MqttConnector.fromMap(config("clientId", "gateway-17", "username", "gateway",
                "password", SECRET, "cleanSession", "false", "offlineQueueSize", 50, "offlineQueuePolicy", "REFUSE",
                "keepalive", 30, "framing", "line"));

        assertThat(connector.serverUri()).isEqualTo("tcp://broker.example.com:1883");
        assertThat(connector.clientId()).contains("gateway-17");
        assertThat(connector.username()).contains("gateway");
        assertThat(connector.cleanSession()).isFalse();
        assertThat(connector.offlineQueueSize()).isEqualTo(50);
        assertThat(connector.offlineQueuePolicy()).isEqualTo(OfflineQueuePolicy.REFUSE);
        assertThat(connector.hostnameVerification()).isTrue();
    }

    @Test
    void absentKeysAndEmptyStringsTakeTheDefaults() {
        MqttConnector connector = MqttConnector.fromMap(config("clientId", "", "username", "",
                "offlineQueuePolicy", ""));

        assertThat(connector.clientId()).isEmpty();
        assertThat(connector.username()).isEmpty();
        assertThat(connector.cleanSession()).isTrue();
        assertThat(connector.offlineQueueSize()).isEqualTo(MqttConnector.DEFAULT_QUEUE_SIZE);
        assertThat(connector.offlineQueuePolicy()).isEqualTo(OfflineQueuePolicy.DROP_OLDEST);
    }

    @Test
    void badValuesNameTheKeyAndTheValue() {
        assertThatThrownBy(() -> MqttConnector.fromMap(Map.of()))
                .hasMessage("serverUri: no value: a tcp:// or ssl:// broker URI is required");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("serverUri", "ws://broker:80")))
                .hasMessage("serverUri: invalid value 'ws://broker:80': expected tcp://host[:port] or ssl://host[:port]");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("serverUri", "tcp://user:pw@broker:1883")))
                .hasMessageStartingWith("serverUri: invalid value 'tcp://user:pw@broker:1883': expected only a host");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("offlineQueueSize", 0)))
                .hasMessage("offlineQueueSize: invalid value '0': expected a whole number from 1 to 1000000");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("offlineQueueSize", "many")))
                .hasMessage("offlineQueueSize: invalid value 'many': expected a whole number from 1 to 1000000");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("offlineQueuePolicy", "dropNewest")))
                .hasMessage("offlineQueuePolicy: invalid value 'dropNewest': expected dropOldest or refuse");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("cleanSession", "no")))
                .hasMessage("cleanSession: invalid value 'no': expected true or false");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("cleanSession", false)))
                .hasMessage("cleanSession: invalid value 'false': a persistent session needs a clientId");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("tls.truststore", "/etc/trust.p12")))
                .hasMessageStartingWith("tls.truststore: invalid value '/etc/trust.p12': TLS settings need an ssl://");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("serverUri", "ssl://broker:8883",
                "tls.truststore", folder.resolve("missing.p12").toString())))
                .hasMessage("tls.truststore: invalid value '" + folder.resolve("missing.p12")
                        + "': no readable file there");
    }

    @Test
    void passwordsAreNeverRepeated() throws Exception {
        Path notAStore = Files.writeString(folder.resolve("trust.p12"), "not a key store");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("password", SECRET)))
                .hasMessage("password: MQTT sends a password only with a username");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("serverUri", "ssl://broker:8883",
                "tls.truststore", notAStore.toString(), "tls.truststorePassword", SECRET)))
                .hasMessageStartingWith("tls.truststore: invalid value '" + notAStore + "': cannot read it")
                .message().doesNotContain(SECRET);

        MqttConnector connector = MqttConnector.fromMap(config("username", "gateway", "password", SECRET));
        assertThat(connector.toString()).isEqualTo("MqttConnector[tcp://broker.example.com:1883, username=gateway, "
                + "cleanSession=true, offlineQueueSize=1000, offlineQueuePolicy=dropOldest]");
    }

    @Test
    void theDurableQueueIsOptInAndItsKeysAreRead() {
        assertThat(MqttConnector.fromMap(config()).storeDir()).isEmpty();
        assertThat(MqttConnector.fromMap(config("store", "memory", "store.maxBytes", 1 << 20, "store.sync", "always"))
                .storeDir()).as("the store keys without store = disk, as a metatype form sets them").isEmpty();

        MqttConnector connector = MqttConnector.fromMap(config("store", "DISK", "store.dir", "/var/lib/gw/uplink",
                "store.maxBytes", "1048576", "store.sync", "interval:250"));
        assertThat(connector.storeDir()).contains(Path.of("/var/lib/gw/uplink"));
        assertThat(connector.toString()).endsWith(", store=disk, store.dir=/var/lib/gw/uplink, "
                + "store.maxBytes=1048576, store.sync=interval:250]");
        assertThat(MqttConnector.fromMap(config("store", "disk", "store.dir", "/d", "store.sync", "always"))
                .toString()).endsWith("store.maxBytes=67108864, store.sync=always]");
        assertThat(MqttConnector.builder().defaultStoreDir(Path.of("/data/mqtt/uplink"))
                .apply(config("store", "disk")).build().storeDir()).contains(Path.of("/data/mqtt/uplink"));
        assertThat(MqttConnector.builder().defaultStoreDir(Path.of("/data/mqtt/uplink"))
                .apply(config("store", "disk", "store.dir", "/elsewhere")).build().storeDir())
                .contains(Path.of("/elsewhere"));
    }

    @Test
    void badStoreValuesNameTheKeyAndTheValue() {
        assertThatThrownBy(() -> MqttConnector.fromMap(config("store", "tape")))
                .hasMessage("store: invalid value 'tape': expected memory or disk");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("store", "disk")))
                .hasMessage("store.dir: no value: store = disk needs the folder of the link's files");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("store.dir", "/var/lib/gw")))
                .hasMessage("store.dir: invalid value '/var/lib/gw': the queue is in memory: set store = disk");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("store", "disk", "store.dir", "/d",
                "store.maxBytes", 1000)))
                .hasMessage("store.maxBytes: invalid value '1000': must be at least 65536");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("store", "disk", "store.dir", "/d",
                "store.maxBytes", "64MB")))
                .hasMessage("store.maxBytes: invalid value '64MB': expected a number");
        for (String sync : new String[] {"sometimes", "interval:0", "interval:", "interval:1.5"}) {
            assertThatThrownBy(() -> MqttConnector.fromMap(config("store", "disk", "store.dir", "/d",
                    "store.sync", sync)))
                    .hasMessage("store.sync: invalid value '" + sync + "': expected always or interval:<ms>, with 1 ms"
                            + " or more");
        }
    }

    @Test
    void theMqttKeepaliveIsConnbacksInWholeSeconds() {
        assertThat(MqttSettings.keepaliveSeconds(Duration.ZERO)).isZero();
        assertThat(MqttSettings.keepaliveSeconds(Duration.ofSeconds(60))).isEqualTo(60);
        assertThat(MqttSettings.keepaliveSeconds(Duration.ofMillis(2500))).isEqualTo(2);
        assertThat(MqttSettings.keepaliveSeconds(Duration.ofSeconds(65_535))).isEqualTo(65_535);
        assertThatThrownBy(() -> MqttSettings.keepaliveSeconds(Duration.ofMillis(500)))
                .hasMessage("keepalive: invalid value '0.5s': MQTT counts the keepalive in whole seconds: 0 (none) or"
                        + " 1 to 65535");
        assertThatThrownBy(() -> MqttSettings.keepaliveSeconds(Duration.ofSeconds(65_536)))
                .hasMessageStartingWith("keepalive: invalid value '65536s'");
    }
}
