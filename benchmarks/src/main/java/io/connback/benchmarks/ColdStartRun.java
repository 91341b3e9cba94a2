package io.connback.benchmarks;

import static io.connback.benchmarks.Report.note;
import static io.connback.benchmarks.Report.result;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The cold-start run: how long {@code bin/gateway} takes from the start of its process until every configured TCP
 * link is connected, with few links (3) and with many (300), side by side in the same run with a bare Apache Felix
 * starting the same framework bundles (the floor: {@link FelixFloor}) and with Apache Karaf minimal (the anchor: what
 * users would run instead).
 *
 * <ul>
 *   <li><b>gateway-N</b>: a fresh copy of the assembly ({@code gateway-runtime/target/connback-gateway}) with N files
 *       {@code conf/io.connback.tcp-cold-<i>.cfg}, all to one local echo server ({@link EchoServer}, a child JVM);
 *       {@code bin/gateway --no-console}. Times from the process start to the lines {@code gateway started},
 *       the first {@code link ... CONNECTED} and the N-th link's {@code CONNECTED}, read from its console.
 *   <li><b>floor</b>: {@link FelixFloor} on the assembly's Felix jar with the assembly's bundles other than
 *       Connback's and the Gogo shell; the time to its line {@value FelixFloor#STARTED}.
 *   <li><b>karaf</b>: a fresh copy of Apache Karaf minimal, {@code bin/karaf server} as shipped, SSH on a free port;
 *       the time until its SSH port accepts a TCP connection (the ssh feature is the last boot feature to come up,
 *       and its console is what users log in to). First boot (empty {@code data/}: Karaf resolves and installs its
 *       boot features and makes its SSH host key) and restart (the same copy again, {@code data/} kept); the gateway
 *       cleans its framework cache at every start, so each of its starts is a first one.
 * </ul>
 *
 * <p>Each round starts each of them once, in turn, so that the load of other processes falls on all alike; one
 * warm-up round (files into the page cache) is not counted. Reported: median, minimum and maximum over the rounds of
 * each time; the CPU time (process and descendants) and resident memory at that moment; the time from SIGTERM to
 * exit.
 *
 * <p>Usage: {@code java -Dcoldstart.gateway=DIR -Dcoldstart.karaf=DIR -cp benchmarks.jar
 * io.connback.benchmarks.ColdStartRun [--runs N (5)] [--few-links N (3)] [--many-links N (300)]}; benchmarks/run.sh
 * cold-start sets both folders.
 */
public final class ColdStartRun {

    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(3);
    private static final long POLL_MILLIS = 10;
    private static final int POLL_CONNECT_TIMEOUT_MILLIS = 100;
    private static final Pattern CONNECTED = Pattern.compile(".*\\blink (\\S+) CONNECTED\\b.*");
    private static final String GATEWAY_STARTED = "gateway started in ";
    private static final String LINK_NAME_PREFIX = "cold-";
    private static final double MB = 1024 * 1024;
    private static final int KARAF_LOG_TAIL = 15;

    private final Path gatewayAssembly;
    private final Path karafDistribution;
    private final int runs;
    private final int echoPort;

    private ColdStartRun(Path gatewayAssembly, Path karafDistribution, int runs, int echoPort) {
        this.gatewayAssembly = gatewayAssembly;
        this.karafDistribution = karafDistribution;
        this.runs = runs;
        this.echoPort = echoPort;
    }

