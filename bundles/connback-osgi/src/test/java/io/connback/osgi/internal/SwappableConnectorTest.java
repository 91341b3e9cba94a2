package io.connback.osgi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Connector;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SwappableConnectorTest {

    /** A connector whose attempts complete when the test says so; records what it closed. */
    private static final class ManualConnector implements Connector<Object> {
        final List<CompletableFuture<Object>> attempts = new CopyOnWriteArrayList<>();
        final List<Object> closed = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Object> connect(Connback<Object> connback, CancellationToken token) {
            CompletableFuture<Object> attempt = new CompletableFuture<>();
            attempts.add(attempt);
            return attempt;
        }

        @Override
        public void close(Object client, boolean force) {
            closed.add(client);
        }
    }

    private final SwappableConnector swappable = new SwappableConnector("tcp");

    @Test
    void withoutAConnectorAttemptsFailAtOnceNamingTheMissingConnector() {
        CompletableFuture<Object> attempt = swappable.connect(null, CancellationToken.NONE).toCompletableFuture();

        assertThat(attempt).isCompletedExceptionally();
        assertThat(attempt.handle((client, error) -> error.getMessage()).join())
                .isEqualTo("connector io.connback.tcp unavailable");
    }

    @Test
    void aLeavingConnectorClosesItsClientsAndTheNextAttemptsGoToTheNewOne() throws Exception {
        ManualConnector old = new ManualConnector();
        ManualConnector next = new ManualConnector();
        swappable.attach(old);
        CompletableFuture<Object> first = swappable.connect(null, CancellationToken.NONE).toCompletableFuture();
        Object client = new Object();
        old.attempts.get(0).complete(client);
        assertThat(first.get(1, TimeUnit.SECONDS)).isSameAs(client);

        assertThat(swappable.detach(old)).containsExactly(client);
        assertThat(old.closed).containsExactly(client);
        swappable.close(client, false); // the Connback closes it too, later: already done
        assertThat(old.closed).containsExactly(client);

        swappable.attach(next);
        swappable.connect(null, CancellationToken.NONE);
        assertThat(next.attempts).hasSize(1);
        assertThat(old.attempts).hasSize(1);
    }

    @Test
    void aClientArrivingAfterItsConnectorLeftIsClosedThroughItAndTheAttemptFails() {
        ManualConnector old = new ManualConnector();
        swappable.attach(old);
        CompletableFuture<Object> attempt = swappable.connect(null, CancellationToken.NONE).toCompletableFuture();
        swappable.detach(old);
        Object late = new Object();

        old.attempts.get(0).complete(late);

        assertThat(attempt).isCompletedExceptionally();
        assertThat(old.closed).containsExactly(late);
    }

    @Test
    void eachClientIsClosedByTheConnectorThatMadeIt() throws Exception {
        ManualConnector old = new ManualConnector();
        ManualConnector next = new ManualConnector();
        swappable.attach(old);
        CompletableFuture<Object> first = swappable.connect(null, CancellationToken.NONE).toCompletableFuture();
        Object oldClient = new Object();
        old.attempts.get(0).complete(oldClient);
        swappable.attach(next); // a newer service of the same link, while the old one still runs
        CompletableFuture<Object> second = swappable.connect(null, CancellationToken.NONE).toCompletableFuture();
        Object nextClient = new Object();
        next.attempts.get(0).complete(nextClient);

        swappable.close(oldClient, false);
        swappable.close(nextClient, false);

        assertThat(first.get(1, TimeUnit.SECONDS)).isSameAs(oldClient);
        assertThat(second.get(1, TimeUnit.SECONDS)).isSameAs(nextClient);
        assertThat(old.closed).containsExactly(oldClient);
        assertThat(next.closed).containsExactly(nextClient);
    }
}
