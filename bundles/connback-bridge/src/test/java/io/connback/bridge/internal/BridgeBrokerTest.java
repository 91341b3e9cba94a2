package io.connback.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.link.mqtt.MqttLink;
import io.connback.mqtt.MqttConnector;
import io.connback.testing.Await;
import io.connback.testing.LoopbackPorts;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bridge over a real MQTT link (the connector, with its durable queue) to an embedded Moquette, without OSGi: frames
 * reach a subscriber, and its commands reach the device, with replies.
 */
class BridgeBrokerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final int port = LoopbackPorts.belowEphemeralRange();
    private final Server server = new Server();
    private final List<Connback<MqttLink>> connbacks = new CopyOnWriteArrayList<>();

    @TempDir
    Path folder;

    @AfterEach
    void stop() throws Exception {
        for (Connback<MqttLink> connback : connbacks) {
            connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        server.stopServer();
    }

    private void startBroker() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("host", "127.0.0.1");
        properties.setProperty("port", Integer.toString(port));
        properties.setProperty("websocket_port", "disabled");
        properties.setProperty("allow_anonymous", "true");
        properties.setProperty("persistence_enabled", "false");
        properties.setProperty("telemetry_enabled", "false");
        server.startServer(new MemoryConfig(properties), List.of(), null, null, null);
    }

    /** A Connback of an MQTT link; returns its link once connected. */
    private MqttLink connect(MqttConnector connector) throws Exception {
        CompletableFuture<MqttLink> connected = new CompletableFuture<>();
        connbacks.add(Connback.create(connector, ConnbackOptions.builder().initialDelay(Duration.ofMillis(20))
                .maxDelay(Duration.ofMillis(200)).build(), new ConnbackListener<>() {
                    @Override
                    public void onConnect(MqttLink link) {
                        connected.complete(link);
                    }
                }));
        return connected.get(10, TimeUnit.SECONDS);
    }

    @Test
    void framesReachASubscriberAndItsCommandsReachTheDeviceWithReplies() throws Exception {
        startBroker();
        String uri = "tcp://127.0.0.1:" + port;
        List<String> data = new CopyOnWriteArrayList<>();
        List<String> replies = new CopyOnWriteArrayList<>();
        MqttLink monitor = connect(MqttConnector.builder().serverUri(uri).build());
        monitor.subscribe("site/gw1/meter1/data", 1, message -> data.add(text(message.payload())));
        monitor.subscribe("site/gw1/meter1/replies", 1, message -> replies.add(text(message.payload())));
        monitor.publish("site/gw1/meter1/data", "ready".getBytes(StandardCharsets.UTF_8), 1, false)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        Await.until(() -> "the monitor subscribed", WAIT, () -> data.contains("ready"));
        data.clear();

        Bridge bridge = new Bridge(BridgeConfig.parse(Map.of("device", "meter1", "broker", "uplink",
                "topic", "site/{gatewayId}/{link}/data", "format", "json", "commands", "site/{gatewayId}/{link}/cmd",
                "replies", "site/{gatewayId}/{link}/replies"), "gw1", "test"), "test", Clock.systemUTC());
        bridge.brokerConnected(connect(MqttConnector.builder().serverUri(uri)
                .store(folder.resolve("uplink")).build()));
        FakeLinks.Device device = new FakeLinks.Device();
        bridge.deviceConnected(device);

        bridge.frame(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        Await.until(() -> "the frame at the monitor, got " + data, WAIT, () -> data.size() == 1);
        assertThat(data.get(0)).startsWith("{\"link\":\"meter1\",\"ts\":\"").endsWith("\"seq\":1,\"data\":\"AQID\"}");

        // the bridge's subscription is made once its link is connected: retry until the broker delivers to it
        Await.until(() -> "the command at the device, sent " + device.sent, WAIT, () -> {
            if (device.sent.isEmpty()) {
                monitor.publish("site/gw1/meter1/cmd", "READ\r\n".getBytes(StandardCharsets.UTF_8), 1, false);
            }
            return !device.sent.isEmpty();
        });
        assertThat(device.sent.get(0)).isEqualTo("READ\r\n");
        Await.until(() -> "the reply, got " + replies, WAIT, () -> !replies.isEmpty());
        assertThat(replies.get(0)).matches("\\{\"seq\":\\d+,\"ok\":true,\"error\":null}");

        bridge.deviceDown();
        int sent = device.sent.size();
        monitor.publish("site/gw1/meter1/cmd", "LATER\r\n".getBytes(StandardCharsets.UTF_8), 1, false)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        Thread.sleep(200);
        assertThat(device.sent).as("queued while the device is down").hasSize(sent);
        FakeLinks.Device back = new FakeLinks.Device();
        bridge.deviceConnected(back);
        Await.until(() -> "the queued command at the device", WAIT, () -> back.sent.contains("LATER\r\n"));
    }

    private static String text(byte[] payload) {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