    /**
     * Runs the cold-start run and prints one {@code RESULT} line per contender.
     *
     * @param args options, see the class comment
     * @throws Exception if the run cannot proceed; it then says what failed
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args, List.of("--runs", "--few-links", "--many-links"));
        int runs = options.positive("--runs", 5);
        int fewLinks = options.positive("--few-links", 3);
        int manyLinks = options.positive("--many-links", 300);
        Path gateway = folder("coldstart.gateway", "bin/gateway");
        Path karaf = folder("coldstart.karaf", "bin/karaf");

        Process server = EchoServer.startInChildJvm("64m");
        try {
            ColdStartRun run = new ColdStartRun(gateway, karaf, runs, EchoServer.awaitPort(server));
            run.measure(run.new Floor(), List.of(run.new Gateway(fewLinks), run.new Gateway(manyLinks)),
                    run.new Karaf());
        } finally {
            server.getOutputStream().close();
            server.waitFor(10, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }

    private void measure(Floor floor, List<Gateway> gateways, Karaf karaf) throws Exception {
        note("gateway %s, Karaf %s, echo server on 127.0.0.1:%d; %d rounds after one warm-up round",
                gatewayAssembly, karafDistribution, echoPort, runs);
        List<Contender> contenders = new ArrayList<>();
        contenders.add(floor);
        contenders.addAll(gateways);
        contenders.add(karaf);
        String loadAtStart = ProcessStats.loadAverage();
        for (int round = 0; round <= runs; round++) {
            String label = round == 0 ? "warm-up" : "round " + round;
            for (Contender contender : contenders) {
                boot(contender, label, round > 0);
            }
        }
        for (Contender contender : contenders) {
            contender.report();
        }
        Optional<Long> floorReady = floor.readyMedian(Floor.NAME);
        for (Gateway gateway : gateways) {
            Optional<Long> ready = gateway.readyMedian(gateway.name);
            if (ready.isPresent() && floorReady.isPresent()) {
                result("vs-floor", "%s: all links connected %s after the start, %s more than the floor's start",
                        gateway.name, ms(ready.get()), ms(ready.get() - floorReady.get()));
            }
            Optional<Long> karafFirst = karaf.readyMedian(Karaf.FIRST_BOOT);
            Optional<Long> karafRestart = karaf.readyMedian(Karaf.RESTART);
            if (ready.isPresent() && karafFirst.isPresent() && karafRestart.isPresent()) {
                result("vs-karaf", "%s: all links connected in %.0f%% of the time of Karaf minimal's first boot, "
                        + "%.0f%% of its restart (medians)", gateway.name, 100.0 * ready.get() / karafFirst.get(),
                        100.0 * ready.get() / karafRestart.get());
            }
        }
        result("load", "machine load average %s at the start, %s at the end", loadAtStart,
                ProcessStats.loadAverage());
    }

    /** Starts a contender once in a fresh home; a failed start is noted, counted, and the run goes on. */
    private static void boot(Contender contender, String label, boolean counted) throws Exception {
        Path home = Files.createTempDirectory("connback-coldstart-");
        try {
            List<Sample> samples = contender.boot(home);
            for (Sample sample : samples) {
                note("%s %s: %s", label, sample.contender(), sample.describe());
                if (counted) {
                    contender.results(sample.contender()).add(sample);
                }
            }
        } catch (IllegalStateException failure) {
            note("%s %s FAILED: %s", label, contender.name, failure.getMessage());
            if (counted) {
                contender.failures.add(label + ": " + failure.getMessage());
            }
        } finally {
            deleteTree(home);
        }
    }

    /** One way of starting up, measured alike in every round. */
    private abstract static class Contender {

        final String name;
        private final Map<String, Results> results = new LinkedHashMap<>();
        private final List<String> failures = new ArrayList<>();

        Contender(String name) {
            this.name = name;
        }

        /**
         * Starts once from a fresh home, measures, stops.
         *
         * @param home an empty folder, deleted afterwards
         * @return one sample, or more when one home is started more than once
         */
        abstract List<Sample> boot(Path home) throws Exception;

        /**
         * The milestones of a start of the given name, in order; the last one is "ready".
         *
         * @param sampleName the name of a sample
         * @return the milestones' names
         */
        abstract List<String> milestones(String sampleName);

        final Results results(String sampleName) {
            return results.computeIfAbsent(sampleName, n -> new Results(milestones(n)));
        }

        final Optional<Long> readyMedian(String sampleName) {
            return Optional.ofNullable(results.get(sampleName)).map(Results::readyMedian);
        }

        final void report() {
            results.forEach((sampleName, samples) -> result(sampleName, "%s", samples.summary()));
            if (!failures.isEmpty()) {
                result(name + "-failed", "%d rounds: %s", failures.size(), failures);
            }
        }

        /** Measures a started process once it is ready, then stops it. */
        static Sample finish(String sampleName, BootedProcess process, long... milestoneNanos)
                throws InterruptedException {
            long cpu = process.cpuNanos();
            long rss = process.residentBytes();
            long stop = process.stop();
            return new Sample(sampleName, milestoneNanos, cpu, rss, stop);
        }
    }

    /** The bare framework with the gateway's framework bundles. */
    private final class Floor extends Contender {

        static final String NAME = "floor";

        Floor() {
            super(NAME);
        }

