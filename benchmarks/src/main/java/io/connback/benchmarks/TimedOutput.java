package io.connback.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The output of a child process, line by line, each line with the time it was read, counted from an origin (the
 * moment the process was started): the cold-start run asks when a line appeared. A daemon thread reads the stream to
 * its end, so the child never blocks on a full pipe.
 */
final class TimedOutput {

    private static final int TAIL_LINES = 10;

    private final long originNanos;
    private final List<Line> lines = new ArrayList<>(); // guarded by this
    private boolean ended; // guarded by this

    private record Line(long nanos, String text) {}

    /**
     * Starts reading.
     *
     * @param in the stream, read as UTF-8 until its end
     * @param originNanos the {@link System#nanoTime()} that the line times count from
     * @param threadName the name of the reading thread
     */
    TimedOutput(InputStream in, long originNanos, String threadName) {
        this.originNanos = originNanos;
        Thread reader = new Thread(() -> readAll(in), threadName);
        reader.setDaemon(true);
        reader.start();
    }

    private void readAll(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String text;
            while ((text = reader.readLine()) != null) {
                long nanos = System.nanoTime() - originNanos;
                synchronized (this) {
                    lines.add(new Line(nanos, text));
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone: its output ends here
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    /**
     * Waits for the first line that matches.
     *
     * @param match the line wanted
     * @param timeout how long to wait at most
     * @param what describes the line, for the failure message
     * @return when the line was read, nanoseconds after the origin
     * @throws IllegalStateException if the output ends or the timeout passes first
     * @throws InterruptedException if interrupted while waiting
     */
    long awaitLine(Predicate<String> match, Duration timeout, String what) throws InterruptedException {
        return awaitDistinct(text -> match.test(text) ? text : null, 1, timeout, what);
    }

    /**
     * Waits until lines with {@code count} different keys have been read, e.g. one "connected" line for each of
     * {@code count} links: a link that says it twice counts once.
     *
     * @param key the key of a line that counts (e.g. the link's name), null for other lines
     * @param count how many different keys are wanted
     * @param timeout how long to wait at most
     * @param what describes the lines, for the failure message
     * @return when the line that completed the count was read, nanoseconds after the origin
     * @throws IllegalStateException if the output ends or the timeout passes first
     * @throws InterruptedException if interrupted while waiting
     */
    synchronized long awaitDistinct(Function<String, String> key, int count, Duration timeout, String what)
            throws InterruptedException {
        Set<String> seen = new HashSet<>();
        int scanned = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (; scanned < lines.size(); scanned++) {
                Line line = lines.get(scanned);
                String lineKey = key.apply(line.text());
                if (lineKey != null && seen.add(lineKey) && seen.size() == count) {
                    return line.nanos();
                }
            }
            long left = deadline - System.nanoTime();
            if (ended || left <= 0) {
                throw new IllegalStateException((ended ? "the output ended" : "gave up after " + timeout.toSeconds()
                        + " s") + " waiting for " + what + " (" + seen.size() + " of " + count + " seen); last lines: "
                        + tail());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /**
     * The last lines read, to explain a failure.
     *
     * @return up to 10 lines
     */
    synchronized List<String> tail() {
        return lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()).stream().map(Line::text).toList();
    }
}
