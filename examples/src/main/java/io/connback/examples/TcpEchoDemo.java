package io.connback.examples;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousSocketChannel;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A TCP link kept alive by Connback, printing every event as one timestamped line.
 *
 * <p>By default it starts its own echo server on a loopback port and switches it off and on every few seconds, so
 * that the link connects, closes, goes offline, fails to reconnect ({@code ConnectException}) and connects again.
 * With {@code --port} it connects to an existing server instead. It runs until Ctrl-C or for {@code --seconds}.
 */
public final class TcpEchoDemo {

    static final String USAGE = """
            usage: java -jar connback-examples.jar [--port PORT [--host HOST]] [--seconds N] [--keepalive SECONDS]
              (no --port)   start a local echo server and switch it off and on every 5 s
              --port PORT   connect to this server instead; --host defaults to localhost
              --seconds N   stop after N seconds (default: run until Ctrl-C)
              --keepalive S close a link that stayed silent for S seconds (default 2; 0 disables the pings)
            """;

    private static final Duration TOGGLE_EVERY = Duration.ofSeconds(5);
    private static final Duration KEEPALIVE = Duration.ofSeconds(2);
    private static final Duration INITIAL_DELAY = Duration.ofMillis(200);
    private static final Duration MAX_DELAY = Duration.ofSeconds(3);
    private static final long STOP_TIMEOUT_SECONDS = 5;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    /**
     * What to run.
     *
     * @param host the server's host, when {@code port} is set
     * @param port the server's port, or {@link #LOCAL_SERVER} to start a local echo server and toggle it
     * @param keepalive Connback's keepalive; zero disables it
     * @param toggleEvery how long the local echo server stays on, then off
     * @param runFor how long to run; empty to run until stopped
     */
    record Settings(String host, int port, Duration keepalive, Duration toggleEvery, Optional<Duration> runFor) {

        static final int LOCAL_SERVER = 0;

