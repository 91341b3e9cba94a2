package io.connback.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnectionState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void upWhenEveryRequiredLinkIsConnectedWhateverTheOthersDo() {
        Health health = Health.of(List.of(Status.of("a", ConnectionState.CONNECTED, T).required(true),
                Status.of("b", ConnectionState.RECONNECTING, T), Status.refused("c", "bad")));
        assertThat(health.httpStatus()).isEqualTo(200);
        assertThat(health.toJson()).isEqualTo("{\"status\":\"UP\",\"required\":[\"a\"],\"failing\":[]}");
    }

    @Test
    void upWithoutRequiredLinks() {
        assertThat(Health.of(List.of()).httpStatus()).isEqualTo(200);
    }

    @Test
    void downNamingEachRequiredLinkThatIsNotConnectedOrRefused() {
        Health health = Health.of(List.of(Status.of("a", ConnectionState.CONNECTED, T).required(true),
                Status.of("b", ConnectionState.RECONNECTING, T).required(true).attempt(2, "refused", T),
                Status.refused("c", "bad").required(true)));
        assertThat(health.httpStatus()).isEqualTo(503);
        assertThat(health.toJson()).isEqualTo("{\"status\":\"DOWN\",\"required\":[\"a\",\"b\",\"c\"],\"failing\":["
                + "{\"name\":\"b\",\"state\":\"RECONNECTING\",\"lastError\":\"refused\"},"
                + "{\"name\":\"c\",\"state\":\"REFUSED\",\"lastError\":null}]}");
    }
}
