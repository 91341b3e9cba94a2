package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/** Looks at this process from the inside: file descriptors, threads, where a thread is blocked. */
final class Probes {

    private Probes() {
    }

    static long openFileDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }

    static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /** The threads alive now that were not alive {@code before}, waiting up to 5 s for them to end. */
    static Set<Thread> threadsLeftSince(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            Set<Thread> left = liveThreads();
            left.removeAll(before);
            if (left.isEmpty() || System.nanoTime() - deadline > 0) {
                return left;
            }
            Thread.sleep(10);
        }
    }

    /**
     * Waits until {@code thread} is blocked in native code (a JNA poll, a jSerialComm read), so that what the test
     * does next happens while it is blocked.
     */
    static void awaitInNativeCode(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!inNativeCode(thread)) {
            assertThat(System.nanoTime() - deadline).as("%s blocks in native code within 5 s", thread).isNegative();
            Thread.sleep(1);
        }
    }

    private static boolean inNativeCode(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        return stack.length > 0 && stack[0].isNativeMethod();
    }
}
