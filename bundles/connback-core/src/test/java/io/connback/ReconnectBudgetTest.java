package io.connback;

import static io.connback.FakeConnector.Outcome.REFUSE;
import static io.connback.FakeConnector.Outcome.SUCCEED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connback.FakeConnector.Client;
import io.connback.backoff.Jitter;
import io.connback.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A shared token bucket caps the connection attempts of the Connbacks that use it; in virtual time. */
class ReconnectBudgetTest {

    private final VirtualScheduler clock = new VirtualScheduler();

    private ConnbackOptions.Builder options(ReconnectBudget budget) {
        return ConnbackOptions.builder().scheduler(clock).random(new SplittableRandom(7)).jitter(Jitter.none())
                .keepalive(Duration.ZERO).initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofMillis(200))
                .reconnectBudget(budget);
    }

    @Test
    void a_lifted_budget_lets_every_attempt_through_and_an_update_puts_it_back_in_force() {
        ReconnectBudget budget = ReconnectBudget.of(10, 5);
        budget.lift();
        FakeConnector connector = new FakeConnector(SUCCEED);
        for (int i = 0; i < 20; i++) {
            Connback.create(connector, options(budget).build());
        }
        clock.runReady();
        assertThat(connector.connectCount()).as("all at once, lifted").isEqualTo(20);

        budget.update(1, 2);
        assertThat(budget.isLifted()).isFalse();
        for (int i = 0; i < 5; i++) {
            Connback.create(connector, options(budget).build());
        }
        clock.runReady();
        assertThat(connector.connectCount()).as("the new burst").isEqualTo(22);
        clock.advance(Duration.ofMillis(1_000));
        assertThat(connector.connectCount()).as("then the new rate").isEqualTo(23);
        assertThat(budget).hasToString("ReconnectBudget[1.0 attempts/s, burst 2]");
    }

    @Test
    void a_burst_goes_at_once_and_the_rest_at_the_rate_across_the_connbacks_that_share_it() {
        ReconnectBudget budget = ReconnectBudget.of(10, 5);
        FakeConnector connector = new FakeConnector(SUCCEED);
        List<Connback<Client>> links = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            links.add(Connback.create(connector, options(budget).build()));
        }
        clock.runReady();
        assertThat(connector.connectCount()).as("the burst").isEqualTo(5);

        clock.advance(Duration.ofMillis(999));
        assertThat(connector.connectCount()).as("the burst and 9 at 10/s").isEqualTo(14);
        clock.advance(Duration.ofSeconds(2));
        assertThat(connector.connectCount()).isEqualTo(25);
        assertThat(links).allMatch(Connback::isConnected);
        List<Long> times = connector.connectTimes();
        for (int i = 5; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).as("gap before attempt %d", i)
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    @Test
    void a_link_waiting_for_a_token_is_reconnecting_and_says_so() {
        ReconnectBudget budget = ReconnectBudget.of(1, 1);
        FakeConnector connector = new FakeConnector(REFUSE);
        Connback<Client> first = Connback.create(connector, options(budget).build());
        Connback<Client> second = Connback.create(connector, options(budget).build());
        clock.runReady();
        assertThat(connector.connectCount()).isEqualTo(1);
        assertThat(second.state()).as("waiting for its first token").isEqualTo(ConnectionState.CONNECTING);
        assertThat(second.isWaitingForReconnectBudget()).isTrue();

        clock.advance(Duration.ofMillis(200)); // the first one's backoff is over: its retry waits for a token too
        assertThat(first.state()).isEqualTo(ConnectionState.RECONNECTING);
        assertThat(first.isWaitingForReconnectBudget()).isTrue();
        assertThat(first.toString()).contains("RECONNECTING (waiting for the reconnect budget)");

        clock.advance(Duration.ofMillis(800));
        assertThat(connector.connectCount()).as("one attempt per second").isEqualTo(2);
        first.end();
        second.end();
        clock.runReady();
    }

    @Test
    void end_ends_at_once_while_waiting_for_a_token_and_no_attempt_follows() {
        ReconnectBudget budget = ReconnectBudget.of(0.1, 1);
        FakeConnector connector = new FakeConnector(SUCCEED);
        Connback<Client> first = Connback.create(connector, options(budget).build());
        Connback<Client> waiting = Connback.create(connector, options(budget).build());
        clock.runReady();
        assertThat(waiting.isWaitingForReconnectBudget()).isTrue();

        waiting.end();
        clock.runReady();
        assertThat(waiting.state()).isEqualTo(ConnectionState.ENDED);
        assertThat(waiting.isWaitingForReconnectBudget()).isFalse();
        assertThat(waiting.whenEnded().toCompletableFuture()).isDone();
        clock.advance(Duration.ofSeconds(60));
        assertThat(connector.connectCount()).isEqualTo(1);
        assertThat(first.isConnected()).isTrue();
        first.end();
        clock.runReady();
    }

    @Test
    void retry_now_cuts_the_backoff_short_but_not_the_wait_for_a_token() {
        ReconnectBudget budget = ReconnectBudget.of(1, 1);
        FakeConnector connector = new FakeConnector(SUCCEED);
        Connback<Client> first = Connback.create(connector, options(budget).build());
        Connback<Client> waiting = Connback.create(connector, options(budget).build());
        clock.runReady();

        waiting.retryNow();
        clock.runReady();
        assertThat(connector.connectCount()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(waiting.isConnected()).isTrue();
        first.end();
        waiting.end();
        clock.runReady();
    }

    @Test
    void without_a_budget_nothing_waits() {
        FakeConnector connector = new FakeConnector(SUCCEED);
        for (int i = 0; i < 100; i++) {
            Connback.create(connector, options(null).build());
        }
        clock.runReady();
        assertThat(connector.connectCount()).isEqualTo(100);
    }

    @Test
    void bad_rates_and_bursts_are_refused_naming_the_value() {
        assertThatThrownBy(() -> ReconnectBudget.of(0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rate 0.0");
        assertThatThrownBy(() -> ReconnectBudget.of(Double.NaN, 1)).hasMessageContaining("rate NaN");
        assertThatThrownBy(() -> ReconnectBudget.of(5, 0)).hasMessageContaining("burst 0");
        assertThat(ReconnectBudget.of(100, 50)).hasToString("ReconnectBudget[100.0 attempts/s, burst 50]");
    }
}
