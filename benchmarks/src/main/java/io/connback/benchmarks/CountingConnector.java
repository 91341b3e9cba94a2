package io.connback.benchmarks;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Connector;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/** Counts the pings that Connbacks send through a connector, to show what an idle link costs; delegates the rest. */
final class CountingConnector<T> implements Connector<T> {

    private final Connector<T> delegate;
    private final LongAdder pings = new LongAdder();

    CountingConnector(Connector<T> delegate) {
        this.delegate = delegate;
    }

    /**
     * The pings sent so far; a ping that failed is not counted.
     *
     * @return the count
     */
    long pingsSent() {
        return pings.sum();
    }

    @Override
    public CompletionStage<T> connect(Connback<T> connback, CancellationToken token) {
        return delegate.connect(connback, token);
    }

    @Override
    public void close(T client, boolean force) throws Exception {
        delegate.close(client, force);
    }

    @Override
    public void ping(T client) throws Exception {
        delegate.ping(client);
        pings.increment();
    }

    @Override
    public boolean isNonBlocking() {
        return delegate.isNonBlocking();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
