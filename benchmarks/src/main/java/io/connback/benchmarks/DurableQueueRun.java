package io.connback.benchmarks;

import static io.connback.benchmarks.Report.note;
import static io.connback.benchmarks.Report.result;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.link.mqtt.MqttLink;
import io.connback.mqtt.MqttConnector;
import io.connback.testing.LoopbackPorts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The durable queue run: the MQTT connector's queue in memory and on disk ({@code store = disk}, with
 * {@code store.sync = interval:100} and {@code always}), side by side in one run, with 100-byte QoS 1 messages.
 *
 * <ul>
 *   <li><b>fsync</b>: what the disk allows, measured first: 128-byte appends to a file in the store's folder, each
 *       followed by {@code FileChannel.force(false)} (fdatasync), for 2 s.
 *   <li><b>broker down</b>: one thread publishes N messages (100,000 by default) while the broker is away (nothing
 *       listens on its port). The clock stops when every publish returned and, on disk, when the store's segment files
 *       hold every record (as the file system reports their size: written, and with {@code always} forced batch by
 *       batch as written).
 *   <li><b>replay</b>: a new session of the store's folder (a restart) reads the N messages back:
 *       {@code MqttConnector.link(connback)} returns once they are queued again. Then Mosquitto is started with a
 *       subscriber, and a third session on the folder sends them: the time until the subscriber has all N.
 *   <li><b>broker up</b>: N messages published to a connected Mosquitto (a process of its own); the clock stops
 *       when the broker has acknowledged every one (all the stages completed).
 * </ul>
 *
 * <p>Beside them, H2's MVStore doing the same work (see {@link #mvStore(int, boolean)}). A warm-up of 20,000 messages
 * on a throwaway queue of each kind runs first. The store's folders are under the temporary folder
 * ({@code java.io.tmpdir}), whose file system the run prints.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.connback.benchmarks.DurableQueueRun [--messages N] [--size B]}
 */
public final class DurableQueueRun {

    private static final String TOPIC = "bench/durable";
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int WARMUP = 20_000;
    /** A stored message's record: length, CRC, type, sequence, flags, topic length, topic, payload. */
    private static final int RECORD_OVERHEAD = 4 + 4 + 1 + 8 + 1 + 2;

    /** The queues compared. */
    private enum Queue {
        MEMORY("memory", null),
        INTERVAL("disk interval:100", "interval:100"),
        ALWAYS("disk always", "always");

        final String label;
        final String sync;

        Queue(String label, String sync) {
            this.label = label;
            this.sync = sync;
        }
    }

    private final int messages;
    private final byte[] payload;
    private final Path root;
    private final int port = LoopbackPorts.belowEphemeralRange();
    private final List<Connback<MqttLink>> connbacks = new ArrayList<>();

    private DurableQueueRun(int messages, int size, Path root) {
        this.messages = messages;
        this.payload = new byte[size];
        this.root = root;
    }

    /**
     * Runs every part.
     *
     * @param args {@code --messages N} (100000), {@code --size B} (100)
     * @throws Exception if a part fails or does not finish in time
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args, List.of("--messages", "--size"));
        Path root = Files.createTempDirectory("connback-durable-");
        try {
            new DurableQueueRun(options.positive("--messages", 100_000), options.positive("--size", 100), root).run();
        } finally {
            delete(root);
        }
        System.exit(0); // the Connbacks' shared threads are daemons; Paho's closing threads may linger a moment
    }

    private void run() throws Exception {
        note("%d messages of %d bytes at QoS 1 per part; store folders in %s (file system %s)", messages,
                payload.length, root, Files.getFileStore(root).type());
        double fsyncs = fsyncsPerSecond();
        result("fsync", "%.0f fsyncs/s (128-byte append + fdatasync, one thread, 2 s)", fsyncs);
        for (Queue queue : Queue.values()) {
            warmUp(queue);
            endAll();
        }
        mvStore(WARMUP, false);
        mvStore(messages, true);
        try (MosquittoProcess broker = new MosquittoProcess(port, Files.createDirectories(root.resolve("broker")))) {
            for (Queue queue : Queue.values()) {
                brokerDown(queue, broker);
                endAll();
            }
            broker.start();
            for (Queue queue : Queue.values()) {
                brokerUp(queue);
                endAll();
            }
        }
    }

    /** Ends the Connbacks of a part, so that none retries in the next. */
    private void endAll() throws Exception {
        for (Connback<MqttLink> connback : connbacks) {
            connback.end(true).whenEnded().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        connbacks.clear();
    }

    private double fsyncsPerSecond() throws IOException {
        Path file = root.resolve("fsync-probe");
        ByteBuffer record = ByteBuffer.allocateDirect(128);
        long count = 0;
        long started = System.nanoTime();
        long end = started + TimeUnit.SECONDS.toNanos(2);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            while (System.nanoTime() < end) {
                record.clear();
                channel.write(record);
                channel.force(false);
                count++;
            }
        }
        Files.delete(file);
        return count / ((System.nanoTime() - started) / 1e9);
    }

