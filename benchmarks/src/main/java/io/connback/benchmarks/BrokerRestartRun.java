package io.connback.benchmarks;

import static io.connback.benchmarks.AttemptWindows.WINDOW;
import static io.connback.benchmarks.AttemptWindows.peak;
import static io.connback.benchmarks.AttemptWindows.timeline;
import static io.connback.benchmarks.Report.note;
import static io.connback.benchmarks.Report.result;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.backoff.BackoffStrategy;
import io.connback.backoff.Jitter;
import io.connback.link.mqtt.MqttLink;
import io.connback.mqtt.MqttConnector;
import io.connback.testing.LoopbackPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.DisconnectedBufferOptions;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The broker restart run: N MQTT clients (200 by default) lose their broker, publish K messages each while it is down,
 * and reconnect when it is back. Three scenarios in one run, each with fresh clients: Connbacks with full jitter,
 * Connbacks without jitter (both exponential backoff, initialDelay 100 ms, maxDelay 2 s), and, as the anchor, Paho
 * clients with Paho's own automatic reconnect (maxReconnectDelay 2 s, the same cap; re-subscribing in
 * {@code connectComplete}, publishing into Paho's disconnected buffer).
 *
 * <p>The broker is Mosquitto in a process of its own; the clients reach it through a {@link CountingProxy} that
 * timestamps every connection attempt, whichever library makes it. A scenario kills the broker (SIGKILL), waits until
 * every client noticed, has each publish K messages at QoS 1, and after the outage ({@code --outage-ms}, counted from
 * the kill) starts the broker again, connects a counting subscriber directly to it, publishes a retained message on
 * the topic every client subscribed to before the kill, and only then lets the proxy forward: "broker back". It
 * reports the time from then until every client reconnected, the connection attempts (total, and the peak in any
 * 100 ms window while the broker was down and after it was back), how many clients received the retained message
 * (their subscription was restored) and how many of the N x K queued messages reached the subscriber, in order.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.connback.benchmarks.BrokerRestartRun [--clients N] [--messages K]
 * [--outage-ms MS]}
 */
public final class BrokerRestartRun {

    private static final Duration INITIAL_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_DELAY = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration DELIVERY_WAIT = Duration.ofSeconds(15);
    private static final byte[] AFTER_RESTART = "after restart".getBytes(StandardCharsets.US_ASCII);

    /** The three ways of reconnecting that the run compares. */
    private enum Scenario {
        CONNBACK_FULL_JITTER("connback-full"),
        CONNBACK_NO_JITTER("connback-none"),
        PAHO_AUTOMATIC_RECONNECT("paho-automatic");

        final String label;

        Scenario(String label) {
            this.label = label;
        }
    }

    /** What one client went through, written by its callbacks. */
    private static final class ClientState {
        final AtomicInteger connects = new AtomicInteger();
        volatile long lostAt;
        volatile long reconnectedAt;
        volatile boolean restartMessageReceived;
        /** The errors the client reports, with their time: failed attempts (Connback), failed subscribes (Paho). */
        final List<Timed> errors = new CopyOnWriteArrayList<>();

        void connected() {
            if (connects.incrementAndGet() == 2) {
                reconnectedAt = System.nanoTime();
            }
        }

        void lost() {
            if (lostAt == 0) {
                lostAt = System.nanoTime();
            }
        }

        void received(byte[] payload) {
            if (Arrays.equals(payload, AFTER_RESTART)) {
                restartMessageReceived = true;
            }
        }
    }

    /** An error and when it was reported, in {@link System#nanoTime()}. */
    private record Timed(long nanos, Throwable error) {}

    /** One client of a scenario. */
    private interface Client {
        ClientState state();

        /** Publishes at QoS 1; while offline the message waits in the client's queue. */
        void publish(String topic, byte[] payload) throws MqttException;

        void close() throws Exception;
    }

    /** A Connback over the MQTT connector; its subscription is restored by the connector. */
    private static final class ConnbackClient implements Client, ConnbackListener<MqttLink> {
        private final ClientState state = new ClientState();
        private final Connback<MqttLink> connback;
        private final MqttLink link;

