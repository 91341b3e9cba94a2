package io.connback.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What of an MQTT link's configuration becomes service properties, which every bundle and the console read. */
class MqttConnectorComponentTest {

    @Test
    void theServicePropertiesLeaveThePasswordsOut() {
        Map<String, Object> configuration = Map.of("serverUri", "ssl://broker:8883", "username", "gw1",
                "password", "s3cret", "tls.truststore", "/etc/trust.p12", "tls.truststorePassword", "s3cret",
                "tls.keystore", "/etc/key.p12", "tls.keystorePassword", "s3cret", "keepalive", 30,
                "service.pid", "io.connback.mqtt~fleet");

        assertThat(MqttConnectorComponent.withoutSecrets(configuration)).containsOnlyKeys("serverUri", "username",
                "tls.truststore", "tls.keystore", "keepalive", "service.pid").doesNotContainValue("s3cret");
    }
}
