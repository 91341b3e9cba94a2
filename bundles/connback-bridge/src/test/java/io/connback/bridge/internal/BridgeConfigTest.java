package io.connback.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A bridge's keys: defaults, templates, one line per bad key naming the file, the key and the value. */
class BridgeConfigTest {

    private static final String FILE = "conf/io.connback.bridge-meter1.cfg";

    private static Map<String, Object> config(Object... keysAndValues) {
        Map<String, Object> properties = new HashMap<>(Map.of("device", "meter1", "broker", "uplink"));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    @Test
    void defaultsAndTemplates() {
        BridgeConfig config = BridgeConfig.parse(config(), "gw1", FILE);
        assertThat(config.topic()).isEqualTo("connback/gw1/meter1/data");
        assertThat(config.format()).isEqualTo(BridgeConfig.Format.RAW);
        assertThat(config.qos()).isEqualTo(1);
        assertThat(config.retained()).isFalse();
        assertThat(config.commands()).isEmpty();
        assertThat(config.queueCommands()).isTrue();

        BridgeConfig full = BridgeConfig.parse(config("topic", "site/{gatewayId}/{link}", "format", "JSON",
                "json.data", "hex", "qos", "0", "retained", "true", "commands", "site/{gatewayId}/{link}/cmd/#",
                "replies", "site/{gatewayId}/{link}/replies", "commands.whileDown", "refuse",
                "commands.queueSize", 4), "gw1", FILE);
        assertThat(full.topic()).isEqualTo("site/gw1/meter1");
        assertThat(full.format()).isEqualTo(BridgeConfig.Format.JSON);
        assertThat(full.jsonData()).isEqualTo(BridgeConfig.Format.HEX);
        assertThat(full.qos()).isZero();
        assertThat(full.retained()).isTrue();
        assertThat(full.commands()).isEqualTo(Optional.of("site/gw1/meter1/cmd/#"));
        assertThat(full.replies()).isEqualTo(Optional.of("site/gw1/meter1/replies"));
        assertThat(full.queueCommands()).isFalse();
        assertThat(full.commandQueueSize()).isEqualTo(4);
    }

    @Test
    void everyBadKeyIsOneLineNamingTheFileTheKeyAndTheValue() {
        assertThatThrownBy(() -> BridgeConfig.parse(config("format", "xml", "topic", "site/+/data", "qos", 3,
                "commands", "cmd/a#", "json.data", "json", "commands.whileDown", "drop"), "gw1", FILE))
                .hasMessage(String.join("\n",
                        FILE + ": topic: invalid value 'site/+/data': a topic to publish on has no wildcards (+ #)",
                        FILE + ": format: invalid value 'xml': expected raw, hex, base64 or json",
                        FILE + ": json.data: invalid value 'json': expected hex or base64",
                        FILE + ": qos: invalid value '3': must be 0, 1 or 2",
                        FILE + ": commands: invalid value 'cmd/a#': a wildcard (+ #) must be a whole level, # the "
                                + "last",
                        FILE + ": commands.whileDown: invalid value 'drop': expected queue or refuse"));
    }

    @Test
    void requiredLinksUnknownTemplatesAndRepliesWithoutCommands() {
        Map<String, Object> noLinks = new HashMap<>(Map.of("topic", "a/{host}", "replies", "r"));
        assertThatThrownBy(() -> BridgeConfig.parse(noLinks, "gw1", "io.connback.bridge~meter1"))
                .hasMessage(String.join("\n",
                        "io.connback.bridge~meter1: device: no value: the name of a link of the gateway is required",
                        "io.connback.bridge~meter1: broker: no value: the name of a link of the gateway is required",
                        "io.connback.bridge~meter1: topic: invalid value 'a/{host}': unknown template {host}: "
                                + "expected {gatewayId} or {link}",
                        "io.connback.bridge~meter1: replies: invalid value 'r': replies need a commands topic"));
        assertThatThrownBy(() -> BridgeConfig.parse(config("broker", "meter1"), "gw1", FILE))
                .hasMessage(FILE + ": broker: invalid value 'meter1': the device's own link: a bridge joins two links");
    }
}
