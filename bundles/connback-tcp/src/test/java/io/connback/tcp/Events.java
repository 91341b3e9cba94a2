package io.connback.tcp;


import io.connback.ConnbackListener;
import io.connback.link.FrameListener;
import io.connback.link.FramingException;
import io.connback.link.Link;
import io.connback.testing.Await;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Records what a Connback of links reports, with the time of each event, and every frame of every link it connects
 * (the listener is added in the connect event, so frames a device sends before it are not seen).
 */
final class Events implements ConnbackListener<Link>, FrameListener {

    /** An event and when it was seen ({@link System#nanoTime()}). */
    record Timed<T>(T value, long nanos) {}

    final List<Timed<Link>> connects = new CopyOnWriteArrayList<>();
    final List<Timed<Boolean>> closes = new CopyOnWriteArrayList<>();
    final List<Timed<Throwable>> errors = new CopyOnWriteArrayList<>();
    final List<String> frames = new CopyOnWriteArrayList<>();
    final List<FramingException> framingErrors = new CopyOnWriteArrayList<>();
    volatile boolean ended;

    @Override
    public void onConnect(Link link) {
        link.addFrameListener(this);
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
    public void onFrame(ByteBuffer frame) {
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        frames.add(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void onFramingError(FramingException error) {
        framingErrors.add(error);
    }

    Link link(int index) {
        return connects.get(index).value();
    }

    List<Throwable> errorValues() {
        return errors.stream().map(Timed::value).toList();
    }

    /** Waits for {@code count} connects and returns the last one's link. */
    Link awaitConnects(int count) {
        await(() -> connects.size() >= count, Duration.ofSeconds(10), () -> "connect #" + count + ", saw " + this);
        return link(count - 1);
    }

    @Override
    public String toString() {
        return "Events[connects=" + connects.size() + ", closes=" + closes.stream().map(Timed::value).toList()
                + ", errors=" + errorValues() + ", frames=" + frames + ", framingErrors=" + framingErrors.size() + "]";
    }

    /** Polls a condition until it holds; fails with the description after the timeout. */
    static void await(BooleanSupplier condition, Duration timeout, Supplier<String> description) {
        Await.until(description, timeout, condition);
    }
}
