package io.connback;

import io.connback.backoff.DelaySequence;
import io.connback.internal.SerialExecutor;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Keeps one logical connection alive through a {@link Connector}: connects at once, detects a dead link with keepalive
 * heartbeats, reconnects with backoff and jitter, and reports what happens to its listeners.
 *
 * <h2>Threading</h2>
 * Every method may be called from any thread, including from inside a listener. The state machine is an actor: public
 * methods post a message, and the messages of one Connback are processed one at a time, in order, on the worker
 * threads of {@link ConnbackOptions#scheduler()}. Listeners are called from there, never concurrently for one
 * Connback and never while a lock is held. {@link #feedHeartbeat()} and {@link #reschedulePingTimer()} only write a
 * timestamp.
 *
 * <p>The connector is called on {@link ConnbackOptions#connectorExecutor()} (unless it {@linkplain
 * Connector#isNonBlocking() never blocks}), one call at a time per Connback, in the order the actor asked, never
 * while a lock is held; the actor never waits for a call to return. A connector whose
 * {@code connect}, {@code close} or {@code ping} blocks therefore holds up its own Connback's calls only: the connect
 * timeout still fails the attempt, the keepalive still closes a dead link, and {@link #end()} still ends at once (the
 * close runs when the connector returns; {@link #whenEnded()} waits for it for at most
 * {@value #CONNECTOR_WAIT_ON_END_MILLIS} ms). Closes and errors the connector feeds
 * ({@link #feedClose(Object, boolean)}, {@link #feedError(Object, Throwable)} and the unscoped forms) pass through the
 * same queue as its calls, so that the outcome of a {@code connect} reaches the actor before what the connector fed
 * during it.
 *
 * <h2>Life cycle</h2>
 * {@link ConnectionState#CONNECTING} (from creation) -&gt; {@link ConnectionState#CONNECTED} -&gt;
 * {@link ConnectionState#RECONNECTING} (after a loss or a failed attempt) -&gt; ... ;
 * {@link ConnectionState#OFFLINE} when the retries give up; {@link ConnectionState#ENDED} after {@link #end()}.
 * {@link #reconnect()} starts again from OFFLINE or ENDED.
 *
 * <h2>Backoff and flap damping</h2>
 * After a failure the next attempt waits for the strategy's next delay, jittered. The delays restart from the first
 * (and the first retry is immediate) only after a connection that lasted {@link ConnbackOptions#stableAfter()}: a
 * device that accepts and drops at once is retried with growing delays, never in a hot loop.
 *
 * <h2>Keepalive</h2>
 * With a keepalive {@code K > 0}, a connected link that saw no traffic for {@code K} (no heartbeat fed, nothing
 * sent, see {@link #reschedulePingTimer()}) is pinged through {@link Connector#ping(Object)}, as MQTT does; one that
 * only sends is pinged anyway after {@code 1.2 K} without heartbeat; one that fed no heartbeat for {@code 1.4 K} is
 * force-closed and reconnected. The check runs at the deadline itself, so a
 * silent peer is closed between {@code K} and {@code 1.5 K} after its last sign of life (the seed, Paho and HiveMQ
 * need up to {@code 2 K}), and a peer that answers pings has {@code 0.4 K} to answer.
 *
 * @param <T> the client type
 */
public final class Connback<T> implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Connback.class.getName());

    /** Commands (feeds, reconnect) waiting in the mailbox beyond which new ones are dropped and logged. */
    static final int MAX_QUEUED_COMMANDS = 1024;

    /** How long {@link #whenEnded()} waits for the connector's calls (its close) once ended. */
    static final long CONNECTOR_WAIT_ON_END_MILLIS = 1000;

    private final Connector<T> connector;
    private final ConnbackOptions options;
    private final ConnbackScheduler scheduler;
    private final SerialExecutor actor;
    /** The connector's calls and feeds, in order, one at a time, off the actor. */
    private final SerialExecutor connectorCalls;
    private final ReconnectBudget budget;
    private final List<ConnbackListener<? super T>> listeners = new CopyOnWriteArrayList<>();
    private final long keepaliveNanos;
    private final long deadAfterNanos;
    private final long forcedPingAfterNanos;
    private final long connectTimeoutNanos;
    private final long stableAfterNanos;

    // Written by the actor only; volatile so that the queries below read them from any thread.
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile boolean connecting = true;
    private volatile boolean waitingForBudget;
    private volatile T client;
    private volatile CompletableFuture<Void> ended = new CompletableFuture<>();

    // Written from any thread: the hot paths are a timestamp each.
    private volatile long lastHeartbeatNanos;
    private volatile long lastOutboundNanos;
    private final AtomicInteger pendingEnds = new AtomicInteger();
    private final AtomicInteger queuedCommands = new AtomicInteger();
    private volatile boolean overflowReported;

    // Owned by the actor: read and written only inside actor messages.
    private Attempt attempt;
    private RetryWait retryWait;
    private ConnbackScheduler.Cancellable keepaliveTimer;
    private Runnable keepaliveTick; // one per connection: its identity tells a live tick from a stale one
    private long attemptsSinceStable;
    private DelaySequence delays;
    private boolean offlineEmitted;
    private boolean endingInProgress;
    private long connectedAtNanos;
    private long lastPingNanos;

    private Connback(Connector<T> connector, ConnbackOptions options, ConnbackListener<? super T> listener) {
        this.connector = Objects.requireNonNull(connector, "connector");
        this.options = Objects.requireNonNull(options, "options");
        this.scheduler = options.scheduler();
        this.actor = new SerialExecutor(scheduler::execute);
        this.connectorCalls = new SerialExecutor(connector.isNonBlocking() ? Runnable::run
                : options.connectorExecutor());
        this.budget = options.reconnectBudget().orElse(null);
        this.keepaliveNanos = options.keepalive().toNanos();
        this.deadAfterNanos = keepaliveNanos + keepaliveNanos / 5 * 2;
        this.forcedPingAfterNanos = keepaliveNanos + keepaliveNanos / 5;
        this.connectTimeoutNanos = options.connectTimeout().toNanos();
        this.stableAfterNanos = options.stableAfter().toNanos();
        if (listener != null) {
            listeners.add(listener);
        }
        actor.execute(() -> scheduleAttempt(CancellationToken.NONE));
    }

    /**
     * Creates a Connback with default options and starts connecting at once.
     *
     * @param connector opens and closes the clients
     * @param <T> the client type
     * @return the Connback, already {@link #isConnecting() connecting}
     */
    public static <T> Connback<T> create(Connector<T> connector) {
        return new Connback<>(connector, ConnbackOptions.defaults(), null);
    }

    /**
     * Creates a Connback and starts connecting at once.
     *
     * @param connector opens and closes the clients
     * @param options keepalive, timeouts and backoff
     * @param <T> the client type
     * @return the Connback, already {@link #isConnecting() connecting}
     */
    public static <T> Connback<T> create(Connector<T> connector, ConnbackOptions options) {
        return new Connback<>(connector, options, null);
    }

    /**
     * Creates a Connback with a listener that sees every event from the first, and starts connecting at once.
     *
     * @param connector opens and closes the clients
     * @param options keepalive, timeouts and backoff
     * @param listener receives the events
     * @param <T> the client type
     * @return the Connback, already {@link #isConnecting() connecting}
     */
    public static <T> Connback<T> create(Connector<T> connector, ConnbackOptions options,
            ConnbackListener<? super T> listener) {
        return new Connback<>(connector, options, Objects.requireNonNull(listener, "listener"));
    }

    // ---------------------------------------------------------------- listeners

    /**
     * Registers a listener for the events that happen from now on.
     *
     * @param listener the listener
     * @return a subscription that removes it
     */
    public Subscription addListener(ConnbackListener<? super T> listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        AtomicBoolean removed = new AtomicBoolean();
        return () -> {
            if (removed.compareAndSet(false, true)) {
                listeners.remove(listener);
            }
        };
    }

    /**
     * Calls {@code l} with the client on each successful (re)connection.
     *
     * @param l the callback
     * @return a subscription that removes it
     */
    public Subscription onConnect(Consumer<? super T> l) {
        Objects.requireNonNull(l, "listener");
        return addListener(new ConnbackListener<T>() {
            @Override
            public void onConnect(T client) {
                l.accept(client);
            }
        });
    }

    /**
     * Calls {@code l} when a reconnection attempt starts.
     *
     * @param l the callback
     * @return a subscription that removes it
     */
    public Subscription onReconnect(Runnable l) {
        Objects.requireNonNull(l, "listener");
        return addListener(new ConnbackListener<T>() {
            @Override
            public void onReconnect() {
                l.run();
            }
        });
    }

    /**
     * Calls {@code l} when an established connection closes, with whether it closed because of an error.
     *
     * @param l the callback
     * @return a subscription that removes it
     */
    public Subscription onClose(Consumer<Boolean> l) {
        Objects.requireNonNull(l, "listener");
        return addListener(new ConnbackListener<T>() {
            @Override
            public void onClose(boolean hasError) {
                l.accept(hasError);
            }
        });
    }

    /**
     * Calls {@code l} when the link goes offline.
     *
     * @param l the callback
     * @return a subscription that removes it
     */
    public Subscription onOffline(Runnable l) {
        Objects.requireNonNull(l, "listener");
        return addListener(new ConnbackListener<T>() {
            @Override
            public void onOffline() {
                l.run();
            }
        });
    }

    /**
     * Calls {@code l} with each error.
     *
     * @param l the callback
     * @return a subscription that removes it
     */
    public Subscription onError(Consumer<Throwable> l) {
        Objects.requireNonNull(l, "listener");
        return addListener(new ConnbackListener<T>() {
            @Override
            public void onError(Throwable error) {
                l.accept(error);
            }
        });
    }

    /**
     * Calls {@code l} when {@link #end()} completes.
     *
     * @param l the callback
     * @return a subscription that removes it
     */
    public Subscription onEnd(Runnable l) {
        Objects.requireNonNull(l, "listener");
        return addListener(new ConnbackListener<T>() {
            @Override
            public void onEnd() {
                l.run();
            }
        });
    }

    // ---------------------------------------------------------------- commands

    /**
     * Connects again now: closes the current connection if any, or cuts short the backoff wait, or starts again after
     * {@link #end()} or after the retries gave up. Does nothing while an attempt is already in progress. Called while
     * an end is pending, it takes effect once the end completes.
     */
    public void reconnect() {
        reconnect(CancellationToken.NONE);
    }

    /**
     * Like {@link #reconnect()}, with a token that cancels the attempt it starts.
     *
     * @param token cancels the attempt; a cancelled attempt counts as failed
     */
    public void reconnect(CancellationToken token) {
        Objects.requireNonNull(token, "token");
        submitCommand(() -> doReconnect(token));
    }

    /**
     * Cuts a backoff wait short: if waiting between attempts, starts the next attempt now (a wait for the
     * {@linkplain ConnbackOptions#reconnectBudget() reconnect budget}'s token is not cut short); in any other state,
     * does nothing. Made for hot-plug watchers and network-change signals ("the device is back"), which may fire at any
     * time without knowing the link's state.
     */
    public void retryNow() {
        submitCommand(this::doRetryNow);
    }

    /**
     * Ends gracefully: same as {@code end(false)}.
     *
     * @return this Connback
     */
    public Connback<T> end() {
        return end(false);
    }

    /**
     * Stops for good (until {@link #reconnect()}): cancels any attempt or backoff wait, stops pinging, closes the
     * client through the connector, emits {@code close} (if connected) and then {@code end}, once. A client that
     * arrives after this call is closed through the connector and never reported. After this call returns, no event
     * but {@code close} and {@code end} of this ending is emitted. Calling it again does nothing.
     *
     * @param force passed to {@link Connector#close(Object, boolean)}
     * @return this Connback
     */
    public Connback<T> end(boolean force) {
        pendingEnds.incrementAndGet();
        actor.execute(() -> doEnd(force));
        return this;
    }

    /** Same as {@link #end()}. */
    @Override
    public void close() {
        end();
    }

    /**
     * A stage completed when the ending in progress (or the next one) completes: once ENDED, when the connector's
     * close has returned, or {@value #CONNECTOR_WAIT_ON_END_MILLIS} ms after, if it hangs. After {@link #reconnect()} restarts
     * an ended Connback, this returns a new stage.
     *
     * @return a stage completed once ended
     */
    public CompletionStage<Void> whenEnded() {
        return ended.copy();
    }

    /**
     * Tells Connback that data was just sent, so no ping is needed for another keepalive, unless nothing came back for
     * 1.2 keepalives: then the peer is pinged anyway, as only inbound heartbeats keep a link from timing out. Costs a
     * timestamp; call it after each write.
     */
    public void reschedulePingTimer() {
        lastOutboundNanos = scheduler.nanoTime();
    }

    /**
     * Reports an error of the connected client: emits {@code error}, then closes the connection (with
     * {@code hasError}) and reconnects, like {@link #feedClose(boolean) feedClose(true)}. A close fed for the same
     * failure right after is ignored, so the link reconnects exactly once.
     *
     * @param error what failed
     */
    public void feedError(Throwable error) {
        Objects.requireNonNull(error, "error");
        submitFeed(() -> doFeedError(error));
    }

    /**
     * Like {@link #feedError(Throwable)}, for one client: ignored unless {@code client} is the current client, so a
     * late report from a client that was already replaced cannot close its successor. Connectors that watch each
     * client (a read loop, a socket's close callback) should prefer this form.
     *
     * @param client the client that failed
     * @param error what failed
     */
    public void feedError(T client, Throwable error) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(error, "error");
        submitFeed(() -> {
            if (this.client == client) {
                doFeedError(error);
            }
        });
    }

    /**
     * Like {@link #feedClose(boolean)}, for one client: ignored unless {@code client} is the current client.
     *
     * @param client the client that closed
     * @param hasError whether it closed because of an error
     */
    public void feedClose(T client, boolean hasError) {
        Objects.requireNonNull(client, "client");
        submitFeed(() -> {
            if (this.client == client) {
                doFeedClose(hasError);
            }
        });
    }

    /** Reports that the connected client closed without error; same as {@code feedClose(false)}. */
    public void feedClose() {
        feedClose(false);
    }

    /**
     * Reports that the connected client closed: emits {@code close} and {@code offline} and reconnects. Ignored unless
     * connected (a close of a failed attempt or a repeated close changes nothing).
     *
     * @param hasError whether it closed because of an error
     */
    public void feedClose(boolean hasError) {
        submitFeed(() -> doFeedClose(hasError));
    }

    /** Reports a sign of life from the peer (any inbound data, a pong). Costs a timestamp; call it freely. */
    public void feedHeartbeat() {
        lastHeartbeatNanos = scheduler.nanoTime();
    }

    // ---------------------------------------------------------------- queries

    /**
     * The connected client.
     *
     * @return the client while connected, empty otherwise
     */
    public Optional<T> client() {
        return Optional.ofNullable(client);
    }

    /**
     * The options this Connback runs with.
     *
     * @return the options
     */
    public ConnbackOptions options() {
        return options;
    }

    /**
     * Where this Connback stands; {@link ConnectionState#ENDING} from the call to {@link #end()} until it completes.
     *
     * @return the state
     */
    public ConnectionState state() {
        ConnectionState current = state;
        return pendingEnds.get() > 0 && current != ConnectionState.ENDED ? ConnectionState.ENDING : current;
    }

    /**
     * Whether a connection attempt is in progress (or the first one is about to start).
     *
     * @return {@code true} while connecting
     */
    public boolean isConnecting() {
        return connecting;
    }

    /**
     * Whether connected.
     *
     * @return {@code true} while connected
     */
    public boolean isConnected() {
        return state == ConnectionState.CONNECTED;
    }

    /**
     * Whether the link was lost and is being re-established (waiting between attempts or running one).
     *
     * @return {@code true} while reconnecting
     */
    public boolean isReconnecting() {
        return state == ConnectionState.RECONNECTING;
    }

    /**
     * Whether {@link #end()} was called and has not completed.
     *
     * @return {@code true} while ending
     */
    public boolean isEnding() {
        return state() == ConnectionState.ENDING;
    }

    /**
     * Whether ended.
     *
     * @return {@code true} once ended, until a {@link #reconnect()}
     */
    public boolean isEnded() {
        return state == ConnectionState.ENDED;
    }

    /**
     * Whether the next attempt waits for a token of the {@link ConnbackOptions#reconnectBudget() reconnect budget}:
     * the backoff delay is over, but the Connbacks sharing the budget have used up its rate.
     *
     * @return {@code true} while waiting for a token
     */
    public boolean isWaitingForReconnectBudget() {
        return waitingForBudget;
    }

    @Override
    public String toString() {
        return "Connback[" + state() + (waitingForBudget ? " (waiting for the reconnect budget)" : "") + ", "
                + connector + "]";
    }

    // ---------------------------------------------------------------- the actor's messages

    private void submitCommand(Runnable command) {
        if (queuedCommands.incrementAndGet() > MAX_QUEUED_COMMANDS) {
            queuedCommands.decrementAndGet();
            if (!overflowReported) {
                overflowReported = true;
                LOG.log(Level.WARNING, () -> this + ": more than " + MAX_QUEUED_COMMANDS
                        + " commands wait; dropping commands until the backlog clears (a connector feeding in a loop?)");
            }
            return;
        }
        actor.execute(() -> {
            if (queuedCommands.decrementAndGet() == 0) {
                overflowReported = false;
            }
            command.run();
        });
    }

    /** Posts a feed of the connector to the actor behind the connector's calls asked so far (see the class doc). */
    private void submitFeed(Runnable feed) {
        connectorCalls.execute(() -> submitCommand(feed));
    }

    /**
     * A timer task that posts {@code message} to the actor, running it right on the timer's worker thread when the
     * actor is idle: one hand-off per timer instead of two, which matters with thousands of keepalive timers.
     */
    private Runnable fromTimer(Runnable message) {
        return () -> actor.executeHere(message);
    }

    private boolean endPending() {
        return pendingEnds.get() > 0;
    }

    /** Starts the next attempt now or after the backoff delay, or gives up when the attempts are used up. */
    private void scheduleAttempt(CancellationToken token) {
        if (endPending()) {
            return;
        }
        if (attemptsSinceStable >= options.maxAttempts()) {
            giveUp("maxNumOfAttempts (" + options.maxAttempts() + ") reached", null);
            return;
        }
        long delay = Math.max(0, nextDelayNanos());
        emit(Event.BACKOFF, new NextAttempt(attemptsSinceStable + 1, Duration.ofNanos(delay)));
        if (delay == 0) {
            beginAttempt(token);
            return;
        }
        RetryWait wait = new RetryWait(token, false);
        retryWait = wait;
        wait.timer = scheduler.schedule(fromTimer(() -> retryDue(wait)), delay);
    }

    private void retryDue(RetryWait due) {
        if (retryWait == due) {
            retryWait = null;
            if (due.forBudget) {
                waitingForBudget = false;
                startAttempt(due.token);
            } else {
                beginAttempt(due.token);
            }
        }
    }

    /** Starts an attempt once the reconnect budget, if any, has a token for it. */
    private void beginAttempt(CancellationToken token) {
        if (budget == null || endPending()) {
            startAttempt(token);
            return;
        }
        long wait = budget.reserve(scheduler.nanoTime());
        if (wait <= 0) {
            startAttempt(token);
            return;
        }
        LOG.log(Level.DEBUG, () -> this + ": waiting " + TimeUnit.NANOSECONDS.toMillis(wait)
                + " ms for a token of " + budget);
        waitingForBudget = true;
        RetryWait forToken = new RetryWait(token, true);
        retryWait = forToken;
        forToken.timer = scheduler.schedule(fromTimer(() -> retryDue(forToken)), wait);
    }

    private long nextDelayNanos() {
        if (attemptsSinceStable == 0 && !options.delayFirstAttempt()) {
            return 0;
        }
        if (delays == null) {
            delays = options.strategy().start(options.backoffParameters());
        }
        Duration delay = options.jitter().apply(delays.next(options.random()), options.random());
        return delay.toNanos();
    }

    private void startAttempt(CancellationToken token) {
        if (endPending()) {
            return;
        }
        if (state == ConnectionState.RECONNECTING) {
            emit(Event.RECONNECT, null);
        }
        attemptsSinceStable++;
        connecting = true;
        Attempt current = new Attempt();
        attempt = current;
        current.userCancellation = token.onCancellationRequested(() -> actor.execute(
                () -> abandonAttempt(current, new CancellationException("connection attempt cancelled"))));
        if (connectTimeoutNanos > 0) {
            current.timeout = scheduler.schedule(fromTimer(
                    () -> abandonAttempt(current, new ConnectTimeoutException(options.connectTimeout()))),
                    connectTimeoutNanos);
        }
        connectorCalls.execute(() -> connect(current));
    }

    /** Calls the connector for an attempt, on the connector's queue; skips an attempt abandoned meanwhile. */
    private void connect(Attempt current) {
        if (current.over) {
            return;
        }
        CompletionStage<T> stage;
        try {
            stage = connector.connect(this, current.source.token());
        } catch (RuntimeException | Error e) {
            actor.execute(() -> attemptCompleted(current, null, e));
            return;
        }
        if (stage == null) {
            actor.execute(() -> attemptCompleted(current, null,
                    new NullPointerException(connector + " returned no stage from connect")));
            return;
        }
        // a stage already complete posts its outcome here, before the feeds the connector made during connect
        stage.whenComplete((connected, error) -> actor.execute(() -> attemptCompleted(current, connected, error)));
    }

    private void abandonAttempt(Attempt abandoned, Throwable reason) {
        if (attempt != abandoned) {
            return;
        }
        abandoned.source.cancel();
        attemptFailed(abandoned, reason);
    }

    private void attemptCompleted(Attempt completed, T connected, Throwable error) {
        if (attempt != completed || endPending()) {
            // abandoned (timed out, cancelled, ended): a late client is closed and never reported
            if (connected != null) {
                closeClient(connected, true);
            }
            return;
        }
        if (error != null) {
            attemptFailed(completed, unwrap(error));
        } else if (connected == null) {
            attemptFailed(completed, new NullPointerException(connector + " connected with no client"));
        } else {
            attempt = null;
            completed.finish();
            onConnected(connected);
        }
    }

    private void attemptFailed(Attempt failed, Throwable error) {
        attempt = null;
        failed.finish();
        connecting = false;
        emit(Event.ERROR, error);
        goOffline();
        if (!options.retry().shouldRetry(error, attemptsSinceStable)) {
            giveUp("the retry predicate declined", error);
            return;
        }
        scheduleAttempt(CancellationToken.NONE);
    }

    private void giveUp(String reason, Throwable lastError) {
        connecting = false;
        state = ConnectionState.OFFLINE;
        emit(Event.ERROR, new RetriesExhaustedException(reason, attemptsSinceStable, lastError));
    }

    private void goOffline() {
        state = ConnectionState.RECONNECTING;
        if (!offlineEmitted) {
            offlineEmitted = true;
            emit(Event.OFFLINE, null);
        }
    }

    private void onConnected(T connected) {
        long now = scheduler.nanoTime();
        connectedAtNanos = now;
        lastHeartbeatNanos = now;
        lastOutboundNanos = now;
        lastPingNanos = now;
        client = connected;
        connecting = false;
        offlineEmitted = false;
        state = ConnectionState.CONNECTED;
        if (keepaliveNanos > 0) {
            Runnable[] tick = new Runnable[1];
            tick[0] = fromTimer(() -> keepaliveCheck(tick[0]));
            keepaliveTick = tick[0];
            scheduleKeepalive(keepaliveNanos);
        }
        emit(Event.CONNECT, connected);
    }

    /** The connected client is gone: close it, report it, and reconnect. */
    private void connectionLost(boolean hasError) {
        T lost = client;
        client = null;
        stopKeepalive();
        closeClient(lost, true);
        if (scheduler.nanoTime() - connectedAtNanos >= stableAfterNanos) {
            attemptsSinceStable = 0;
            delays = null;
        }
        state = ConnectionState.RECONNECTING;
        emit(Event.CLOSE, hasError);
        goOffline();
        scheduleAttempt(CancellationToken.NONE);
    }

    private void doFeedError(Throwable error) {
        if (endPending() || isEnded()) {
            return;
        }
        emit(Event.ERROR, error);
        if (state == ConnectionState.CONNECTED) {
            connectionLost(true);
        }
    }

    private void doFeedClose(boolean hasError) {
        if (endPending() || state != ConnectionState.CONNECTED) {
            return;
        }
        connectionLost(hasError);
    }

    private void doReconnect(CancellationToken token) {
        if (endPending() || attempt != null) {
            return;
        }
        switch (state) {
            case CONNECTED -> {
                T current = client;
                client = null;
                stopKeepalive();
                closeClient(current, false);
                state = ConnectionState.RECONNECTING;
                emit(Event.CLOSE, false);
                goOffline();
            }
            case ENDED -> {
                ended = new CompletableFuture<>();
                resetBackoff();
                offlineEmitted = false;
                state = ConnectionState.RECONNECTING;
            }
            case OFFLINE -> {
                resetBackoff();
                state = ConnectionState.RECONNECTING;
            }
            default -> cancelRetryWait();
        }
        beginAttempt(token);
    }

    private void doRetryNow() {
        RetryWait waiting = retryWait;
        if (waiting != null && !waiting.forBudget && !endPending()) {
            cancelRetryWait();
            beginAttempt(waiting.token);
        }
    }

    private void doEnd(boolean force) {
        try {
            if (state == ConnectionState.ENDED) {
                return;
            }
            endingInProgress = true;
            state = ConnectionState.ENDING;
            cancelRetryWait();
            stopKeepalive();
            Attempt inFlight = attempt;
            if (inFlight != null) {
                attempt = null;
                inFlight.finish();
                inFlight.source.cancel();
            }
            connecting = false;
            T current = client;
            client = null;
            if (current != null) {
                closeClient(current, force);
                emit(Event.CLOSE, false);
            }
            state = ConnectionState.ENDED;
            emit(Event.END, null);
            completeAfterConnectorCalls(ended);
        } finally {
            endingInProgress = false;
            pendingEnds.decrementAndGet();
        }
    }

    /**
     * Completes the ending's stage once the connector's calls asked so far (the close) have returned, or after
     * {@value #CONNECTOR_WAIT_ON_END_MILLIS} ms if they hang.
     */
    private void completeAfterConnectorCalls(CompletableFuture<Void> ending) {
        ConnbackScheduler.Cancellable deadline = scheduler.schedule(() -> {
            if (ending.complete(null)) {
                LOG.log(Level.WARNING, () -> this + ": the connector's calls have not returned "
                        + CONNECTOR_WAIT_ON_END_MILLIS + " ms after the end; ended without waiting for them");
            }
        }, TimeUnit.MILLISECONDS.toNanos(CONNECTOR_WAIT_ON_END_MILLIS));
        connectorCalls.execute(() -> {
            ending.complete(null);
            deadline.cancel();
        });
    }

    private void resetBackoff() {
        attemptsSinceStable = 0;
        delays = null;
    }

    private void cancelRetryWait() {
        if (retryWait != null) {
            retryWait.timer.cancel();
            retryWait = null;
            waitingForBudget = false;
        }
    }

    // ---------------------------------------------------------------- keepalive

    private void scheduleKeepalive(long delayNanos) {
        keepaliveTimer = scheduler.schedule(keepaliveTick, delayNanos);
    }

    private void stopKeepalive() {
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel();
            keepaliveTimer = null;
        }
        keepaliveTick = null;
    }

    private void keepaliveCheck(Runnable tick) {
        if (tick != keepaliveTick || endPending()) {
            return; // the tick of a connection that is gone
        }
        long now = scheduler.nanoTime();
        long heartbeat = lastHeartbeatNanos;
        long silence = now - heartbeat;
        if (silence >= deadAfterNanos) {
            keepaliveTimer = null;
            emit(Event.ERROR, new KeepaliveTimeoutException(Duration.ofNanos(silence), options.keepalive()));
            connectionLost(true);
            return;
        }
        // Traffic either way defers the ping; but when only data goes out and nothing comes back, the peer is pinged
        // anyway at 1.2 K of silence, so that it has 0.2 K to answer before the 1.4 K deadline.
        boolean pingedSinceHeartbeat = lastPingNanos - heartbeat > 0;
        long pingDue = Math.max(heartbeat, lastOutboundNanos) + keepaliveNanos;
        if (!pingedSinceHeartbeat) {
            pingDue = Math.min(pingDue, heartbeat + forcedPingAfterNanos);
        }
        if (now - pingDue >= 0) {
            lastOutboundNanos = now;
            lastPingNanos = now;
            ping(client);
            pingDue = now + keepaliveNanos;
        }
        // wake at the next ping due or at the dead-link deadline, whichever comes first
        long nextPing = pingDue - now;
        long deadline = heartbeat + deadAfterNanos - now;
        scheduleKeepalive(Math.max(1, Math.min(nextPing, deadline)));
    }

    // ---------------------------------------------------------------- foreign calls

    /** Asks the connector to close a client, on the connector's queue; the actor goes on at once. */
    private void closeClient(T closing, boolean force) {
        if (closing == null) {
            return;
        }
        connectorCalls.execute(() -> {
            try {
                connector.close(closing, force);
            } catch (Exception | Error e) {
                LOG.log(Level.WARNING, () -> this + ": closing " + closing + " failed", e);
            }
        });
    }

    /** Asks the connector to ping, on the connector's queue; a ping that throws loses the connection it pinged. */
    private void ping(T pinged) {
        connectorCalls.execute(() -> {
            try {
                connector.ping(pinged);
            } catch (Exception | Error e) {
                actor.execute(() -> {
                    if (client == pinged && !endPending()) {
                        emit(Event.ERROR, e);
                        connectionLost(true);
                    }
                });
            }
        });
    }

    private void emit(Event event, Object argument) {
        if (endPending() && !endingInProgress) {
            return; // after end() was called, only the ending's own close and end are emitted
        }
        LOG.log(Level.DEBUG, () -> this + ": " + event.name().toLowerCase(Locale.ROOT)
                + (argument == null ? "" : " " + argument));
        for (ConnbackListener<? super T> listener : listeners) {
            try {
                event.deliver(listener, argument);
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, () -> this + ": listener " + listener + " failed on "
                        + event.name().toLowerCase(Locale.ROOT), e);
            }
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    // ---------------------------------------------------------------- helpers

    /** One connection attempt; identity tells a current attempt from an abandoned one. */
    private static final class Attempt {
        final CancellationTokenSource source = new CancellationTokenSource();
        ConnbackScheduler.Cancellable timeout;
        Subscription userCancellation;
        /** Set by the actor once the attempt succeeded, failed or was abandoned; read on the connector's queue. */
        volatile boolean over;

        /** The attempt is over: its timer and its hook on the caller's token go. */
        void finish() {
            over = true;
            if (timeout != null) {
                timeout.cancel();
                timeout = null;
            }
            userCancellation.close();
        }
    }

    /** A backoff wait before the next attempt; identity tells the current wait from a cancelled one. */
    private static final class RetryWait {
        final CancellationToken token;
        /** Waiting for a token of the reconnect budget, after the backoff delay. */
        final boolean forBudget;
        ConnbackScheduler.Cancellable timer;

        RetryWait(CancellationToken token, boolean forBudget) {
            this.token = token;
            this.forBudget = forBudget;
        }
    }

    /** The argument of a backoff event. */
    private record NextAttempt(long number, Duration delay) {}

    private enum Event {
        CONNECT, RECONNECT, CLOSE, OFFLINE, ERROR, BACKOFF, END;

        @SuppressWarnings("unchecked")
        <T> void deliver(ConnbackListener<? super T> listener, Object argument) {
            switch (this) {
                case CONNECT -> listener.onConnect((T) argument);
                case RECONNECT -> listener.onReconnect();
                case CLOSE -> listener.onClose((Boolean) argument);
                case OFFLINE -> listener.onOffline();
                case ERROR -> listener.onError((Throwable) argument);
                case BACKOFF -> {
                    NextAttempt next = (NextAttempt) argument;
                    listener.onBackoff(next.number(), next.delay());
                }
                case END -> listener.onEnd();
            }
        }
    }
}
