package io.connback.mqtt;

import io.connback.Connback;
import io.connback.ConnbackOptions;
import io.connback.link.mqtt.MqttLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts Connbacks with quick retries for a test and ends them, and closes its brokers, after it. */
final class Fixture {

    private final List<Connback<MqttLink>> connbacks = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** Quick retries, an MQTT keepalive that never gets in the way, a bound on every attempt. */
    static ConnbackOptions.Builder options() {
        return ConnbackOptions.builder().initialDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(200))
                .stableAfter(Duration.ZERO).keepalive(Duration.ofSeconds(30)).connectTimeout(Duration.ofSeconds(5));
    }

    Connback<MqttLink> start(MqttConnector connector, Recorder recorder) {
        return start(connector, options().build(), recorder);
    }

    Connback<MqttLink> start(MqttConnector connector, ConnbackOptions options, Recorder recorder) {
        Connback<MqttLink> connback = Connback.create(connector, options, recorder);
        connbacks.add(connback);
        return connback;
    }

    <T extends AutoCloseable> T closeAfter(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    /** A broker of that kind, not started yet, closed after the test. */
    TestBroker broker(BrokerKind kind) {
        return closeAfter(kind.create());
    }

    /** Paho names its threads after the client: {@code MQTT Rec: <clientId>}, {@code MQTT Call: <clientId>}... */
    static List<String> pahoThreadsOf(String clientId) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("MQTT ") && name.endsWith(": " + clientId)).toList();
    }

    /** Ends the Connbacks, then closes the brokers and the rest, each of them even if another one fails. */
    void endAll() throws Exception {
        try {
            for (Connback<MqttLink> connback : connbacks) {
                connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        } finally {
            Exception failure = null;
            for (AutoCloseable closeable : closeables) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