        ConnbackClient(String serverUri, String topic, Jitter jitter) {
            MqttConnector connector = MqttConnector.builder().serverUri(serverUri).build();
            ConnbackOptions options = ConnbackOptions.builder().strategy(BackoffStrategy.exponential()).jitter(jitter)
                    .initialDelay(INITIAL_DELAY).maxDelay(MAX_DELAY).keepalive(Duration.ofSeconds(30))
                    .connectTimeout(Duration.ofSeconds(10)).build();
            connback = Connback.create(connector, options, this);
            link = connector.link(connback);
            link.subscribe(topic, 1, message -> state.received(message.payload()));
        }

        @Override
        public void onConnect(MqttLink connected) {
            state.connected();
        }

        @Override
        public void onClose(boolean hasError) {
            state.lost();
        }

        @Override
        public void onError(Throwable error) {
            state.errors.add(new Timed(System.nanoTime(), error));
        }

        @Override
        public ClientState state() {
            return state;
        }

        @Override
        public void publish(String topic, byte[] payload) {
            link.publish(topic, payload, 1, false);
        }

        @Override
        public void close() throws Exception {
            connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A Paho client with Paho's automatic reconnect, as its documentation suggests using it. */
    private static final class PahoClient implements Client, MqttCallbackExtended {
        private final ClientState state = new ClientState();
        private final MqttAsyncClient client;
        private final String topic;

        PahoClient(String serverUri, String clientId, String topic) throws MqttException {
            this.topic = topic;
            client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
            DisconnectedBufferOptions buffer = new DisconnectedBufferOptions();
            buffer.setBufferEnabled(true);
            client.setBufferOpts(buffer);
            client.setCallback(this);
            MqttConnectOptions options = new MqttConnectOptions();
            options.setAutomaticReconnect(true);
            options.setMaxReconnectDelay((int) MAX_DELAY.toMillis());
            options.setCleanSession(true);
            // as the connector: by default Paho tries 3.1.1, then 3.1, which makes two connections per failed attempt
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            options.setKeepAliveInterval(30);
            options.setConnectionTimeout(10);
            client.connect(options); // Paho never retries a failed first connect: the run waits for all, or fails
        }

        /** Subscribes on every connect: with a clean session the broker forgot the subscription. */
        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            try {
                client.subscribe(topic, 1, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {}

                    @Override
                    public void onFailure(IMqttToken token, Throwable error) {
                        state.errors.add(new Timed(System.nanoTime(), error));
                    }
                });
            } catch (MqttException e) {
                state.errors.add(new Timed(System.nanoTime(), e));
            }
            state.connected();
        }

        @Override
        public void connectionLost(Throwable cause) {
            state.lost();
        }

        @Override
        public void messageArrived(String arrivedOn, MqttMessage message) {
            state.received(message.getPayload());
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {}

        @Override
        public ClientState state() {
            return state;
        }

        @Override
        public void publish(String publishTo, byte[] payload) throws MqttException {
            client.publish(publishTo, payload, 1, false);
        }

        /** Without a DISCONNECT packet: waiting for each one to be sent took a second per client. */
        @Override
        public void close() throws MqttException {
            client.disconnectForcibly(0, 0, false);
            client.close();
        }
    }

    /**
     * Connected directly to the broker: receives the queued messages, {@code <prefix>/<client>} with the sequence
     * number 1..K as payload, and counts those that came in order.
     */
    private static final class QueuedMessageCounter implements MqttCallbackExtended, AutoCloseable {
        private final MqttAsyncClient client;
        private final int[] next;
        private final AtomicInteger inOrder = new AtomicInteger();
        private final AtomicInteger outOfOrder = new AtomicInteger();

        QueuedMessageCounter(String serverUri, int clients) throws MqttException {
            next = new int[clients];
            Arrays.fill(next, 1);
            client = new MqttAsyncClient(serverUri, "broker-restart-counter", new MemoryPersistence());
            client.setCallback(this);
            client.connect().waitForCompletion(WAIT.toMillis());
        }

        void subscribe(String topicFilter) throws MqttException {
            client.subscribe(topicFilter, 1).waitForCompletion(WAIT.toMillis());
        }

        void publishRetained(String topic, byte[] payload) throws MqttException {
            client.publish(topic, payload, 1, true).waitForCompletion(WAIT.toMillis());
        }

