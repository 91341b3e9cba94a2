package io.connback.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.connback.Subscription;
import io.connback.link.FrameListener;
import io.connback.link.Framing;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.link.PongMatcher;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TcpConnectorConfigTest {

    private static Map<String, Object> config(Object... keysAndValues) {
        Map<String, Object> config = new HashMap<>(Map.of("host", "192.168.1.20", "port", "502"));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            config.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return config;
    }

    @Test
    void readsEveryKeyAndIgnoresOthers() {
        TcpConnector connector = TcpConnector.fromMap(config("port", 1502, "tls", "TRUE", "tcpNoDelay", "false",
                "tcpKeepAlive", false, "framing", "delimiter:\\r\\n", "maxFrameSize", "256", "ping.frame", "text:P\\n",
                "pong.match", "text:OK", "maxQueuedBytes", "1024", "keepalive", "10", "unrelated", "x"));

        assertThat(connector.host()).isEqualTo("192.168.1.20");
        assertThat(connector.port()).isEqualTo(1502);
        assertThat(connector.tls()).isTrue();
        assertThat(connector.hostnameVerification()).isTrue();
        assertThat(connector.tcpNoDelay()).isFalse();
        assertThat(connector.tcpKeepAlive()).isFalse();
        assertThat(connector.linkSettings().framing()).isEqualTo(Framing.delimiter(new byte[] {'\r', '\n'}));
        assertThat(connector.linkSettings().maxFrameSize()).isEqualTo(256);
        assertThat(connector.linkSettings().maxQueuedBytes()).isEqualTo(1024);
        assertThat(connector.linkSettings().pongMatcher()).isEqualTo(PongMatcher.prefix(new byte[] {'O', 'K'}));
        assertThat(connector).hasToString("TcpConnector[192.168.1.20:1502, tls]");
    }

    @Test
    void absentAndEmptyValuesTakeTheDefaults() {
        TcpConnector connector = TcpConnector.fromMap(config("tls", "", "tcpNoDelay", "", "framing", ""));

        assertThat(connector.tls()).isFalse();
        assertThat(connector.tcpNoDelay()).isTrue();
        assertThat(connector.tcpKeepAlive()).isTrue();
        assertThat(connector.linkSettings()).isEqualTo(LinkSettings.defaults());
    }

    @Test
    void acceptsHostNamesAndIpv6Addresses() {
        assertThat(TcpConnector.fromMap(config("host", "meter-3.plant.example")).host())
                .isEqualTo("meter-3.plant.example");
        TcpConnector ipv6 = TcpConnector.fromMap(config("host", "[fe80::1]"));
        assertThat(ipv6.host()).isEqualTo("fe80::1");
        assertThat(ipv6).hasToString("TcpConnector[[fe80::1]:502]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "host           | a b            | not a host name or IP address",
        "host           | 300.1.1.1      | not an IPv4 address",
        "host           | 10.0.1         | not an IPv4 address",
        "host           | fe80::zz       | not an IPv6 address",
        "host           | meter/1        | not a host name or IP address",
        "port           | 70000          | expected a whole number from 1 to 65535",
        "port           | 0              | expected a whole number from 1 to 65535",
        "port           | 502.5          | expected a whole number",
        "port           | modbus         | expected a whole number",
        "tls            | yes            | expected true or false",
        "tcpNoDelay     | 1              | expected true or false",
        "tcpKeepAlive   | on             | expected true or false",
        "framing        | slip           | expected none",
        "maxFrameSize   | -1             | expected a whole number from 1 to",
    })
    void aBadValueFailsNamingTheKeyAndTheValue(String key, String value, String why) {
        assertThatIllegalArgumentException().isThrownBy(() -> TcpConnector.fromMap(config(key, value)))
                .withMessageStartingWith(key + ": invalid value '" + value + "'").withMessageContaining(why);
    }

    @Test
    void aMissingHostOrPortFailsNamingTheKey() {
        Map<String, Object> noHost = config();
        noHost.remove("host");
        assertThatIllegalArgumentException().isThrownBy(() -> TcpConnector.fromMap(noHost))
                .withMessage("host: no value: a host name or IP address is required");
        assertThatIllegalArgumentException().isThrownBy(() -> TcpConnector.builder().host("device").build())
                .withMessage("port: no value: a port 1 to 65535 is required");
    }

    @Test
    void refusesToCloseALinkItDidNotMake() {
        Link foreign = new Link() {
            @Override
            public CompletionStage<Void> send(ByteBuffer data) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String remote() {
                return "elsewhere";
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public Subscription addFrameListener(FrameListener listener) {
                throw new UnsupportedOperationException();
            }
        };
        TcpConnector connector = TcpConnector.fromMap(config());
        assertThatIllegalArgumentException().isThrownBy(() -> connector.close(foreign, true))
                .withMessageContaining("not made by a TCP connector");
    }
}
