package io.connback.benchmarks;

import io.connback.Connback;
import io.connback.ConnbackOptions;
import io.connback.ConnbackScheduler;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The calls a connector makes for every frame it reads or writes, on one connected Connback (keepalive 60 s). With
 * several benchmark threads they all hit the same Connback, as a reader and a writer thread of one link would.
 *
 * <p>{@link #timerCancelAndReschedule} is the reference for what the hot paths avoid: cancelling and re-arming a
 * keepalive timer on every call, on the same kind of scheduler as Connback's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class HotPathBenchmark {

    private static final Duration KEEPALIVE = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private Connback<InMemoryConnector.Client> connback;
    private ScheduledThreadPoolExecutor timerThread;
    private ConnbackScheduler timers;

    /**
     * Connects the Connback under test and starts the scheduler of the reference benchmark.
     *
     * @throws InterruptedException if interrupted while waiting for the connection
     */
    @Setup(Level.Trial)
    public void connect() throws InterruptedException {
        connback = Connback.create(new InMemoryConnector(), ConnbackOptions.builder().keepalive(KEEPALIVE).build());
        Poll.until(connback::isConnected, CONNECT_TIMEOUT, "the in-memory Connback to connect");
        timerThread = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "connback-bench-timer");
            thread.setDaemon(true);
            return thread;
        });
        timerThread.setRemoveOnCancelPolicy(true); // as the shared scheduler does
        timers = ConnbackScheduler.of(timerThread);
    }

    /** Ends the Connback and stops the reference scheduler. */
    @TearDown(Level.Trial)
    public void end() {
        connback.end();
        timerThread.shutdownNow();
    }

    /**
     * The keepalive timer of one benchmark thread in {@link #timerCancelAndReschedule}.
     */
    @State(Scope.Thread)
    public static class ArmedTimer {
        ConnbackScheduler.Cancellable timer = () -> { };
    }

    /**
     * The clock read that both hot paths contain.
     *
     * @return the time, so that the call is not eliminated
     */
    @Benchmark
    public long baselineNanoTime() {
        return System.nanoTime();
    }

    /** A connector read a frame. */
    @Benchmark
    public void feedHeartbeat() {
        connback.feedHeartbeat();
    }

    /** A connector wrote a frame. */
    @Benchmark
    public void reschedulePingTimer() {
        connback.reschedulePingTimer();
    }

    /**
     * Reference only: what a heartbeat would cost if it re-armed a timer instead of moving a deadline.
     *
     * @param armed this thread's pending timer
     */
    @Benchmark
    public void timerCancelAndReschedule(ArmedTimer armed) {
        armed.timer.cancel();
        armed.timer = timers.schedule(HotPathBenchmark::keepaliveDue, KEEPALIVE.toNanos());
    }

    private static void keepaliveDue() {
        throw new AssertionError("the reference timer is always cancelled before it is due");
    }
}
