package io.connback.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** What this JVM process uses, from the platform MXBeans and Linux {@code /proc/self/status}. */
final class ProcessStats {

    private static final int GC_RUNS = 4;
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path LOADAVG = Path.of("/proc/loadavg");

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

    private ProcessStats() {}

    /**
     * The heap in use after several full collections: the live objects, without garbage.
     *
     * @return bytes
     */
    static long usedHeapAfterGc() {
        for (int i = 0; i < GC_RUNS; i++) {
            MEMORY.gc();
        }
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /**
     * The resident set size: heap, metaspace, code, thread stacks and native memory that is actually in RAM.
     *
     * @return bytes
     */
    static long residentBytes() {
        return statusField("VmRSS") * 1024;
    }

    /**
     * All threads of the process, including the JVM's own (GC, compiler) that Java does not list.
     *
     * @return the number of native threads
     */
    static long nativeThreads() {
        return statusField("Threads");
    }

    /**
     * The live Java threads by id.
     *
     * @return thread id to name, sorted by id
     */
    static Map<Long, String> javaThreads() {
        Map<Long, String> threads = new TreeMap<>();
        Thread.getAllStackTraces().keySet().forEach(t -> threads.put(t.getId(), t.getName()));
        return threads;
    }

    /**
     * The CPU time this process used so far, all threads, user and system.
     *
     * @return nanoseconds
     */
    static long cpuNanos() {
        return OS.getProcessCpuTime();
    }

    /**
     * The CPU time each live Java thread used so far.
     *
     * @return thread name to nanoseconds; threads of the same name are added up
     */
    static Map<String, Long> cpuNanosByThread() {
        Map<String, Long> cpu = new TreeMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            long nanos = THREADS.getThreadCpuTime(thread.getId());
            if (nanos > 0) {
                cpu.merge(thread.getName(), nanos, Long::sum);
            }
        }
        return cpu;
    }

    /**
     * How busy the whole machine is: other processes' work inflates CPU times measured here.
     *
     * @return the 1-minute load average, or "unknown"
     */
    static String loadAverage() {
        try {
            return Files.readString(LOADAVG).split(" ", 2)[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long statusField(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name + ":")) {
                    return Long.parseLong(line.substring(name.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATUS + " (the scale run needs Linux)", e);
        }
        throw new IllegalStateException(STATUS + " has no " + name + " line");
    }
}
