package io.connback.serial.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lease that lets a stopping serial bundle wait for its readers and its hot-plug watcher. */
class SharedSerialThreadsLeaseTest {

    @Test
    void theLastReleaseWaitsForTheThreadsToEnd() throws Exception {
        SharedSerialThreads.Lease first = SharedSerialThreads.retain();
        SharedSerialThreads.Lease last = SharedSerialThreads.retain();
        CountDownLatch stop = new CountDownLatch(1);
        Thread reader = SharedSerialThreads.start("connback-serial-reader-test", () -> awaitQuietly(stop));

        first.release(Duration.ofSeconds(5));
        assertThat(reader.isAlive()).as("a lease is left: no wait").isTrue();

        Thread closer = new Thread(() -> {
            sleepQuietly(200);
            stop.countDown();
        });
        closer.start();
        long start = System.nanoTime();
        last.release(Duration.ofSeconds(5));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(reader.isAlive()).isFalse();
        assertThat(waitedMillis).isBetween(150L, 4_000L);
        last.release(Duration.ofSeconds(5)); // a second release of the same lease changes nothing
    }

    @Test
    void theLastReleaseWaitsForAWriteStillRunningOnThePool() throws Exception {
        SharedSerialThreads.Lease lease = SharedSerialThreads.retain();
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        SharedSerialThreads.WRITER.execute(() -> {
            writing.countDown();
            awaitQuietly(stop);
        });
        writing.await();
        new Thread(() -> {
            sleepQuietly(200);
            stop.countDown();
        }).start();

        long start = System.nanoTime();
        lease.release(Duration.ofSeconds(5));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(waitedMillis).isBetween(150L, 4_000L);
        assertThat(SharedSerialThreads.WRITER.getActiveCount()).isZero();
    }

    @Test
    void aThreadThatDoesNotEndDelaysTheReleaseOnlyUntilTheTimeout() throws Exception {
        SharedSerialThreads.Lease lease = SharedSerialThreads.retain();
        CountDownLatch stop = new CountDownLatch(1);
        Thread stuck = SharedSerialThreads.start("connback-serial-reader-stuck", () -> awaitQuietly(stop));
        long start = System.nanoTime();
        lease.release(Duration.ofMillis(200));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(waitedMillis).isBetween(150L, 4_000L);
        assertThat(stuck.isAlive()).isTrue();
        stop.countDown();
        stuck.join(5_000);
        assertThat(stuck.isAlive()).isFalse();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