    /**
     * The same work on H2's MVStore, the embedded store the issue proposed: a map from sequence number to the message
     * record. Written with MVStore's own background commit (its {@code autoCommitDelay} set to 100 ms, the
     * {@code interval:100} analog), then removed (the acknowledgements), then read back; and, as
     * {@code always} without grouping, a commit and a sync of the file per message for 2 s.
     *
     * @param count how many messages
     * @param report {@code false} for the warm-up
     */
    private void mvStore(int count, boolean report) throws IOException {
        byte[] record = new byte[RECORD_OVERHEAD + TOPIC.length() + payload.length];
        Path file = root.resolve("mvstore.db");
        long started = System.nanoTime();
        try (MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitBufferSize(1024)
                .open()) {
            store.setAutoCommitDelay(100);
            MVMap<Long, byte[]> queue = store.openMap("queue");
            for (long i = 0; i < count; i++) {
                queue.put(i, record);
            }
            store.commit();
        }
        long written = System.nanoTime() - started;
        long bytesWritten = Files.size(file);

        started = System.nanoTime();
        int read = 0;
        try (MVStore store = new MVStore.Builder().fileName(file.toString()).open()) {
            store.setAutoCommitDelay(100);
            MVMap<Long, byte[]> queue = store.openMap("queue");
            for (byte[] value : queue.values()) {
                read += value.length > 0 ? 1 : 0;
            }
            long opened = System.nanoTime() - started;
            report(report, "mvstore replay", "MVStore: %d stored messages read back in %d ms", read,
                    TimeUnit.NANOSECONDS.toMillis(opened));
            long removing = System.nanoTime();
            for (long i = 0; i < count; i++) {
                queue.remove(i);
            }
            store.commit();
            long removed = System.nanoTime() - removing;
            report(report, "mvstore acks", "MVStore: %d removed in %d ms (%.0f/s)", count,
                    TimeUnit.NANOSECONDS.toMillis(removed), count / (removed / 1e9));
        }
        report(report, "mvstore down", "MVStore, autoCommitDelay 100 ms: %.0f messages/s (%d ms for %d), file %d "
                + "bytes, %d bytes once all were removed", count / (written / 1e9),
                TimeUnit.NANOSECONDS.toMillis(written), count, bytesWritten, Files.size(file));
        Files.delete(file);

        long synced = 0;
        started = System.nanoTime();
        try (MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open()) {
            MVMap<Long, byte[]> queue = store.openMap("queue");
            long end = started + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < end) {
                queue.put(synced++, record);
                store.commit();
                store.sync();
            }
        }
        report(report, "mvstore always", "MVStore, commit and sync per message: %.0f messages/s (2 s)",
                synced / ((System.nanoTime() - started) / 1e9));
        Files.delete(file);
    }

    private static void report(boolean report, String metric, String format, Object... args) {
        if (report) {
            result(metric, format, args);
        }
    }

    private MqttConnector connector(Queue queue, Optional<Path> store) {
        MqttConnector.Builder builder = MqttConnector.builder().serverUri("tcp://127.0.0.1:" + port)
                .offlineQueueSize(Math.max(messages, WARMUP));
        store.ifPresent(dir -> builder.apply(java.util.Map.of("store", "disk", "store.dir", dir.toString(),
                "store.sync", queue.sync)));
        return builder.build();
    }

    private Connback<MqttLink> start(MqttConnector connector, ConnbackListener<MqttLink> listener) {
        Connback<MqttLink> connback = Connback.create(connector, ConnbackOptions.builder()
                .keepalive(Duration.ofSeconds(30)).initialDelay(Duration.ofMillis(50)).maxDelay(Duration.ofMillis(500))
                // the first attempt waits: a store is opened by link(connback), on the run's thread, as timed
                .delayFirstAttempt(true).build(), listener);
        connbacks.add(connback);
        return connback;
    }

    private Optional<Path> folder(Queue queue, String part) throws IOException {
        return queue == Queue.MEMORY ? Optional.empty()
                : Optional.of(Files.createDirectories(root.resolve(queue.name().toLowerCase() + "-" + part)));
    }

    private void warmUp(Queue queue) throws Exception {
        MqttConnector connector = connector(queue, folder(queue, "warmup"));
        MqttLink link = connector.link(start(connector, new ConnbackListener<>() { }));
        for (int i = 0; i < WARMUP; i++) {
            link.publish(TOPIC, payload, 1, false);
        }
        connector.close();
    }

    private void brokerDown(Queue queue, MosquittoProcess broker) throws Exception {
        Optional<Path> store = folder(queue, "down");
        MqttConnector connector = connector(queue, store);
        MqttLink link = connector.link(start(connector, new ConnbackListener<>() { }));
        long expectedBytes = (long) messages * (RECORD_OVERHEAD + TOPIC.length() + payload.length);
        long started = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            link.publish(TOPIC, payload, 1, false);
        }
        long returned = System.nanoTime() - started;
        if (store.isPresent()) {
            Poll.until(() -> segmentBytes(store.get()) >= expectedBytes, WAIT, "the store's files to hold "
                    + expectedBytes + " bytes");
        }
        long written = System.nanoTime() - started;
        int queued = link.queuedMessages();
        result("down " + queue.name().toLowerCase(), "%s, broker down: %.0f messages/s (%d ms for %d; publishes "
                + "returned after %d ms), %d queued", queue.label, messages / (written / 1e9),
                TimeUnit.NANOSECONDS.toMillis(written), messages, TimeUnit.NANOSECONDS.toMillis(returned), queued);
        connector.close();
        if (store.isEmpty()) {
            return;
        }

        MqttConnector restarted = connector(queue, store);
        Connback<MqttLink> connback = start(restarted, new ConnbackListener<>() { });
        long opening = System.nanoTime();
        int replayed = restarted.link(connback).queuedMessages();
        long opened = System.nanoTime() - opening;
        result("replay " + queue.name().toLowerCase(), "%s: %d stored messages read back at the start of a "
                + "session in %d ms", queue.label, replayed, TimeUnit.NANOSECONDS.toMillis(opened));
        restarted.close();

        broker.start();
        AtomicInteger received = new AtomicInteger();
        MqttConnector plain = MqttConnector.builder().serverUri("tcp://127.0.0.1:" + port).build();
        CompletableFuture<MqttLink> up = new CompletableFuture<>();
        start(plain, new ConnbackListener<>() {
            @Override
            public void onConnect(MqttLink subscriber) {
                up.complete(subscriber);
            }
        });
        MqttLink subscriber = up.get(30, TimeUnit.SECONDS);
        subscriber.subscribe(TOPIC, 1, message -> received.incrementAndGet());
        subscriber.publish("bench/ready", payload, 1, false).toCompletableFuture().get(30, TimeUnit.SECONDS);
        long draining = System.nanoTime();
        MqttConnector sender = connector(queue, store);
        start(sender, new ConnbackListener<>() { });
        Poll.until(() -> received.get() >= replayed, WAIT, replayed + " messages at the subscriber, got "
                + received.get());
        long drained = System.nanoTime() - draining;
        result("drain " + queue.name().toLowerCase(), "%s: the %d stored messages at a subscriber %d ms after a "
                + "new session started (%.0f messages/s)", queue.label, received.get(),
                TimeUnit.NANOSECONDS.toMillis(drained), replayed / (drained / 1e9));
        sender.close();
        plain.close();
        broker.stop();
    }

    private void brokerUp(Queue queue) throws Exception {
        Optional<Path> store = folder(queue, "up");
        MqttConnector connector = connector(queue, store);
        CompletableFuture<MqttLink> up = new CompletableFuture<>();
        start(connector, new ConnbackListener<>() {
            @Override
            public void onConnect(MqttLink link) {
                up.complete(link);
            }
        });
        MqttLink link = up.get(30, TimeUnit.SECONDS);
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long started = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            link.publish(TOPIC, payload, 1, false).whenComplete((done, error) -> {
                if (error == null) {
                    acknowledged.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            });
        }
        long returned = System.nanoTime() - started;
        Poll.until(() -> acknowledged.get() + failed.get() >= messages, WAIT, messages + " acknowledgements, got "
                + acknowledged.get());
        long elapsed = System.nanoTime() - started;
        result("up " + queue.name().toLowerCase(), "%s, broker up: %.0f messages/s acknowledged (%d ms for %d; "
                + "publishes returned after %d ms), %d failed", queue.label, messages / (elapsed / 1e9),
                TimeUnit.NANOSECONDS.toMillis(elapsed), acknowledged.get(), TimeUnit.NANOSECONDS.toMillis(returned),
                failed.get());
        connector.close();
        store.ifPresent(dir -> note("%s: %d bytes of segment files once every message was acknowledged and the "
                + "session ended", queue.label, segmentBytes(dir)));
    }

    private static long segmentBytes(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.toString().endsWith(".seg")).mapToLong(file -> file.toFile().length())
                    .sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
