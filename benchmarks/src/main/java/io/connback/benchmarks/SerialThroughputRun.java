package io.connback.benchmarks;

import static io.connback.benchmarks.Report.note;
import static io.connback.benchmarks.Report.result;

import com.fazecast.jSerialComm.SerialPort;
import io.connback.Connback;
import io.connback.link.Framing;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.serial.SerialConnector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The serial throughput run: frames through a serial link over a pty, with Connback and without, in the same run on
 * the same pty and the same emulated echo device. A pty ignores the baud rate, so this measures software: the bare
 * jSerialComm loop is the limit, the difference is what the serial connector and its {@link Link} add.
 *
 * <ul>
 *   <li><b>bare</b>: one {@link SerialPort} opened as the connector opens it. Round trips: write a frame, read until
 *       its echo is complete, compare, repeat. Pipelined: a reader thread counts the echoed frames while this thread
 *       writes, at most {@code window} frames in flight.
 *   <li><b>link</b>: a Connback over {@link SerialConnector}, delimiter framing ({@code \n}). Round trips:
 *       {@link Link#send(byte[])}, then wait for the frame listener to hand the echo over. Pipelined: the same window,
 *       the frame listener returning the permits.
 * </ul>
 *
 * <p>Frames are {@code frame-size} bytes: an 8-digit sequence number, filler, {@code \n}. Each round runs the bare
 * loop, then the link; a first round with a fifth of the counts warms both up and is not reported. Latencies are
 * pooled over the rounds, frames per second are the median of the rounds; CPU is this process's, the emulated
 * device's thread excluded (GC and JIT included).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.connback.benchmarks.SerialThroughputRun [--round-trips N]
 * [--frames N] [--frame-size BYTES] [--window FRAMES] [--rounds N]} (counts per round)
 */
public final class SerialThroughputRun {

    private static final byte NEWLINE = '\n';
    private static final int SEQUENCE_DIGITS = 8;
    private static final int WARMUP_DIVISOR = 5;
    private static final Duration ECHO_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The emulated device's thread, {@code device-<name>}: its CPU is the device's, not the host's. */
    private static final String DEVICE_THREAD = "device-echo";
    private static final String READER_THREAD_PREFIX = "connback-serial-reader-";
    // as the serial connector opens its ports
    private static final int READ_TIMEOUT_MS = 100;
    private static final int WRITE_TIMEOUT_MS = 2000;

    private final int roundTrips;
    private final int frameCount;
    private final int frameSize;
    private final int window;
    private final int rounds;
    private final byte[][] frames;