        /** Paho calls this on one thread, in the order of arrival. */
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            int sender = Integer.parseInt(topic.substring(topic.lastIndexOf('/') + 1));
            int sequence = Integer.parseInt(new String(message.getPayload(), StandardCharsets.US_ASCII));
            if (sequence == next[sender]) {
                next[sender]++;
                inOrder.incrementAndGet();
            } else if (sequence > next[sender]) {
                outOfOrder.incrementAndGet(); // a message before it is missing; a duplicate (QoS 1) is ignored
            }
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {}

        @Override
        public void connectionLost(Throwable cause) {}

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {}

        /** Without a DISCONNECT packet: waiting for each one to be sent took a second per client. */
        @Override
        public void close() throws MqttException {
            client.disconnectForcibly(0, 0, false);
            client.close();
        }
    }

    /** The figures of one scenario. */
    private record Outcome(String label, long reconnected, long allBackMillis, int attempts, int peakWhileDown,
            int peakAfterBack, long subscriptionsRestored, int queuedInOrder, int queuedOutOfOrder) {}

    private final int clients;
    private final int messages;
    private final Duration outage;
    private final MosquittoProcess broker;
    private final int brokerPort;
    private final CountingProxy proxy;
    private final String proxyUri;

    private BrokerRestartRun(int clients, int messages, Duration outage, MosquittoProcess broker, int brokerPort,
            CountingProxy proxy, String proxyUri) {
        this.clients = clients;
        this.messages = messages;
        this.outage = outage;
        this.broker = broker;
        this.brokerPort = brokerPort;
        this.proxy = proxy;
        this.proxyUri = proxyUri;
    }

