package io.connback.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessage;
import io.connback.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The durable queue against real crashes: a gateway in a child JVM ({@link StoreClient}) publishes numbered QoS 1
 * messages and is killed with SIGKILL; a new one on the same store folder sends what the first left. Every message
 * whose publish returned more than a sync interval before the kill must reach a subscriber, in order; duplicates are
 * counted, and may only be messages that were in flight at the kill.
 */
class MqttStoreCrashTest {

    /** The messages the first gateway publishes before it is killed (about one a millisecond). */
    private static final int PUBLISHED_BEFORE_KILL = 1500;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern KEPT = Pattern.compile("(\\d+) messages \\(\\d+ bytes\\) kept from before.*; (\\d+) "
            + "of them were sent and not acknowledged");

    /** Where the broker is when the gateway is killed. */
    enum Broker {
        /** Away the whole time: every message waits in the store, none was ever sent. */
        AWAY,
        /** Up, with messages in flight at the kill: the only ones that may arrive twice. */
        UP
    }

    private final Fixture fixture = new Fixture();
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path folder;

    @AfterEach
    void killChildren() throws Exception {
        processes.forEach(Process::destroyForcibly);
        fixture.endAll();
    }

    static Stream<Arguments> cases() {
        return Stream.of(BrokerKind.values()).flatMap(kind -> Stream.of("interval:100", "always")
                .flatMap(sync -> Stream.of(Broker.values()).map(broker -> Arguments.of(kind, sync, broker))));
    }

    @ParameterizedTest(name = "{0}, store.sync={1}, broker {2} at the kill")
    @MethodSource("cases")
    void everyMessagePublishedASyncIntervalBeforeAKillArrivesInOrderAfterARestart(BrokerKind kind, String sync,
            Broker at) throws Exception {
        TestBroker broker = fixture.broker(kind);
        Path store = folder.resolve("uplink");
        String topic = "crash/" + sync.replace(':', '-') + "/" + at;
        Recorder watcher = null;
        if (at == Broker.UP) {
            broker.start();
            watcher = watch(broker, topic);
        }
        Duration margin = sync.equals("always") ? Duration.ofMillis(50) : Duration.ofMillis(100);

        Map<Integer, Long> returnedAt = new ConcurrentHashMap<>();
        Process first = start(broker, store, sync, topic, PUBLISHED_BEFORE_KILL, folder.resolve("first.log"),
                returnedAt);
        Await.until(() -> "the first gateway published, its log: " + read(folder.resolve("first.log")), WAIT,
                () -> returnedAt.size() >= PUBLISHED_BEFORE_KILL * 2 / 3);
        long killed = System.nanoTime();
        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
        Set<Integer> expected = new LinkedHashSet<>();
        returnedAt.forEach((n, nanos) -> {
            if (killed - nanos > margin.toNanos()) {
                expected.add(n);
            }
        });

        if (at == Broker.AWAY) {
            broker.start();
            watcher = watch(broker, topic);
        }
        Recorder received = watcher;
        Path secondLog = folder.resolve("second.log");
        start(broker, store, sync, topic, 0, secondLog, new ConcurrentHashMap<>());
        Await.until(() -> "every message published " + margin.toMillis() + " ms before the kill ("
                + expected.size() + "), got " + numbers(received).size() + "; the gateway's log: " + read(secondLog),
                WAIT, () -> numbers(received).containsAll(expected));
        awaitQuiet(received);

        List<Integer> numbers = numbers(received);
        List<Integer> distinct = List.copyOf(new LinkedHashSet<>(numbers));
        int duplicates = numbers.size() - distinct.size();
        // the restarted gateway tells what it kept, if anything
        Matcher kept = KEPT.matcher(read(secondLog));
        boolean told = kept.find();
        int keptMessages = told ? Integer.parseInt(kept.group(1)) : 0;
        int possibleDuplicates = told ? Integer.parseInt(kept.group(2)) : 0;
        System.out.printf("%s, store.sync=%s, broker %s: %d publishes returned, %d more than %d ms before the kill,"
                + " %d kept by the store, %d received (%d duplicates, %d told as possible)%n", kind, sync, at,
                returnedAt.size(), expected.size(), margin.toMillis(), keptMessages,
                distinct.size(), duplicates, possibleDuplicates);

        assertThat(distinct).as("in order").isSorted();
        assertThat(distinct).containsAll(expected);
        assertThat(duplicates).as("duplicates: only messages in flight at the kill").isLessThanOrEqualTo(
                possibleDuplicates);
        if (at == Broker.AWAY) {
            assertThat(told).as("the restarted gateway tells what it kept: %s", read(secondLog)).isTrue();
            assertThat(possibleDuplicates).as("nothing was ever sent").isZero();
            assertThat(distinct).as("nothing had reached the broker: all come from the store")
                    .startsWith(1);
        }
    }

    /** Starts a gateway; the time each of its publishes returned goes into {@code returnedAt}. */
    private Process start(TestBroker broker, Path store, String sync, String topic, int count, Path log,
            Map<Integer, Long> returnedAt) throws IOException {
        Process process = ChildJvm.of(StoreClient.class, broker.uri(), "crash-gw-" + System.nanoTime(),
                store.toString(), sync, topic, Integer.toString(count)).redirectError(Redirect.appendTo(log.toFile()))
                .start();
        processes.add(process);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("P ")) {
                        returnedAt.put(Integer.parseInt(line.substring(2)), System.nanoTime());
                    }
                }
            } catch (IOException e) {
                // the process was killed
            }
        }, "crash-test-reader");
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    /** A subscriber on its own Connback, subscribed once it returns. */
    private Recorder watch(TestBroker broker, String topic) throws Exception {
        Recorder watcher = new Recorder();
        fixture.start(MqttConnector.builder().serverUri(broker.uri()).build(), watcher);
        MqttLink link = watcher.awaitConnects(1);
        link.subscribe(topic, 1, watcher);
        link.publish(topic, "0".getBytes(StandardCharsets.UTF_8), 1, false).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        Await.until(() -> "the watcher's own marker", WAIT, () -> !watcher.messages.isEmpty());
        watcher.messages.clear();
        return watcher;
    }

    private static List<Integer> numbers(Recorder watcher) {
        List<Integer> numbers = new ArrayList<>();
        for (MqttMessage message : watcher.messages) {
            numbers.add(Integer.parseInt(new String(message.payload(), StandardCharsets.UTF_8)));
        }
        return numbers;
    }

    /** Waits until no message arrived for half a second: duplicates come last. */
    private static void awaitQuiet(Recorder watcher) throws InterruptedException {
        int before;
        do {
            before = watcher.messages.size();
            Thread.sleep(500);
        } while (watcher.messages.size() != before);
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "(none yet)";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
