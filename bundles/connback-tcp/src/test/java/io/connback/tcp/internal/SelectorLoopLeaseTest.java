package io.connback.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The lease that lets a stopping connector bundle wait for the selector thread: no code of the bundle may run once its
 * class loader is gone.
 */
class SelectorLoopLeaseTest {

    private static final long LONG_LINGER = TimeUnit.MINUTES.toNanos(1);

    @Test
    void theLastReleaseEndsTheThreadOnceItsChannelsAreClosedWithoutLingering() throws Exception {
        SelectorLoop loop = new SelectorLoop("lease-test-selector", LONG_LINGER);
        SelectorLoop.Lease first = loop.retain();
        SelectorLoop.Lease last = loop.retain();
        Pipe pipe = Pipe.open();
        Thread loopThread = register(loop, pipe, new AtomicReference<>());

        first.release(TimeUnit.SECONDS.toNanos(5));
        assertThat(loopThread.isAlive()).as("a lease is left").isTrue();

        CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS) // closes a while after the release began
                .execute(() -> loop.execute(() -> closeQuietly(pipe.source())));
        long start = System.nanoTime();
        last.release(TimeUnit.SECONDS.toNanos(5));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(loopThread.isAlive()).isFalse();
        assertThat(waitedMillis).as("waited for the close, not for the one-minute linger").isBetween(150L, 3_000L);
        pipe.sink().close();
    }

    @Test
    void channelsStillOpenAtTheTimeoutAreAbortedSoThatTheThreadEnds() throws Exception {
        SelectorLoop loop = new SelectorLoop("lease-test-selector", LONG_LINGER);
        SelectorLoop.Lease lease = loop.retain();
        Pipe pipe = Pipe.open();
        AtomicReference<IOException> aborted = new AtomicReference<>();
        Thread loopThread = register(loop, pipe, aborted);

        lease.release(TimeUnit.MILLISECONDS.toNanos(100));

        assertThat(loopThread.isAlive()).isFalse();
        assertThat(aborted.get()).hasMessage("the TCP connector stopped");
        pipe.sink().close();
    }

    @Test
    void aLoopUsedAgainAfterItsLastReleaseStartsAFreshThread() throws Exception {
        SelectorLoop loop = new SelectorLoop("lease-test-selector", LONG_LINGER);
        loop.retain().release(TimeUnit.SECONDS.toNanos(1)); // no thread yet: nothing to wait for
        SelectorLoop.Lease lease = loop.retain();
        Pipe pipe = Pipe.open();
        Thread loopThread = register(loop, pipe, new AtomicReference<>());
        loop.execute(() -> closeQuietly(pipe.source()));
        lease.release(TimeUnit.SECONDS.toNanos(5));
        assertThat(loopThread.isAlive()).isFalse();

        CompletableFuture<Thread> again = new CompletableFuture<>();
        loop.execute(() -> again.complete(Thread.currentThread()));
        assertThat(again.get(5, TimeUnit.SECONDS)).isNotSameAs(loopThread);
        pipe.sink().close();
    }

    /** Registers the pipe's source with the loop; the handler records an abort and closes the channel. */
    private static Thread register(SelectorLoop loop, Pipe pipe, AtomicReference<IOException> aborted)
            throws Exception {
        CompletableFuture<Thread> registered = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                pipe.source().configureBlocking(false);
                loop.register(pipe.source(), SelectionKey.OP_READ, new SelectorLoop.Handler() {
                    @Override
                    public void ready(SelectionKey key) {}

                    @Override
                    public void abort(IOException cause) {
                        aborted.set(cause);
                        closeQuietly(pipe.source());
                    }
                });
                registered.complete(Thread.currentThread());
            } catch (IOException e) {
                registered.completeExceptionally(e);
            }
        });
        return registered.get(5, TimeUnit.SECONDS);
    }

    private static void closeQuietly(Pipe.SourceChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