    private SerialThroughputRun(int roundTrips, int frameCount, int frameSize, int window, int rounds) {
        if (frameSize <= SEQUENCE_DIGITS + 1) {
            throw new IllegalArgumentException("--frame-size must be above " + (SEQUENCE_DIGITS + 1) + ", not "
                    + frameSize);
        }
        if ((long) window * frameSize > LinkSettings.DEFAULT_MAX_QUEUED_BYTES) {
            throw new IllegalArgumentException("--window x --frame-size must fit in the link's send queue ("
                    + LinkSettings.DEFAULT_MAX_QUEUED_BYTES + " bytes)");
        }
        this.roundTrips = roundTrips;
        this.frameCount = frameCount;
        this.frameSize = frameSize;
        this.window = window;
        this.rounds = rounds;
        this.frames = new byte[Math.max(roundTrips, frameCount)][];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = frame(i, frameSize);
        }
    }

    /**
     * Runs both ways and prints them side by side.
     *
     * @param args options, see the class comment
     * @throws Exception if the run cannot proceed; it then says what failed
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args,
                List.of("--round-trips", "--frames", "--frame-size", "--window", "--rounds"));
        new SerialThroughputRun(options.positive("--round-trips", 5000), options.positive("--frames", 50_000),
                options.positive("--frame-size", 64), options.positive("--window", 32),
                options.positive("--rounds", 5)).run();
    }

    private static byte[] frame(int sequence, int size) {
        byte[] frame = new byte[size];
        Arrays.fill(frame, (byte) 'x');
        byte[] digits = String.format(Locale.ROOT, "%0" + SEQUENCE_DIGITS + "d", sequence)
                .getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, frame, 0, SEQUENCE_DIGITS);
        frame[size - 1] = NEWLINE;
        return frame;
    }

    private void run() throws Exception {
        note("%d rounds of %d round trips and %d pipelined frames (window %d) per way; %d-byte frames;"
                + " machine load average %s", rounds, roundTrips, frameCount, window, frameSize,
                ProcessStats.loadAverage());
        Way bare = new Way("bare", BareExchange::new);
        Way link = new Way("link", LinkExchange::new);
        try (EchoAdapter adapter = EchoAdapter.plugIn()) {
            Path port = adapter.device().link();
            for (int round = 0; round <= rounds; round++) {
                boolean warmup = round == 0;
                int trips = warmup ? roundTrips / WARMUP_DIVISOR : roundTrips;
                int count = warmup ? frameCount / WARMUP_DIVISOR : frameCount;
                for (Way way : List.of(bare, link)) {
                    way.runRound(port, trips, count, warmup);
                }
            }
        }
        String loadAfter = ProcessStats.loadAverage();
        for (Way way : List.of(bare, link)) {
            result("round-trip-" + way.name, "%s", way.latencies.summary(TimeUnit.MICROSECONDS));
        }
        for (Way way : List.of(bare, link)) {
            result("frames/s-" + way.name, "%.0f frames/s (%.2f MB/s each way), median of %d rounds: %s; CPU %.1f us"
                    + " per frame", way.framesPerSecond(), way.framesPerSecond() * frameSize / 1e6, rounds,
                    way.perRound(), way.cpuNanosPerFrame() / 1e3);
        }
        result("link-vs-bare", "round trip: median %s, p99 %s; pipelined: %.0f%% of the bare frames/s, %.1fx its"
                + " CPU per frame; machine load average %s at the end",
                difference(link.latencies.percentile(50), bare.latencies.percentile(50)),
                difference(link.latencies.percentile(99), bare.latencies.percentile(99)),
                100 * link.framesPerSecond() / bare.framesPerSecond(),
                link.cpuNanosPerFrame() / bare.cpuNanosPerFrame(), loadAfter);
    }

    private static String difference(long nanos, long baseline) {
        return (nanos >= baseline ? "+" : "") + Latencies.format(nanos - baseline, TimeUnit.MICROSECONDS);
    }

    /** Opens one way of exchanging frames with the device on a port. */
    @FunctionalInterface
    private interface Opener {
        Exchange open(Path port) throws Exception;
    }

    /** One way of exchanging frames with the echo device, open on its port until closed. */
    private interface Exchange {

        /**
         * Sends a frame and waits for its echo.
         *
         * @return when the echo was complete, by {@link System#nanoTime()}
         * @throws IOException if the echo does not arrive in time or differs from the frame
         */
        long roundTrip(byte[] frame) throws Exception;

        /**
         * Sends the first {@code count} frames, at most {@code window} of them unanswered; returns once every echo
         * arrived.
         *
         * @throws IOException if the echoes stop arriving, or were not the frames sent
         */
        void pipeline(byte[][] frames, int count, int window) throws Exception;

        void close() throws Exception;
    }

    /** One way's figures, over the rounds. */
    private final class Way {
        final String name;
        final Opener opener;
        final Latencies latencies = new Latencies();
        final List<Double> roundFramesPerSecond = new ArrayList<>();
        long pipelinedFrames;
        long cpuNanos;

        Way(String name, Opener opener) {
            this.name = name;
            this.opener = opener;
        }

        void runRound(Path port, int trips, int count, boolean warmup) throws Exception {
            Exchange exchange = opener.open(port);
            try {
                for (int i = 0; i < trips; i++) {
                    long sent = System.nanoTime();
                    long echoed = exchange.roundTrip(frames[i]);
                    if (!warmup) {
                        latencies.add(echoed - sent);
                    }
                }
                long cpuBefore = hostCpuNanos();
                long start = System.nanoTime();
                exchange.pipeline(frames, count, window);
                long elapsed = System.nanoTime() - start;
                long cpu = hostCpuNanos() - cpuBefore;
                if (!warmup) {
                    pipelinedFrames += count;
                    cpuNanos += cpu;
                    roundFramesPerSecond.add(count * 1e9 / elapsed);
                }
            } finally {
                exchange.close();
            }
        }

        /** The median over the rounds: robust to a round slowed down by other processes. */
        double framesPerSecond() {
            List<Double> sorted = roundFramesPerSecond.stream().sorted().toList();
            return sorted.get((sorted.size() - 1) / 2);
        }

        double cpuNanosPerFrame() {
            return (double) cpuNanos / pipelinedFrames;
        }

        String perRound() {
            return roundFramesPerSecond.stream().map(rate -> String.format(Locale.ROOT, "%.0f", rate))
                    .collect(Collectors.joining(", "));
        }
    }

    /** The CPU this process used so far, the emulated device's thread excluded. */
    private static long hostCpuNanos() {
        Map<String, Long> threads = ProcessStats.cpuNanosByThread();
        return ProcessStats.cpuNanos() - threads.getOrDefault(DEVICE_THREAD, 0L);
    }

    /** Plain jSerialComm: the limit. */
    private static final class BareExchange implements Exchange {
        private final SerialPort port;
        private final Path path;

        BareExchange(Path path) throws IOException {
            this.path = path;
            port = SerialPort.getCommPort(path.toString());
            port.setComPortParameters(EchoAdapter.BAUD_RATE, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
            port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING,
                    READ_TIMEOUT_MS, WRITE_TIMEOUT_MS);
            if (!port.openPort(0)) {
                throw new IOException("cannot open " + path + ": jSerialComm error " + port.getLastErrorCode());
            }
        }

        @Override
        public long roundTrip(byte[] frame) throws IOException {
            write(frame);
            byte[] echo = new byte[frame.length];
            int received = 0;
            long deadline = System.nanoTime() + ECHO_TIMEOUT.toNanos();
            while (received < frame.length) {
                received += read(echo, frame.length - received, received, deadline);
            }
            long echoed = System.nanoTime();
            if (!Arrays.equals(echo, frame)) {
                throw new IOException(path + ": the echo differs from the frame sent");
            }
            return echoed;
        }

        @Override
        public void pipeline(byte[][] frames, int count, int window) throws Exception {
            Semaphore unanswered = new Semaphore(window);
            AtomicReference<Exception> failure = new AtomicReference<>();
            long expectedBytes = (long) count * frames[0].length;
            Thread reader = new Thread(() -> {
                try {
                    countEchoes(count, expectedBytes, unanswered);
                } catch (IOException | RuntimeException e) {
                    failure.set(e);
                    unanswered.release(window); // wakes the writer
                }
            }, "bench-bare-reader");
            reader.setDaemon(true);
            reader.start();
            for (int i = 0; i < count && failure.get() == null; i++) {
                acquire(unanswered, 1, "an echo");
                write(frames[i]);
            }
            acquire(unanswered, window, "the last echoes");
            reader.join(ECHO_TIMEOUT.toMillis());
            if (failure.get() != null) {
                throw failure.get();
            }
        }

        /** Counts echoed frames by their delimiter, returning a permit per frame. */
        private void countEchoes(int count, long expectedBytes, Semaphore unanswered) throws IOException {
            byte[] buffer = new byte[4096];
            long bytes = 0;
            int echoed = 0;
            while (echoed < count) {
                int read = read(buffer, buffer.length, 0, System.nanoTime() + ECHO_TIMEOUT.toNanos());
                int frames = 0;
                for (int i = 0; i < read; i++) {
                    if (buffer[i] == NEWLINE) {
                        frames++;
                    }
                }
                bytes += read;
                echoed += frames;
                unanswered.release(frames);
            }
            if (bytes != expectedBytes) {
                throw new IOException(path + ": " + bytes + " bytes echoed for " + count + " frames, not "
                        + expectedBytes);
            }
        }

        private void write(byte[] frame) throws IOException {
            int written = port.writeBytes(frame, frame.length);
            if (written != frame.length) {
                throw new IOException(path + ": wrote " + written + " of " + frame.length + " bytes");
            }
        }

        /** Reads at least one byte unless the deadline passes. */
        private int read(byte[] buffer, int length, int offset, long deadline) throws IOException {
            while (true) {
                int read = port.readBytes(buffer, length, offset);
                if (read < 0) {
                    throw new IOException(path + ": read failed, jSerialComm error " + port.getLastErrorCode());
                }
                if (read > 0) {
                    return read;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException(path + ": no echo within " + ECHO_TIMEOUT.toSeconds() + " s");
                }
            }
        }

        @Override
        public void close() {
            port.closePort();
        }
    }

    /** A Connback over the serial connector, frames through its link: what an application does. */
    private final class LinkExchange implements Exchange {
        private final Connback<Link> connback;
        private final Link link;
        private final BlockingQueue<ByteBuffer> echoes = new LinkedTransferQueue<>();
        private final LongAdder wrongFrames = new LongAdder();
        /** Set while pipelining: the listener then returns permits instead of handing the frames over. */
        private volatile Semaphore unanswered;

        LinkExchange(Path path) throws Exception {
            connback = Connback.create(SerialConnector.builder()
                    .port(path.toString())
                    .baudRate(EchoAdapter.BAUD_RATE)
                    .link(LinkSettings.builder().framing(Framing.delimiter(new byte[] {NEWLINE})).build())
                    .build());
            Poll.until(connback::isConnected, CONNECT_TIMEOUT, "the link to " + path + " to connect");
            link = connback.client().orElseThrow();
            link.addFrameListener(this::onFrame);
        }

        private void onFrame(ByteBuffer frame) {
            Semaphore pipelining = unanswered;
            if (pipelining == null) {
                echoes.add(frame);
                return;
            }
            if (frame.remaining() != frameSize - 1) {
                wrongFrames.increment();
            }
            pipelining.release();
        }

        @Override
        public long roundTrip(byte[] frame) throws Exception {
            link.send(frame);
            ByteBuffer echo = echoes.poll(ECHO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long echoed = System.nanoTime();
            if (echo == null) {
                throw new IOException(link.remote() + ": no echo within " + ECHO_TIMEOUT.toSeconds() + " s");
            }
            if (!echo.equals(ByteBuffer.wrap(frame, 0, frame.length - 1))) {
                throw new IOException(link.remote() + ": the echo differs from the frame sent");
            }
            return echoed;
        }

        @Override
        public void pipeline(byte[][] frames, int count, int window) throws Exception {
            Semaphore permits = new Semaphore(window);
            unanswered = permits;
            try {
                for (int i = 0; i < count; i++) {
                    acquire(permits, 1, "an echo");
                    link.send(frames[i]);
                }
                acquire(permits, window, "the last echoes");
            } finally {
                unanswered = null;
            }
            if (wrongFrames.sum() > 0) {
                throw new IOException(link.remote() + ": " + wrongFrames.sum() + " echoed frames had a wrong length");
            }
        }

        @Override
        public void close() throws Exception {
            connback.end().whenEnded().toCompletableFuture().get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            // The link's reader closes its port after its current read, within one read timeout; until then it would
            // read the echoes meant for the bare loop, which opens the same device next. Wait for it to end.
            Poll.until(() -> ProcessStats.javaThreads().values().stream().noneMatch(
                    name -> name.startsWith(READER_THREAD_PREFIX)), CONNECT_TIMEOUT, "the link's reader thread to end");
        }
    }

    private static void acquire(Semaphore permits, int count, String what) throws Exception {
        if (!permits.tryAcquire(count, ECHO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("gave up after " + ECHO_TIMEOUT.toSeconds() + " s waiting for " + what);
        }
    }
}
