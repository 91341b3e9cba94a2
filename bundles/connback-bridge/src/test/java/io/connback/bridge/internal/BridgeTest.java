package io.connback.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.bridge.internal.FakeLinks.Published;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A bridge between a device and a broker: frames out in each format, commands in, queued or refused. */
class BridgeTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T19:00:00Z"), ZoneOffset.UTC);

    private final FakeLinks.Broker broker = new FakeLinks.Broker();
    private final FakeLinks.Device device = new FakeLinks.Device();

    private static Bridge bridge(Object... keysAndValues) {
        Map<String, Object> properties = new HashMap<>(Map.of("device", "meter1", "broker", "uplink",
                "commands", "gw/{link}/cmd", "replies", "gw/{link}/replies"));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new Bridge(BridgeConfig.parse(properties, "gw1", "test"), "test", CLOCK);
    }

    private static ByteBuffer frame(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    }

    @Test
    void framesArePublishedOnTheTopicInEachFormat() {
        Bridge raw = bridge("qos", 2, "retained", true);
        raw.brokerConnected(broker);
        raw.frame(frame("T=21.5"));
        assertThat(broker.published).containsExactly(new Published("connback/gw1/meter1/data", "T=21.5", 2, true));

        assertThat(new String(bridge("format", "hex").payload(new byte[] {1, (byte) 0xAB}, 1),
                StandardCharsets.UTF_8)).isEqualTo("01ab");
        assertThat(new String(bridge("format", "base64").payload(new byte[] {1, 2, 3}, 1), StandardCharsets.UTF_8))
                .isEqualTo("AQID");
        assertThat(new String(bridge("format", "json").payload(new byte[] {1, 2, 3}, 7), StandardCharsets.UTF_8))
                .isEqualTo("{\"link\":\"meter1\",\"ts\":\"2026-12-04T19:00:00Z\",\"seq\":7,\"data\":\"AQID\"}");
        assertThat(new String(bridge("format", "json", "json.data", "hex").payload(new byte[] {1, 2}, 1),
                StandardCharsets.UTF_8)).endsWith("\"data\":\"0102\"}");
    }

    @Test
    void jsonCountsTheFramesSoThatGapsShow() {
        Bridge json = bridge("format", "json");
        json.brokerConnected(broker);
        json.frame(frame("a"));
        json.frame(frame("b"));
        assertThat(broker.published).extracting(Published::payload).allMatch(payload -> payload.contains("\"seq\":"))
                .satisfiesExactly(first -> assertThat(first).contains("\"seq\":1,"),
                        second -> assertThat(second).contains("\"seq\":2,"));
    }

    @Test
    void framesBeforeTheBrokerLinkEverConnectedAreCounted() {
        Bridge bridge = bridge();
        bridge.frame(frame("lost"));
        assertThat(bridge.framesWithoutBroker()).isEqualTo(1);
        bridge.brokerConnected(broker);
        bridge.frame(frame("sent"));
        assertThat(broker.published).extracting(Published::payload).containsExactly("sent");
    }

    @Test
    void commandsGoToTheDeviceWithAReply() {
        Bridge bridge = bridge();
        bridge.brokerConnected(broker);
        bridge.deviceConnected(device);
        assertThat(broker.subscriptions).extracting(sub -> sub.filter).containsExactly("gw/meter1/cmd");

        broker.deliver("gw/meter1/cmd", "READ\r\n");
        assertThat(device.sent).containsExactly("READ\r\n");
        assertThat(broker.published).containsExactly(new Published("gw/meter1/replies",
                "{\"seq\":1,\"ok\":true,\"error\":null}", 1, false));
    }

    @Test
    void whileTheDeviceIsDownCommandsWaitBoundedAndGoInOrderWhenItIsBack() {
        Bridge bridge = bridge("commands.queueSize", 2);
        bridge.brokerConnected(broker);
        broker.deliver("gw/meter1/cmd", "one");
        broker.deliver("gw/meter1/cmd", "two");
        broker.deliver("gw/meter1/cmd", "three");
        assertThat(broker.published).extracting(Published::payload).containsExactly("{\"seq\":3,\"ok\":false,"
                + "\"error\":\"the device meter1 is down and 2 commands wait already\"}");

        bridge.deviceConnected(device);
        assertThat(device.sent).containsExactly("one", "two");
        assertThat(broker.published).extracting(Published::payload).endsWith("{\"seq\":1,\"ok\":true,\"error\":null}",
                "{\"seq\":2,\"ok\":true,\"error\":null}");

        bridge.deviceDown();
        broker.deliver("gw/meter1/cmd", "four");
        assertThat(device.sent).hasSize(2);
    }

    @Test
    void withRefuseCommandsWhileTheDeviceIsDownAreRefusedWithAReply() {
        Bridge bridge = bridge("commands.whileDown", "refuse");
        bridge.brokerConnected(broker);
        broker.deliver("gw/meter1/cmd", "one");
        bridge.deviceConnected(device);
        assertThat(device.sent).isEmpty();
        assertThat(broker.published).extracting(Published::payload).containsExactly(
                "{\"seq\":1,\"ok\":false,\"error\":\"the device meter1 is down\"}");
    }

    @Test
    void aNewBrokerConnectionSubscribesAgainAndClosesTheOldSubscription() {
        Bridge bridge = bridge();
        bridge.brokerConnected(broker);
        bridge.brokerConnected(broker);
        assertThat(broker.subscriptions).hasSize(2);
        assertThat(broker.subscriptions.get(0).closed).isTrue();
        assertThat(broker.subscriptions.get(1).closed).isFalse();
        bridge.close();
        assertThat(broker.subscriptions.get(1).closed).isTrue();
    }
}
