package io.connback;

import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted {@link Connector}: each connect takes the next outcome from a script (or the default outcome), and every
 * call is recorded. Thread-safe.
 */
class FakeConnector implements Connector<FakeConnector.Client> {

    /** A client with a number, so tests can tell connections apart. */
    record Client(int id) {}

    /**
     * What one connect does: succeed at once, be refused, hang until cancelled, hang and ignore cancellation (a
     * connector whose client may still arrive late), or throw from connect itself.
     */
    enum Outcome { SUCCEED, REFUSE, HANG, HANG_IGNORING_CANCEL, THROW }

    /** One connect call: its token and the future the test may complete by hand (for HANG). */
    record Call(CancellationToken token, CompletableFuture<Client> future) {}

    private final AtomicInteger clients = new AtomicInteger();
    private final Map<Client, Connback<Client>> owners = new ConcurrentHashMap<>();
    private final Deque<Outcome> script = new ArrayDeque<>();
    private Outcome defaultOutcome;
    private final List<Call> connects = Collections.synchronizedList(new ArrayList<>());
    private final List<Client> closed = Collections.synchronizedList(new ArrayList<>());
    private final List<Boolean> closeForces = Collections.synchronizedList(new ArrayList<>());
    private final List<Client> pings = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> connectTimes = Collections.synchronizedList(new ArrayList<>());
    private volatile RuntimeException pingFailure;
    private volatile boolean peerAnswersPings;
    private volatile boolean nonBlocking;

    FakeConnector(Outcome defaultOutcome) {
        this.defaultOutcome = defaultOutcome;
    }

    synchronized FakeConnector then(Outcome... outcomes) {
        script.addAll(List.of(outcomes));
        return this;
    }

    synchronized void setDefault(Outcome outcome) {
        defaultOutcome = outcome;
    }

    /** The peer answers each ping at once: the ping feeds a heartbeat. */
    void answerPings() {
        peerAnswersPings = true;
    }

    /** Declares the connector {@linkplain Connector#isNonBlocking() non-blocking}, as the product's connectors are. */
    void declareNonBlocking() {
        nonBlocking = true;
    }

    @Override
    public boolean isNonBlocking() {
        return nonBlocking;
    }

    void failPings(RuntimeException failure) {
        pingFailure = failure;
    }

    @Override
    public CompletionStage<Client> connect(Connback<Client> connback, CancellationToken token) {
        Outcome outcome;
        synchronized (this) {
            outcome = script.isEmpty() ? defaultOutcome : script.poll();
        }
        CompletableFuture<Client> future = new CompletableFuture<>();
        connectTimes.add(connback.options().scheduler().nanoTime());
        connects.add(new Call(token, future));
        future.thenAccept(client -> owners.put(client, connback));
        switch (outcome) {
            case SUCCEED -> future.complete(newClient());
            case REFUSE -> future.completeExceptionally(new ConnectException("Connection refused"));
            case HANG -> token.onCancellationRequested(
                    () -> future.completeExceptionally(new ConnectException("cancelled")));
            case HANG_IGNORING_CANCEL -> { }
            case THROW -> throw new IllegalStateException("connector blew up");
        }
        return future;
    }

    Client newClient() {
        return new Client(clients.incrementAndGet());
    }

    @Override
    public void close(Client client, boolean force) {
        closed.add(client);
        closeForces.add(force);
    }

    @Override
    public void ping(Client client) {
        RuntimeException failure = pingFailure;
        if (failure != null) {
            throw failure;
        }
        pings.add(client);
        if (peerAnswersPings) {
            owners.get(client).feedHeartbeat();
        }
    }

    int connectCount() {
        return connects.size();
    }

    Call lastConnect() {
        synchronized (connects) {
            return connects.get(connects.size() - 1);
        }
    }

    List<Client> closed() {
        synchronized (closed) {
            return List.copyOf(closed);
        }
    }

    List<Boolean> closeForces() {
        synchronized (closeForces) {
            return List.copyOf(closeForces);
        }
    }

    /** The scheduler times of the connect calls, in nanoseconds. */
    List<Long> connectTimes() {
        synchronized (connectTimes) {
            return List.copyOf(connectTimes);
        }
    }

    int pingCount() {
        return pings.size();
    }
}
