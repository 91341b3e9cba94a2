package io.connback.benchmarks;

import static io.connback.benchmarks.Report.note;
import static io.connback.benchmarks.Report.result;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.Connector;
import io.connback.backoff.Jitter;
import io.connback.hardware.EmulatedDevice;
import io.connback.link.Framing;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.serial.DeviceTable;
import io.connback.serial.SerialConnector;
import io.connback.serial.SerialDevice;
import io.connback.serial.UsbIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * The replug run: how soon a serial link is back after its USB adapter is unplugged and plugged in again under
 * another name. One Connback over the serial connector addresses an emulated echo adapter by its USB identity; a
 * device table of this run lists the adapter under whatever path it has now. Each cycle unplugs the adapter, waits
 * until the Connback reports the link offline, replugs the adapter under the other of {@code ttyUSB0} and
 * {@code ttyUSB1}, and measures the time from the replug to {@code onConnect}; then one frame goes through the new link
 * and back. The backoff is long (30 s, growing to 60 s, no jitter), so a connection within it is the connector's
 * hot-plug watcher at work, not a retry that happened to be due. Target: median at most 100 ms, p99 at most 300 ms.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.connback.benchmarks.ReplugRun [--cycles N] [--warmup-cycles N]}
 */
public final class ReplugRun {

    private static final UsbIdentity ADAPTER = UsbIdentity.parse("port", "usb:0403:6001:CONNBACK1");
    private static final Duration INITIAL_BACKOFF = Duration.ofSeconds(30);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /** Longer than the longest backoff: a missed hot-plug wake-up shows up as a slow cycle, not as a failed run. */
    private static final Duration CONNECT_TIMEOUT = MAX_BACKOFF.plusSeconds(30);
    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TARGET_MEDIAN = Duration.ofMillis(100);
    private static final Duration TARGET_P99 = Duration.ofMillis(300);
    private static final byte[] FRAME = "hello\n".getBytes(StandardCharsets.US_ASCII);

    private final int cycles;
    private final int warmupCycles;
    private final Events events = new Events();

    private ReplugRun(int cycles, int warmupCycles) {
        this.cycles = cycles;
        this.warmupCycles = warmupCycles;
    }