        @Override
        List<Sample> boot(Path home) throws Exception {
            Path bundles = Files.createDirectories(home.resolve("bundle"));
            Files.createDirectories(home.resolve("deploy"));
            Files.createDirectories(home.resolve("conf"));
            try (Stream<Path> jars = Files.list(gatewayAssembly.resolve("bundle"))) {
                for (Path jar : jars.filter(ColdStartRun::isFrameworkBundle).toList()) {
                    Files.copy(jar, bundles.resolve(jar.getFileName()));
                }
            }
            Path felix = onlyFile(gatewayAssembly.resolve("lib"), "org.apache.felix.framework-");
            BootedProcess process = BootedProcess.start("floor", List.of(java(), "-cp",
                    felix + File.pathSeparator + absoluteClassPath(), FelixFloor.class.getName(), home.toString()),
                    home);
            try {
                long started = process.output().awaitLine(line -> line.startsWith(FelixFloor.STARTED), BOOT_TIMEOUT,
                        "the floor's start line");
                return List.of(finish(NAME, process, started));
            } finally {
                process.kill();
            }
        }

        @Override
        List<String> milestones(String sampleName) {
            return List.of("framework and bundles started");
        }
    }

    /** The gateway's assembly with N TCP links to the echo server. */
    private final class Gateway extends Contender {

        private final int links;

        Gateway(int links) {
            super("gateway-" + links);
            this.links = links;
        }

        @Override
        List<Sample> boot(Path home) throws Exception {
            copyTree(gatewayAssembly, home);
            for (int i = 1; i <= links; i++) {
                Files.writeString(home.resolve("conf").resolve("io.connback.tcp-" + LINK_NAME_PREFIX + i + ".cfg"),
                        "host = 127.0.0.1\nport = " + echoPort + "\n", StandardCharsets.ISO_8859_1);
            }
            BootedProcess process = BootedProcess.start(name,
                    List.of(home.resolve("bin/gateway").toString(), "--no-console"), home);
            try {
                TimedOutput output = process.output();
                long started = output.awaitLine(line -> line.contains(GATEWAY_STARTED), BOOT_TIMEOUT,
                        "the gateway's start line");
                long first = output.awaitDistinct(ColdStartRun::connectedLink, 1, BOOT_TIMEOUT,
                        "a link's CONNECTED line");
                long all = output.awaitDistinct(ColdStartRun::connectedLink, links, BOOT_TIMEOUT,
                        "every link's CONNECTED line");
                return List.of(finish(name, process, started, first, all));
            } finally {
                process.kill();
            }
        }

        @Override
        List<String> milestones(String sampleName) {
            return List.of("gateway started", "first link connected", "all " + links + " links connected");
        }
    }

    /** Apache Karaf minimal as shipped: a first boot, then a restart of the same copy. */
    private final class Karaf extends Contender {

        static final String FIRST_BOOT = "karaf-first-boot";
        static final String RESTART = "karaf-restart";

        Karaf() {
            super("karaf");
        }

        @Override
        List<Sample> boot(Path home) throws Exception {
            copyTree(karafDistribution, home);
            int sshPort = freePort();
            Path shellConfiguration = home.resolve("etc/org.apache.karaf.shell.cfg");
            String configured = Files.readString(shellConfiguration, StandardCharsets.ISO_8859_1);
            Files.writeString(shellConfiguration, configured.replaceFirst("(?m)^sshPort\\s*=.*$", "sshPort = "
                    + sshPort), StandardCharsets.ISO_8859_1);
            return List.of(bootOnce(FIRST_BOOT, home, sshPort), bootOnce(RESTART, home, sshPort));
        }

