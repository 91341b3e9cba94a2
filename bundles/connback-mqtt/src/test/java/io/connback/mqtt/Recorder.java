package io.connback.mqtt;


import io.connback.ConnbackListener;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessage;
import io.connback.link.mqtt.MqttMessageListener;
import io.connback.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Records what a Connback of MQTT links reports, with the time of each event, and the messages of a subscription. */
final class Recorder implements ConnbackListener<MqttLink>, MqttMessageListener {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** An event and when it was seen ({@link System#nanoTime()}). */
    record Timed<T>(T value, long nanos) {}

    final List<Timed<MqttLink>> connects = new CopyOnWriteArrayList<>();
    /** What each link said of {@link MqttLink#isConnected()} in the connect event. */
    final List<Boolean> connectedOnConnect = new CopyOnWriteArrayList<>();
    final List<Timed<Boolean>> closes = new CopyOnWriteArrayList<>();
    final List<Timed<Throwable>> errors = new CopyOnWriteArrayList<>();
    final List<MqttMessage> messages = new CopyOnWriteArrayList<>();
    volatile boolean ended;

    @Override
    public void onConnect(MqttLink link) {
        connectedOnConnect.add(link.isConnected());
        connects.add(new Timed<>(link, System.nanoTime()));
    }

    @Override
    public void onClose(boolean hasError) {
        closes.add(new Timed<>(hasError, System.nanoTime()));
    }

    @Override
    public void onError(Throwable error) {
        errors.add(new Timed<>(error, System.nanoTime()));
    }

    @Override
    public void onEnd() {
        ended = true;
    }

    @Override
    public void onMessage(MqttMessage message) {
        messages.add(message);
    }

    List<Throwable> errorValues() {
        return errors.stream().map(Timed::value).toList();
    }

    /** The payloads received so far, as UTF-8 text. */
    List<String> texts() {
        return messages.stream().map(message -> new String(message.payload(), StandardCharsets.UTF_8)).toList();
    }

    /** Waits for {@code count} connects and returns the last one's link. */
    MqttLink awaitConnects(int count) {
        await(() -> connects.size() >= count, () -> "connect #" + count + ", saw " + this);
        return connects.get(count - 1).value();
    }

    void awaitMessages(int count) {
        await(() -> messages.size() >= count, () -> count + " messages, saw " + this);
    }

    @Override
    public String toString() {
        return "Recorder[connects=" + connects.size() + ", closes=" + closes.stream().map(Timed::value).toList()
                + ", errors=" + errorValues() + ", messages=" + texts() + "]";
    }

    /** Polls a condition until it holds; fails with the description after {@link #WAIT}. */
    static void await(BooleanSupplier condition, Supplier<String> description) {
        Await.until(description, WAIT, condition);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