    /**
     * Runs the cycles and prints the latencies.
     *
     * @param args options, see the class comment
     * @throws Exception if the run cannot proceed; it then says what failed
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args, List.of("--cycles", "--warmup-cycles"));
        new ReplugRun(options.positive("--cycles", 50), options.positive("--warmup-cycles", 3)).run();
    }

    private void run() throws Exception {
        note("%d cycles after %d warm-up cycles; backoff %d s to %d s without jitter; machine load average %s",
                cycles, warmupCycles, INITIAL_BACKOFF.toSeconds(), MAX_BACKOFF.toSeconds(),
                ProcessStats.loadAverage());
        try (EchoAdapter adapter = EchoAdapter.plugIn()) {
            Connector<Link> connector = SerialConnector.builder()
                    .port(ADAPTER.toString())
                    .baudRate(EchoAdapter.BAUD_RATE)
                    .deviceTable(new FolderDeviceTable(adapter.folder()))
                    .link(LinkSettings.builder().framing(Framing.delimiter(new byte[] {'\n'})).build())
                    .build();
            ConnbackOptions options = ConnbackOptions.builder()
                    .initialDelay(INITIAL_BACKOFF)
                    .maxDelay(MAX_BACKOFF)
                    .jitter(Jitter.none())
                    .build();
            Connback<Link> connback = Connback.create(connector, options, events);
            try {
                awaitEcho(events.connects.poll(EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the first connection");
                measure(adapter);
            } finally {
                connback.end().whenEnded().toCompletableFuture().get(EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    private void measure(EchoAdapter adapter) throws Exception {
        Latencies warmup = new Latencies();
        Latencies toOffline = new Latencies();
        Latencies toConnect = new Latencies();
        Latencies toEcho = new Latencies();
        long errorsBefore = events.errors.sum();
        String loadBefore = ProcessStats.loadAverage();
        for (int cycle = 0; cycle < warmupCycles + cycles; cycle++) {
            EmulatedDevice device = adapter.device();
            long unplugged = System.nanoTime();
            device.unplug();
            long offline = take(events.offlines, EVENT_TIMEOUT, "offline after unplug, cycle " + cycle);
            Path next = adapter.folder().resolve("ttyUSB" + (cycle + 1) % 2);
            long replugged = System.nanoTime();
            device.replug(next);
            Connected connected = take(events.connects, CONNECT_TIMEOUT, "a connection after replug, cycle " + cycle);
            long echoed = awaitEcho(connected, "cycle " + cycle);
            if (cycle < warmupCycles) {
                warmup.add(connected.nanoTime() - replugged);
            } else {
                toOffline.add(offline - unplugged);
                toConnect.add(connected.nanoTime() - replugged);
                toEcho.add(echoed - replugged);
            }
        }
        long errors = events.errors.sum() - errorsBefore;
        note("warm-up cycles, replug to onConnect: %s", warmup.summary(TimeUnit.MILLISECONDS));
        result("replug->connect", "%s; target median <= %d ms: %s, p99 <= %d ms: %s",
                toConnect.summary(TimeUnit.MILLISECONDS), TARGET_MEDIAN.toMillis(),
                meets(toConnect.percentile(50), TARGET_MEDIAN), TARGET_P99.toMillis(),
                meets(toConnect.percentile(99), TARGET_P99));
        result("replug->echo", "%s: replug until a frame sent on the new link came back",
                toEcho.summary(TimeUnit.MILLISECONDS));
        result("unplug->offline", "%s", toOffline.summary(TimeUnit.MILLISECONDS));
        result("replug-errors", "%d errors reported in %d cycles (one 'device disconnected' per unplug expected)%s;"
                + " machine load average %s at the start, %s at the end", errors, warmupCycles + cycles,
                events.lastError == null ? "" : ", last: " + events.lastError, loadBefore, ProcessStats.loadAverage());
    }

    /** Sends a frame on a new link and waits for the device to echo it; returns when the echo arrived. */
    private static long awaitEcho(Connected connected, String what) throws Exception {
        if (connected == null) {
            throw new IllegalStateException("no connection within " + EVENT_TIMEOUT.toSeconds() + " s: " + what);
        }
        BlockingQueue<Long> echoes = new LinkedBlockingQueue<>();
        connected.link().addFrameListener(frame -> echoes.add(System.nanoTime()));
        connected.link().send(FRAME);
        return take(echoes, EVENT_TIMEOUT, "the echo of a frame, " + what);
    }

    private static <T> T take(BlockingQueue<T> queue, Duration timeout, String what) throws InterruptedException {
        T taken = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (taken == null) {
            throw new IllegalStateException("gave up after " + timeout.toSeconds() + " s waiting for " + what);
        }
        return taken;
    }

    private static String meets(long nanos, Duration target) {
        return nanos <= target.toNanos() ? "met" : "NOT met";
    }

    /** A connection, with when the listener heard of it. */
    private record Connected(long nanoTime, Link link) {}

    /** Hands the events of the Connback to the measuring thread, each with the time the listener heard of it. */
    private static final class Events implements ConnbackListener<Link> {
        final BlockingQueue<Connected> connects = new LinkedBlockingQueue<>();
        final BlockingQueue<Long> offlines = new LinkedBlockingQueue<>();
        final LongAdder errors = new LongAdder();
        volatile Throwable lastError;

        @Override
        public void onConnect(Link link) {
            connects.add(new Connected(System.nanoTime(), link));
        }

        @Override
        public void onOffline() {
            offlines.add(System.nanoTime());
        }

        @Override
        public void onError(Throwable error) {
            errors.increment();
            lastError = error;
        }
    }

    /**
     * The machine's serial devices as this run sees them: every node in the folder that exists (a link to a live
     * pty) is the emulated adapter, as sysfs lists a USB serial adapter while its device node exists.
     */
    private record FolderDeviceTable(Path folder) implements DeviceTable {
        @Override
        public List<SerialDevice> devices() throws IOException {
            try (Stream<Path> nodes = Files.list(folder)) {
                return nodes.filter(Files::exists).sorted()
                        .map(node -> new SerialDevice(node, Optional.of(ADAPTER), "emulated echo adapter"))
                        .toList();
            }
        }

        @Override
        public Path nodeFolder() {
            return folder;
        }
    }
}
