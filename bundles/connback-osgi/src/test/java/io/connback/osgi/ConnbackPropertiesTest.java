package io.connback.osgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnbackPropertiesTest {

    @Test
    void theLinkIsNamedAfterTheFactoryConfigurationUnlessItHasANameProperty() {
        assertThat(ConnbackProperties.ofConnector("serial", Map.of("service.pid", "io.connback.serial~meter1")))
                .containsEntry(ConnbackProperties.NAME, "meter1")
                .containsEntry(ConnbackProperties.TYPE, "serial");
        assertThat(ConnbackProperties.ofConnector("serial",
                Map.of("service.pid", "io.connback.serial~meter1", "name", " boiler ")))
                .containsEntry(ConnbackProperties.NAME, "boiler");
    }

    @Test
    void aLinkWithoutAnyNameIsRefusedNamingTheKey() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ConnbackProperties.ofConnector("tcp",
                        Map.of("service.pid", "io.connback.tcp.5f1c", "name", "")))
                .withMessageStartingWith("name: no value: ")
                .withMessageContaining("io.connback.tcp.5f1c");
    }

    @Test
    void theConfigurationTravelsWithoutThePropertiesOfScrAndThePrivateOnes() {
        Map<String, Object> properties = ConnbackProperties.ofConnector("tcp", Map.of(
                "service.pid", "io.connback.tcp~a", "keepalive", 30, ".password", "secret",
                "component.name", "io.connback.tcp.internal.TcpConnectorComponent", "component.id", 7L));

        assertThat(properties).containsOnlyKeys("service.pid", "keepalive", ConnbackProperties.NAME,
                ConnbackProperties.TYPE);
    }

    @Test
    void passwordsAreNeverServicePropertiesWhichEveryBundleAndTheConsoleRead() {
        Map<String, Object> properties = ConnbackProperties.ofConnector("mqtt", Map.of("serverUri",
                "ssl://broker:8883", "username", "gw1", "password", "s3cret", "tls.truststore", "/etc/trust.p12",
                "tls.truststorePassword", "s3cret", "tls.keystore", "/etc/key.p12", "tls.keystorePassword", "s3cret",
                "service.pid", "io.connback.mqtt~fleet"));

        assertThat(properties).containsOnlyKeys("serverUri", "username", "tls.truststore", "tls.keystore",
                "service.pid", ConnbackProperties.NAME, ConnbackProperties.TYPE).doesNotContainValue("s3cret");
    }
}
