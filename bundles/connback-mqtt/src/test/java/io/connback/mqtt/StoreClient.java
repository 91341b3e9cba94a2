package io.connback.mqtt;

import io.connback.Connback;
import io.connback.ConnbackOptions;
import io.connback.link.mqtt.MqttLink;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A gateway in a child JVM, for {@link MqttStoreCrashTest}: an MQTT link with a durable queue that publishes numbered
 * QoS 1 messages ({@code 1}, {@code 2}...) about one a millisecond, and prints {@code P <n>} once the publish of
 * message n returned; then waits to be killed.
 *
 * <p>Arguments: the server URI, the client id, the store folder, {@code store.sync}, the topic, how many messages
 * (0: only send what the store holds).
 */
public final class StoreClient {

    private StoreClient() {}

    /**
     * Publishes, then waits forever.
     *
     * @param args server URI, client id, store folder, store.sync, topic, count
     * @throws InterruptedException never: the process is killed
     */
    public static void main(String[] args) throws InterruptedException {
        MqttConnector connector = MqttConnector.builder().apply(java.util.Map.of("serverUri", args[0],
                "clientId", args[1], "store", "disk", "store.dir", Path.of(args[2]).toString(), "store.sync", args[3],
                "offlineQueueSize", 1_000_000)).build();
        Connback<MqttLink> connback = Connback.create(connector, ConnbackOptions.builder()
                .keepalive(Duration.ofSeconds(30)).initialDelay(Duration.ofMillis(20))
                .maxDelay(Duration.ofMillis(200)).build());
        MqttLink link = connector.link(connback);
        PrintStream out = System.out;
        int count = Integer.parseInt(args[5]);
        for (int n = 1; n <= count; n++) {
            link.publish(args[4], Integer.toString(n).getBytes(StandardCharsets.UTF_8), 1, false);
            out.println("P " + n);
            out.flush();
            Thread.sleep(1);
        }
        new CountDownLatch(1).await();
    }
}
