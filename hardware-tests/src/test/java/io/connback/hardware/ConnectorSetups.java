package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnbackOptions;
import io.connback.backoff.Jitter;
import io.connback.link.Link;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Connector and Connback settings that several hardware-in-the-loop tests share. */
final class ConnectorSetups {

    /**
     * The link to a {@link ModbusLikeDevice}: frames of 7 bytes (the pong's length), the keepalive pings with the ping
     * frame, and only a pong (unit 1, function 3, 2 bytes) counts as a heartbeat.
     */
    static final Map<String, String> MODBUS_LINK = Map.of("framing", "fixed:7",
            "ping.frame", "hex:01 03 00 00 00 01 84 0A", "pong.match", "hex:01 03 02");

    /**
     * Every wait between attempts is 30 s, also the first one after an unplug (a connection counts as stable only
     * after an hour), without jitter and without keepalive: a device is back quickly only if the hot-plug watcher
     * cuts the wait short.
     */
    static final ConnbackOptions WAITING_LONG = ConnbackOptions.builder().initialDelay(Duration.ofSeconds(30))
            .maxDelay(Duration.ofSeconds(60)).jitter(Jitter.none()).stableAfter(Duration.ofHours(1))
            .keepalive(Duration.ZERO).build();

    private ConnectorSetups() {
    }

    /** Sends the ping through {@code link} and waits for the pong frame. */
    static void assertPingPong(RecordedConnback recorded, Link link) throws Exception {
        long sent = System.nanoTime();
        link.send(ByteBuffer.wrap(ModbusLikeDevice.ping())).toCompletableFuture().get(1, TimeUnit.SECONDS);
        assertThat(recorded.awaitFrame(link, sent, Duration.ofSeconds(1)).bytes())
                .as("the answer of %s", link.remote()).isEqualTo(ModbusLikeDevice.pong());
    }
}