        private Sample bootOnce(String sampleName, Path home, int sshPort) throws Exception {
            BootedProcess process = BootedProcess.start(sampleName, List.of(home.resolve("bin/karaf").toString(), "server"),
                    home);
            try {
                while (!accepts(sshPort)) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("Karaf exited before its SSH port " + sshPort
                                + " opened; its output: " + process.output().tail() + "; its log: " + logTail(home));
                    }
                    if (process.elapsedNanos() > BOOT_TIMEOUT.toNanos()) {
                        throw new IllegalStateException("Karaf's SSH port " + sshPort + " did not open within "
                                + BOOT_TIMEOUT.toSeconds() + " s; its output: " + process.output().tail()
                                + "; its log: " + logTail(home));
                    }
                    Thread.sleep(POLL_MILLIS);
                }
                return finish(sampleName, process, process.elapsedNanos());
            } finally {
                process.kill();
            }
        }

        @Override
        List<String> milestones(String sampleName) {
            return List.of("SSH port open");
        }

        private static List<String> logTail(Path home) throws IOException {
            Path log = home.resolve("data/log/karaf.log");
            if (!Files.exists(log)) {
                return List.of();
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return lines.subList(Math.max(0, lines.size() - KARAF_LOG_TAIL), lines.size());
        }
    }

    /** One start: its milestones, and at the last one its CPU time and memory; then how long it took to stop. */
    private record Sample(String contender, long[] milestoneNanos, long cpuNanos, long residentBytes, long stopNanos) {

        String describe() {
            return Arrays.stream(milestoneNanos).mapToObj(ColdStartRun::ms)
                    .collect(Collectors.joining(", ", "milestones ", "")) + String.format(Locale.ROOT,
                    "; CPU %s, RSS %.1f MB; stopped in %s", ms(cpuNanos), residentBytes / MB, ms(stopNanos));
        }
    }

    /** The samples of one contender's start of one kind. */
    private static final class Results {

        private final List<String> milestones;
        private final List<Latencies> milestoneNanos = new ArrayList<>();
        private final Latencies cpuNanos = new Latencies();
        private final Latencies stopNanos = new Latencies();
        private final List<Long> residentBytes = new ArrayList<>();

        Results(List<String> milestones) {
            this.milestones = milestones;
            milestones.forEach(milestone -> milestoneNanos.add(new Latencies()));
        }

        void add(Sample sample) {
            for (int i = 0; i < milestones.size(); i++) {
                milestoneNanos.get(i).add(sample.milestoneNanos()[i]);
            }
            cpuNanos.add(sample.cpuNanos());
            stopNanos.add(sample.stopNanos());
            residentBytes.add(sample.residentBytes());
        }

        long readyMedian() {
            return milestoneNanos.get(milestones.size() - 1).percentile(50);
        }

        String summary() {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < milestones.size(); i++) {
                Latencies samples = milestoneNanos.get(i);
                parts.add(String.format(Locale.ROOT, "%s %s (min %s, max %s)", milestones.get(i),
                        ms(samples.percentile(50)), ms(samples.percentile(100.0 / samples.count())),
                        ms(samples.percentile(100))));
            }
            long rss = residentBytes.stream().sorted().skip(residentBytes.size() / 2).findFirst().orElseThrow();
            return String.join(", ", parts) + String.format(Locale.ROOT,
                    "; then CPU %s, RSS %.1f MB; SIGTERM to exit %s; medians of %d runs", ms(cpuNanos.percentile(50)),
                    rss / MB, ms(stopNanos.percentile(50)), cpuNanos.count());
        }
    }

    /**
     * The name of the link of a {@code link <name> CONNECTED ...} line of the gateway's log.
     *
     * @param line a line of the gateway's console
     * @return the link's name, or null for another line
     */
    static String connectedLink(String line) {
        Matcher matcher = CONNECTED.matcher(line);
        return matcher.matches() ? matcher.group(1) : null;
    }

    private static boolean isFrameworkBundle(Path jar) {
        String name = jar.getFileName().toString();
        // the gateway leaves the Gogo shell out when it has no terminal, as in this run
        return name.endsWith(".jar") && !name.startsWith("connback-") && !name.startsWith("org.apache.felix.gogo.shell");
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    POLL_CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Path folder(String property, String expectedFile) {
        String value = System.getProperty(property);
        if (value == null || !Files.exists(Path.of(value, expectedFile))) {
            throw new IllegalArgumentException("-D" + property + " must name a folder with " + expectedFile
                    + " (benchmarks/run.sh cold-start sets it), not " + value);
        }
        return Path.of(value).toAbsolutePath().normalize();
    }

    private static Path onlyFile(Path folder, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> found = files.filter(file -> file.getFileName().toString().startsWith(prefix)).toList();
            if (found.size() != 1) {
                throw new IllegalStateException("expected one " + prefix + "* in " + folder + ", found " + found);
            }
            return found.get(0);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    // attributes too: the start scripts stay executable
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.delete(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete " + file, e);
                }
            });
        }
    }

    /** This JVM's class path, for a child that runs in another folder. */
    private static String absoluteClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String ms(long nanos) {
        return Latencies.format(nanos, TimeUnit.MILLISECONDS);
    }
}
