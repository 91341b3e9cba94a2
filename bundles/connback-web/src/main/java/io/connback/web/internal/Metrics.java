package io.connback.web.internal;

import io.connback.ConnectionState;
import io.connback.osgi.LinkStatus;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.RuntimeMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): the links' states, counters and outage histograms,
 * and the JVM's basics. Written by hand: a metrics library would be the bundle's largest part for a dozen families;
 * {@code MetricsTest} checks the output with Prometheus's own {@code promtool check metrics}.
 */
final class Metrics {

    /** The content type of the format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final List<String> STATES = states();

    private final StringBuilder out = new StringBuilder(4096);

    private Metrics() {}

    /**
     * The text of every metric.
     *
     * @param statuses every link's status
     * @param outages each link's outage histogram
     * @return the text
     */
    static String write(List<LinkStatus> statuses, Function<String, OutageHistogram.Snapshot> outages) {
        Metrics metrics = new Metrics();
        metrics.links(statuses, outages);
        metrics.jvm();
        return metrics.out.toString();
    }

    private void links(List<LinkStatus> statuses, Function<String, OutageHistogram.Snapshot> outages) {
        family("connback_link_state", "gauge",
                "1 for the state the link is in, 0 for the others; REFUSED: its configuration is refused");
        for (LinkStatus status : statuses) {
            String current = LinkChange.stateOf(status);
            for (String state : STATES) {
                sample("connback_link_state", labels(status.name(), "state", state), state.equals(current) ? 1 : 0);
            }
        }
        gauge(statuses, "connback_link_required", "1 if the gateway's health depends on the link (required = true)",
                status -> status.required() ? 1 : 0);
        gauge(statuses, "connback_link_attempt", "The attempt under way or last failed since the link was stable",
                LinkStatus::attempt);
        counter(statuses, "connback_link_connects_total", "Connections made", LinkStatus::connects);
        counter(statuses, "connback_link_drops_total", "Established connections lost or closed", LinkStatus::drops);
        counter(statuses, "connback_link_failed_attempts_total", "Connection attempts that failed",
                LinkStatus::failedAttempts);
        counter(statuses, "connback_link_frames_received_total", "Frames received", LinkStatus::framesIn);
        counter(statuses, "connback_link_received_bytes_total", "Bytes of the frames received", LinkStatus::bytesIn);
        counter(statuses, "connback_link_frames_sent_total", "Frames sent", LinkStatus::framesOut);
        counter(statuses, "connback_link_sent_bytes_total", "Bytes of the frames sent", LinkStatus::bytesOut);

        family("connback_link_outage_seconds", "histogram",
                "How long the link was out, from a lost connection to the next connection");
        for (LinkStatus status : statuses) {
            OutageHistogram.Snapshot histogram = outages.apply(status.name());
            for (int i = 0; i < OutageHistogram.BOUNDS.length; i++) {
                sample("connback_link_outage_seconds_bucket",
                        labels(status.name(), "le", number(OutageHistogram.BOUNDS[i])),
                        histogram.cumulativeCounts()[i]);
            }
            sample("connback_link_outage_seconds_bucket", labels(status.name(), "le", "+Inf"), histogram.count());
            sample("connback_link_outage_seconds_sum", labels(status.name()), number(histogram.sumSeconds()));
            sample("connback_link_outage_seconds_count", labels(status.name()), histogram.count());
        }
    }

    private void jvm() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        family("jvm_memory_used_bytes", "gauge", "Memory used by the JVM");
        sample("jvm_memory_used_bytes", "{area=\"heap\"}", heap.getUsed());
        sample("jvm_memory_used_bytes", "{area=\"nonheap\"}", nonHeap.getUsed());
        family("jvm_memory_committed_bytes", "gauge", "Memory committed by the JVM");
        sample("jvm_memory_committed_bytes", "{area=\"heap\"}", heap.getCommitted());
        sample("jvm_memory_committed_bytes", "{area=\"nonheap\"}", nonHeap.getCommitted());
        family("jvm_memory_max_bytes", "gauge", "The most memory the JVM may use, -1 if unbounded");
        sample("jvm_memory_max_bytes", "{area=\"heap\"}", heap.getMax());
        family("jvm_threads_current", "gauge", "Live threads");
        sample("jvm_threads_current", "", ManagementFactory.getThreadMXBean().getThreadCount());
        List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
        family("jvm_gc_collections_total", "counter", "Garbage collections");
        collectors.forEach(gc -> sample("jvm_gc_collections_total", "{gc=\"" + escape(gc.getName()) + "\"}",
                Math.max(0, gc.getCollectionCount())));
        family("jvm_gc_collection_seconds_total", "counter", "Time spent in garbage collections");
        collectors.forEach(gc -> sample("jvm_gc_collection_seconds_total", "{gc=\"" + escape(gc.getName()) + "\"}",
                number(Math.max(0, gc.getCollectionTime()) / 1000.0)));
        RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        family("process_start_time_seconds", "gauge", "When the gateway's JVM started, in seconds since the epoch");
        sample("process_start_time_seconds", "", number(runtime.getStartTime() / 1000.0));
        family("jvm_info", "gauge", "The JVM's version");
        sample("jvm_info", "{version=\"" + escape(runtime.getVmVersion()) + "\",vendor=\""
                + escape(runtime.getVmVendor()) + "\"}", 1);
    }

    private void gauge(List<LinkStatus> statuses, String name, String help, ToLongFunction<LinkStatus> value) {
        family(name, "gauge", help);
        statuses.forEach(status -> sample(name, labels(status.name()), value.applyAsLong(status)));
    }

    private void counter(List<LinkStatus> statuses, String name, String help, ToLongFunction<LinkStatus> value) {
        family(name, "counter", help);
        statuses.forEach(status -> sample(name, labels(status.name()), value.applyAsLong(status)));
    }

    private void family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, String labels, long value) {
        sample(name, labels, Long.toString(value));
    }

    private void sample(String name, String labels, String value) {
        out.append(name).append(labels).append(' ').append(value).append('\n');
    }

    private static String labels(String link) {
        return "{link=\"" + escape(link) + "\"}";
    }

    private static String labels(String link, String name, String value) {
        return "{link=\"" + escape(link) + "\"," + name + "=\"" + escape(value) + "\"}";
    }

    /** A label value: backslash, double quote and line feed are escaped, as the format requires. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%s", value);
    }

    private static List<String> states() {
        List<String> states = new ArrayList<>();
        for (ConnectionState state : ConnectionState.values()) {
            states.add(state.name());
        }
        states.add(LinkChange.REFUSED);
        return List.copyOf(states);
    }
}
