package io.connback.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Connection attempts counted per {@link #WINDOW}, from their sorted {@link System#nanoTime()} timestamps. */
final class AttemptWindows {

    /** The window the runs count attempts in. */
    static final Duration WINDOW = Duration.ofMillis(100);

    private AttemptWindows() {}

    /**
     * The attempts in each {@link #WINDOW} from {@code from} to {@code to}, as one line of numbers.
     *
     * @param sorted the attempts' timestamps, in order
     * @param from the start of the first slot
     * @param to the last instant counted
     * @return the counts, one per slot, separated by spaces
     */
    static String timeline(long[] sorted, long from, long to) {
        int[] slots = new int[(int) ((to - from) / WINDOW.toNanos()) + 1];
        for (long at : sorted) {
            if (at >= from && at <= to) {
                slots[(int) ((at - from) / WINDOW.toNanos())]++;
            }
        }
        return Arrays.stream(slots).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }

    /**
     * The most attempts in any {@link #WINDOW} (sliding, not fixed slots).
     *
     * @param sorted the attempts' timestamps, in order
     * @return the peak, 0 if there is none
     */
    static int peak(long[] sorted) {
        int peak = 0;
        int first = 0;
        for (int last = 0; last < sorted.length; last++) {
            while (sorted[last] - sorted[first] >= WINDOW.toNanos()) {
                first++;
            }
            peak = Math.max(peak, last - first + 1);
        }
        return peak;
    }
}
