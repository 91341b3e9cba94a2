package io.connback.benchmarks;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Connector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Connects at once to nothing: the client is a tiny object holding its Connback, and a ping is answered on the spot
 * with a heartbeat. Isolates the cost of Connback itself from any I/O.
 */
final class InMemoryConnector implements Connector<InMemoryConnector.Client> {

    /** The client of one in-memory link; it answers pings. */
    record Client(Connback<?> connback) {}

    @Override
    public CompletionStage<Client> connect(Connback<Client> connback, CancellationToken token) {
        return CompletableFuture.completedFuture(new Client(connback));
    }

    @Override
    public void close(Client client, boolean force) {
        // nothing to release
    }

    @Override
    public void ping(Client client) {
        client.connback().feedHeartbeat();
    }

    @Override
    public String toString() {
        return "in-memory";
    }
}
