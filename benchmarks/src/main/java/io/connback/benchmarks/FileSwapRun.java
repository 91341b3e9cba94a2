package io.connback.benchmarks;

import static io.connback.benchmarks.Report.note;
import static io.connback.benchmarks.Report.result;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The hot swap an operator makes, measured from outside the assembled gateway: a copy of the TCP connector's jar
 * moved over {@code deploy/connback-tcp-*.jar} while a link runs through it, until the link's new connection is
 * accepted by the echo server of this process; and what the gateway costs in CPU while it idles with that one
 * quiet link and its watched folders.
 *
 * <ul>
 *   <li><b>Gateway</b>: a copy of the assembly of {@value #GATEWAY_PROPERTY} (by default
 *       {@code gateway-runtime/target/connback-gateway}, the one of this build), {@code bin/gateway --no-console},
 *       one link {@code conf/io.connback.tcp-swap.cfg} to the echo server (initial delay 50 ms, keepalive 600 s:
 *       the link is quiet).
 *   <li><b>Idle</b>: 5 s after the link connected, the CPU time of the gateway's process (user and system, the
 *       counter of {@code ps -o time}) over {@code --idle-seconds}, and the part of it spent in the threads that
 *       watch the folders ({@code /proc/<pid>/task}).
 *   <li><b>Swap</b>: the jar written to {@code deploy/.swap.tmp} (a hidden name, which no watcher takes), then
 *       renamed over the connector's jar; timed from just before the rename to the echo server accepting the
 *       link's next connection. A pause of {@code --pause-ms} and a random 0 to 1 s between swaps, so that each
 *       starts from a quiet gateway, at a random point of a polling watcher's period. Warm-up swaps are not counted; percentiles are
 *       nearest-rank.
 * </ul>
 *
 * <p>Options: {@code --swaps N} (20), {@code --warmup-swaps N} (3), {@code --idle-seconds S} (60),
 * {@code --pause-ms MS} (1000). {@code benchmarks/run.sh file-swap} runs it on the build's assembly; give another
 * (an older build's, to compare) with {@code -D}{@value #GATEWAY_PROPERTY}.
 */
public final class FileSwapRun {

    /** The system property naming the gateway's assembly. */
    static final String GATEWAY_PROPERTY = "fileswap.gateway";

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SETTLE_AFTER_START = Duration.ofSeconds(5);
    private static final String TCP_JAR_PREFIX = "connback-tcp-";
    private static final int RANDOM_PAUSE_MILLIS = 1000;
    /** The threads that watch deploy/ and conf/: DeployFolder's, FileInstall's, and the JDK's WatchService's. */
    private static final List<String> WATCHER_THREADS = List.of("connback-deploy", "fileinstall-",
            "FileSystemWatch");
    private static final List<String> DEPLOY_THREAD = List.of("connback-deploy");

    private FileSwapRun() {}

    /**
     * Runs the idle measurement and the swaps and prints the results.
     *
     * @param args options, see the class comment
     * @throws Exception if the gateway or its link cannot start
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args, List.of("--swaps", "--warmup-swaps", "--idle-seconds",
                "--pause-ms"));
        int swaps = options.positive("--swaps", 20);
        int warmups = options.positive("--warmup-swaps", 3);
        int idleSeconds = options.positive("--idle-seconds", 60);
        int pauseMillis = options.positive("--pause-ms", 1000);
        Path assembly = Path.of(System.getProperty(GATEWAY_PROPERTY, "gateway-runtime/target/connback-gateway"))
                .toAbsolutePath().normalize();
        if (!Files.isExecutable(assembly.resolve("bin/gateway"))) {
            throw new IllegalArgumentException(assembly + " has no bin/gateway: build the gateway, or give its "
                    + "assembly with -D" + GATEWAY_PROPERTY);
        }

        Path home = Files.createTempDirectory("connback-file-swap-");
        try (HotSwapRun.EchoServer echo = new HotSwapRun.EchoServer()) {
            ColdStartRun.copyTree(assembly, home);
            Files.writeString(home.resolve("conf/io.connback.tcp-swap.cfg"), "host = 127.0.0.1\nport = "
                    + echo.port() + "\ninitialDelay = 50\nmaxDelay = 500\nkeepalive = 600\n",
                    StandardCharsets.ISO_8859_1);
            note("gateway %s, copied to %s; echo server on 127.0.0.1:%d", assembly, home, echo.port());
            BootedProcess gateway = BootedProcess.start("gateway",
                    List.of(home.resolve("bin/gateway").toString(), "--no-console"), home);
            try {
                Poll.until(() -> echo.accepted() > 0, TIMEOUT, "the link connected");
                note("link swap connected %d ms after the gateway's start",
                        TimeUnit.NANOSECONDS.toMillis(gateway.elapsedNanos()));
                Thread.sleep(SETTLE_AFTER_START.toMillis());
                idle(gateway, echo, idleSeconds);
                swap(home.resolve("deploy"), echo, swaps, warmups, pauseMillis);
            } finally {
                gateway.stop();
            }
        } finally {
            ColdStartRun.deleteTree(home);
        }
    }

    private static void idle(BootedProcess gateway, HotSwapRun.EchoServer echo, int seconds)
            throws InterruptedException {
        String load = ProcessStats.loadAverage();
        long cpuBefore = gateway.cpuNanos();
        long watchersBefore = gateway.threadCpuNanos(WATCHER_THREADS);
        long deployBefore = gateway.threadCpuNanos(DEPLOY_THREAD);
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        long cpu = gateway.cpuNanos() - cpuBefore;
        long watchers = gateway.threadCpuNanos(WATCHER_THREADS) - watchersBefore;
        long deploy = gateway.threadCpuNanos(DEPLOY_THREAD) - deployBefore;
        long elapsed = System.nanoTime() - start;
        result("idle-cpu", "%s CPU over %.1f s idle (%.3f%% of one core), one quiet link, %d connection(s); machine "
                + "load average %s at the start, %s at the end", ms(cpu), elapsed / 1e9, 100.0 * cpu / elapsed,
                echo.accepted(), load, ProcessStats.loadAverage());
        result("idle-watchers", "%s CPU over the same time in the folder watchers' threads %s, of which %s in %s",
                ms(watchers), WATCHER_THREADS, ms(deploy), DEPLOY_THREAD.get(0));
    }

    private static void swap(Path deploy, HotSwapRun.EchoServer echo, int swaps, int warmups, int pauseMillis)
            throws IOException, InterruptedException {
        Path jar;
        try (Stream<Path> files = Files.list(deploy)) {
            jar = files.filter(file -> file.getFileName().toString().startsWith(TCP_JAR_PREFIX)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + TCP_JAR_PREFIX + "*.jar in " + deploy));
        }
        byte[] content = Files.readAllBytes(jar);
        Path incoming = deploy.resolve(".swap.tmp");
        Latencies reconnected = new Latencies();
        Random random = new Random(1);
        String loadBefore = ProcessStats.loadAverage();
        for (int i = 0; i < warmups + swaps; i++) {
            Files.write(incoming, content);
            int before = echo.accepted();
            long start = System.nanoTime();
            Files.move(incoming, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Poll.until(() -> echo.accepted() > before, TIMEOUT, "the link's connection after swap " + (i + 1));
            if (i >= warmups) {
                reconnected.add(echo.lastAcceptedNanos() - start);
            }
            // a random part, so that the swaps fall at random points of a polling watcher's period
            Thread.sleep(pauseMillis + random.nextInt(RANDOM_PAUSE_MILLIS));
        }
        result("file-swap", "%s: %s renamed over by a copy -> the link's new connection accepted",
                reconnected.summary(TimeUnit.MILLISECONDS), jar.getFileName());
        result("swap-connections", "%d accepted for the first connection, %d swaps and %d warm-ups; machine load "
                + "average %s at the start, %s at the end", echo.accepted(), swaps, warmups, loadBefore,
                ProcessStats.loadAverage());
    }

    private static String ms(long nanos) {
        return Latencies.format(nanos, TimeUnit.MILLISECONDS);
    }
}