        /**
         * Reads the command line described in {@link #USAGE}.
         *
         * @throws IllegalArgumentException naming the option that is unknown, lacks a value or has a bad one
         */
        static Settings parse(List<String> args) {
            Optional<String> host = Optional.empty();
            int port = LOCAL_SERVER;
            Duration keepalive = KEEPALIVE;
            Optional<Duration> runFor = Optional.empty();
            for (int i = 0; i < args.size(); i += 2) {
                String option = args.get(i);
                if (i + 1 == args.size()) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String value = args.get(i + 1);
                switch (option) {
                    case "--host" -> host = Optional.of(value);
                    case "--port" -> port = number(option, value, 1, 65535);
                    case "--seconds" -> runFor = Optional.of(Duration.ofSeconds(number(option, value, 1, 86400)));
                    case "--keepalive" -> keepalive = Duration.ofSeconds(number(option, value, 0, 3600));
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            if (host.isPresent() && port == LOCAL_SERVER) {
                throw new IllegalArgumentException("--host needs --port");
            }
            return new Settings(host.orElse("localhost"), port, keepalive, TOGGLE_EVERY, runFor);
        }

        private static int number(String option, String value, int min, int max) {
            try {
                int number = Integer.parseInt(value);
                if (number >= min && number <= max) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // reported below, with the range
            }
            throw new IllegalArgumentException(option + " must be a whole number from " + min + " to " + max
                    + ", not " + value);
        }
    }

    private final Consumer<String> out;
    private final Optional<EchoServer> server;
    private final Optional<ScheduledExecutorService> toggler;
    private final Connback<AsynchronousSocketChannel> connback;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private TcpEchoDemo(Settings settings, Consumer<String> out) throws IOException {
        this.out = out;
        String host = settings.host();
        int port = settings.port();
        if (port == Settings.LOCAL_SERVER) {
            EchoServer echoServer = new EchoServer(InetAddress.getLoopbackAddress());
            InetSocketAddress address = echoServer.start();
            host = address.getAddress().getHostAddress();
            print("server", "on: echo server listening on " + host + ":" + address.getPort() + ", off and on every "
                    + settings.toggleEvery().toSeconds() + " s");
            port = address.getPort();
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "connback-demo-toggle");
                thread.setDaemon(true);
                return thread;
            });
            long period = settings.toggleEvery().toMillis();
            scheduler.scheduleWithFixedDelay(() -> toggle(echoServer), period, period, TimeUnit.MILLISECONDS);
            server = Optional.of(echoServer);
            toggler = Optional.of(scheduler);
        } else {
            server = Optional.empty();
            toggler = Optional.empty();
        }
        ConnbackOptions options = ConnbackOptions.builder()
                .keepalive(settings.keepalive())
                .initialDelay(INITIAL_DELAY)
                .maxDelay(MAX_DELAY)
                .build();
        print("demo", "connecting to " + host + ":" + port + " with " + options);
        connback = Connback.create(new SocketChannelConnector(host, port), options, new EventPrinter());
    }

    /**
     * Starts the demo: the local echo server and its toggling if asked, and the Connback.
     *
     * @param settings what to run
     * @param out receives each line to show
     * @return the running demo
     * @throws IOException if the local echo server cannot listen
     */
    static TcpEchoDemo start(Settings settings, Consumer<String> out) throws IOException {
        return new TcpEchoDemo(settings, out);
    }

    /**
     * Runs the demo; see {@link #USAGE}.
     *
     * @param args the command line
     * @throws IOException if the local echo server cannot listen
     * @throws InterruptedException if interrupted while running for {@code --seconds}
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        List<String> arguments = List.of(args);
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.print(USAGE);
            return;
        }
        Settings settings;
        try {
            settings = Settings.parse(arguments);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        TcpEchoDemo demo = start(settings, System.out::println);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::stop, "connback-demo-shutdown"));
        if (settings.runFor().isPresent()) {
            if (!demo.stopped.await(settings.runFor().get().toMillis(), TimeUnit.MILLISECONDS)) {
                demo.stop();
            }
        } else {
            // every thread of the demo is a daemon: wait until Ctrl-C runs the shutdown hook
            demo.stopped.await();
        }
    }

    /** Stops toggling, ends the Connback (waiting a few seconds at most) and stops the local server. Idempotent. */
    synchronized void stop() {
        if (stopped.getCount() == 0) {
            return;
        }
        try {
            toggler.ifPresent(ScheduledExecutorService::shutdown);
            if (toggler.isPresent() && !toggler.get().awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                print("demo", "the server toggle did not stop within " + STOP_TIMEOUT_SECONDS + " s");
            }
            connback.end().whenEnded().toCompletableFuture().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            print("demo", "Connback did not end within " + STOP_TIMEOUT_SECONDS + " s: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            server.ifPresent(EchoServer::stop);
            stopped.countDown();
        }
    }

    private void toggle(EchoServer echoServer) {
        if (echoServer.isOn()) {
            print("server", "off: closing the listener and every connection");
            echoServer.stop();
            return;
        }
        try {
            InetSocketAddress address = echoServer.start();
            print("server", "on: listening again on port " + address.getPort());
        } catch (IOException e) {
            print("server", "cannot listen again, will retry: " + e);
        }
    }

    private void print(String event, String detail) {
        out.accept(String.format("%s  %-9s  %s", LocalTime.now().format(TIME), event, detail).stripTrailing());
    }

    private static String endpoints(AsynchronousSocketChannel channel) {
        try {
            return channel.getLocalAddress() + " -> " + channel.getRemoteAddress();
        } catch (IOException e) {
            return channel.toString();
        }
    }

    /** Prints each Connback event; called on a Connback worker thread. */
    private final class EventPrinter implements ConnbackListener<AsynchronousSocketChannel> {

        @Override
        public void onConnect(AsynchronousSocketChannel channel) {
            print("connect", endpoints(channel));
        }

        @Override
        public void onReconnect() {
            print("reconnect", "new attempt");
        }

        @Override
        public void onClose(boolean hasError) {
            print("close", hasError ? "because of an error" : "closed without error");
        }

        @Override
        public void onOffline() {
            print("offline", "");
        }

        @Override
        public void onError(Throwable error) {
            print("error", error.toString());
        }

        @Override
        public void onEnd() {
            print("end", "");
        }
    }
}
