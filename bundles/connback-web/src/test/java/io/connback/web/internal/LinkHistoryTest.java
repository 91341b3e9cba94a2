package io.connback.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnectionState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LinkHistoryTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private final LinkHistory history = new LinkHistory(Clock.fixed(T, ZoneOffset.UTC));

    @Test
    void keepsTheLastThousandChangesOfALink() {
        for (int i = 0; i < LinkHistory.RING_CAPACITY + 50; i++) {
            history.record(Status.of("m1", i % 2 == 0 ? ConnectionState.CONNECTED : ConnectionState.RECONNECTING,
                    T.plusSeconds(i)));
        }
        assertThat(history.changes("m1")).hasSize(LinkHistory.RING_CAPACITY);
        assertThat(history.changes("m1").get(0).sequence()).isEqualTo(51);
        assertThat(history.changes("m1").get(0).at()).isEqualTo(T.plusSeconds(50));
        assertThat(history.changes("other")).isEmpty();
    }

    @Test
    void aRepeatedStatusIsNoChangeAndANewErrorIsOneWithItsMessage() {
        Status reconnecting = Status.of("m1", ConnectionState.RECONNECTING, T);
        assertThat(history.record(reconnecting)).isPresent();
        assertThat(history.record(reconnecting)).isEmpty();
        Instant failed = T.plusSeconds(2);
        LinkChange error = history.record(reconnecting.attempt(1, "Connection refused", failed)).orElseThrow();
        assertThat(error).isEqualTo(new LinkChange(2, failed, "m1", "RECONNECTING", 1, "Connection refused"));
        assertThat(history.record(reconnecting.attempt(1, "Connection refused", failed))).isEmpty();
    }

    @Test
    void anOutageLastsFromTheLostConnectionToTheNextOne() {
        history.record(Status.of("m1", ConnectionState.CONNECTING, T));
        history.record(Status.of("m1", ConnectionState.CONNECTED, T.plusSeconds(1)));
        assertThat(history.outages("m1").count()).as("the first connection ends no outage").isZero();
        history.record(Status.of("m1", ConnectionState.RECONNECTING, T.plusSeconds(10)));
        history.record(Status.of("m1", ConnectionState.CONNECTED, T.plusSeconds(13)));
        history.record(Status.of("m1", ConnectionState.RECONNECTING, T.plus(Duration.ofMillis(20_000))));
        history.record(Status.of("m1", ConnectionState.CONNECTED, T.plus(Duration.ofMillis(20_050))));
        OutageHistogram.Snapshot outages = history.outages("m1");
        assertThat(outages.count()).isEqualTo(2);
        assertThat(outages.sumSeconds()).isCloseTo(3.05, org.assertj.core.data.Offset.offset(1e-9));
        // buckets 0.1, 0.5, 1, 2, 5, ...: the 50 ms outage in all, the 3 s one from 5 s on
        assertThat(outages.cumulativeCounts()).startsWith(1, 1, 1, 1, 2, 2);
    }
}