    /**
     * Runs the three scenarios and prints their figures.
     *
     * @param args options, see the class comment
     * @throws Exception if the run cannot proceed; it then says what failed
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args, List.of("--clients", "--messages", "--outage-ms"));
        int clients = options.positive("--clients", 200);
        int messages = options.positive("--messages", 5);
        Duration outage = Duration.ofMillis(options.positive("--outage-ms", 4000));
        int brokerPort = LoopbackPorts.belowEphemeralRange();
        int proxyPort = LoopbackPorts.belowEphemeralRange();
        Path folder = Files.createTempDirectory("connback-broker-restart-");
        try (MosquittoProcess broker = new MosquittoProcess(brokerPort, folder);
                CountingProxy proxy = new CountingProxy(proxyPort, brokerPort)) {
            new BrokerRestartRun(clients, messages, outage, broker, brokerPort, proxy, "tcp://127.0.0.1:" + proxyPort)
                    .run();
        } finally {
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(folder);
        }
    }

    private void run() throws Exception {
        note("%d clients, %d queued messages each, outage %d ms from the kill; Connback: exponential backoff, "
                + "initialDelay %d ms, maxDelay %d ms; Paho: automatic reconnect, maxReconnectDelay %d ms; "
                + "machine: %d CPUs, load average %s", clients, messages, outage.toMillis(), INITIAL_DELAY.toMillis(),
                MAX_DELAY.toMillis(), MAX_DELAY.toMillis(), Runtime.getRuntime().availableProcessors(),
                ProcessStats.loadAverage());
        broker.start();
        proxy.up();
        List<Outcome> outcomes = new ArrayList<>();
        for (Scenario scenario : Scenario.values()) {
            Outcome outcome = run(scenario);
            outcomes.add(outcome);
            result(outcome.label(), "%d/%d back %d ms after the broker; attempts %d, peak per 100 ms %d while "
                    + "down, %d after; subscriptions restored %d/%d; queued messages %d/%d in order (%d out of order)",
                    outcome.reconnected(), clients, outcome.allBackMillis(), outcome.attempts(),
                    outcome.peakWhileDown(), outcome.peakAfterBack(), outcome.subscriptionsRestored(), clients,
                    outcome.queuedInOrder(), clients * messages, outcome.queuedOutOfOrder());
        }
        note("%-16s %9s %10s %12s %12s %13s %9s", "scenario", "all back", "attempts", "peak/100ms", "peak/100ms",
                "subscriptions", "queued");
        note("%-16s %9s %10s %12s %12s %13s %9s", "", "(ms)", "", "while down", "after back", "restored",
                "in order");
        for (Outcome o : outcomes) {
            note("%-16s %9d %10d %12d %12d %13s %9s", o.label(), o.allBackMillis(), o.attempts(), o.peakWhileDown(),
                    o.peakAfterBack(), o.subscriptionsRestored() + "/" + clients,
                    o.queuedInOrder() + "/" + clients * messages);
        }
    }

    private Outcome run(Scenario scenario) throws Exception {
        String prefix = "bench/" + scenario.label;
        String broadcast = prefix + "/broadcast";
        List<Client> fleet = new ArrayList<>();
        long startedAt = System.nanoTime();
        try {
            for (int i = 0; i < clients; i++) {
                fleet.add(switch (scenario) {
                    case CONNBACK_FULL_JITTER -> new ConnbackClient(proxyUri, broadcast, Jitter.full());
                    case CONNBACK_NO_JITTER -> new ConnbackClient(proxyUri, broadcast, Jitter.none());
                    case PAHO_AUTOMATIC_RECONNECT -> new PahoClient(proxyUri, scenario.label + "-" + i, broadcast);
                });
            }
            Poll.until(() -> count(fleet, state -> state.connects.get() >= 1) == clients, WAIT,
                    clients + " " + scenario.label + " clients connected");
            note("%s: %d clients connected in %d ms", scenario.label, clients, millisSince(startedAt));

            proxy.down();
            proxy.resetCount();
            long killedAt = System.nanoTime();
            broker.stop();
            Poll.until(() -> count(fleet, state -> state.lostAt != 0) == clients, WAIT, "every client offline");
            for (int i = 0; i < clients; i++) {
                for (int sequence = 1; sequence <= messages; sequence++) {
                    fleet.get(i).publish(prefix + "/queued/" + i, Integer.toString(sequence)
                            .getBytes(StandardCharsets.US_ASCII));
                }
            }
            long restartAt = killedAt + outage.toNanos();
            while (System.nanoTime() - restartAt < 0) {
                Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(restartAt - System.nanoTime())));
            }
            broker.start();
            try (QueuedMessageCounter counter = new QueuedMessageCounter("tcp://127.0.0.1:" + brokerPort, clients)) {
                counter.subscribe(prefix + "/queued/+");
                counter.publishRetained(broadcast, AFTER_RESTART);
                long backAt = System.nanoTime();
                proxy.up();

                within(() -> count(fleet, state -> state.connects.get() >= 2) == clients, WAIT);
                long reconnected = count(fleet, state -> state.connects.get() >= 2);
                long allBackAt = fleet.stream().mapToLong(client -> client.state().reconnectedAt).max().orElseThrow();
                within(() -> count(fleet, state -> state.restartMessageReceived) == clients, DELIVERY_WAIT);
                within(() -> counter.inOrder.get() == clients * messages, DELIVERY_WAIT);

                List<Throwable> failedAfterBack = fleet.stream().flatMap(client -> client.state().errors.stream())
                        .filter(error -> error.nanos() >= backAt).map(Timed::error).toList();
                if (!failedAfterBack.isEmpty()) {
                    note("%s: %d errors reported after the broker was back (attempts begun before included), "
                            + "the first: %s", scenario.label,
                            failedAfterBack.size(), failedAfterBack.get(0));
                }
                long[] attempts = proxy.attempts();
                note("%s: attempts per 100 ms from the kill, the broker back after slot %d: %s", scenario.label,
                        (backAt - killedAt) / WINDOW.toNanos(), timeline(attempts, killedAt, allBackAt));
                int down = (int) Arrays.stream(attempts).filter(at -> at < backAt).count();
                int untilAllBack = (int) Arrays.stream(attempts).filter(at -> at <= allBackAt).count();
                return new Outcome(scenario.label, reconnected, TimeUnit.NANOSECONDS.toMillis(allBackAt - backAt),
                        untilAllBack, peak(Arrays.copyOfRange(attempts, 0, down)),
                        peak(Arrays.copyOfRange(attempts, down, untilAllBack)),
                        count(fleet, state -> state.restartMessageReceived), counter.inOrder.get(),
                        counter.outOfOrder.get());
            }
        } finally {
            long closingAt = System.nanoTime();
            for (Client client : fleet) {
                client.close();
            }
            note("%s: %d clients closed in %d ms", scenario.label, fleet.size(), millisSince(closingAt));
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    private static long count(List<Client> fleet, Predicate<ClientState> condition) {
        return fleet.stream().map(Client::state).filter(condition).count();
    }

    /** Waits for a condition; the figures tell whether it came, so a deadline that passes is no failure here. */
    private static void within(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
    }
}
