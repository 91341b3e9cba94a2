#!/usr/bin/env bash
# Builds the benchmarks and runs them; see benchmarks/README.md.
#
#   benchmarks/run.sh                  every part: JMH hot paths (1 and 2 threads), the scale run, the serial runs,
#                                      the TCP device links, the cold start
#   benchmarks/run.sh jmh              the JMH part only
#   benchmarks/run.sh scale [OPTIONS]  the scale run only; OPTIONS: --links N (10000) --keepalive-seconds S (5)
#                                      --idle-seconds S (30) --max-in-flight N (1000) --connector bench-nio|tcp
#   benchmarks/run.sh serial           the replug run, then the serial throughput run, with their defaults
#   benchmarks/run.sh replug [OPTIONS]             --cycles N (50) --warmup-cycles N (3)
#   benchmarks/run.sh serial-throughput [OPTIONS]  --round-trips N (5000) --frames N (50000) --frame-size B (64)
#                                                  --window N (32) --rounds N (5)
#   benchmarks/run.sh tcp-links [OPTIONS]          the scale run over the TCP connector, 1,000 links; the scale
#                                                  run's OPTIONS
#   benchmarks/run.sh hot-swap [OPTIONS]           Bundle.update() of the TCP connector bundle -> link connected
#                                                  again, in an embedded Felix: --swaps N (20) --warmup-swaps N (3)
#   benchmarks/run.sh broker-restart [OPTIONS]     200 MQTT clients through a Mosquitto restart: Connback with full
#                                                  jitter, without jitter, Paho's automatic reconnect; --clients N
#                                                  (200) --messages K (5) --outage-ms MS (4000); needs mosquitto
#                                                  (.ci/install-test-tools installs it)
#   benchmarks/run.sh durable-queue [OPTIONS]      the MQTT queue in memory and on disk (store = disk, interval:100
#                                                  and always) beside H2's MVStore: broker down, replay, broker up;
#                                                  --messages N (100000) --size B (100); needs mosquitto
#   benchmarks/run.sh cold-start [OPTIONS]         bin/gateway to all links connected, beside a bare Felix and Apache
#                                                  Karaf minimal (fetched here from Maven Central); --runs N (5)
#                                                  --few-links N (3) --many-links N (300)
#
# The scale run starts its echo server in a second JVM: 10,000 links need 10,000 file descriptors at each end, and
# the limit here (20,000) cannot be raised. The serial runs load jSerialComm's native library from the folder the
# build unpacked it into: JVMs that extract it into the shared temporary folder at once crash. Results are also
# written to benchmarks/target/results/.
set -euo pipefail

part="${1:-all}"
case "$part" in
    all | jmh | serial) shift $(($# > 0 ? 1 : 0)) ;;
    scale | replug | serial-throughput | tcp-links) shift ;;
    hot-swap | broker-restart | cold-start) shift ;;
    durable-queue) shift ;;
    *) echo "usage: $0 [all | jmh | scale [OPTIONS] | serial | replug [OPTIONS] | serial-throughput [OPTIONS]" \
        "| tcp-links [OPTIONS] | hot-swap [OPTIONS] | broker-restart [OPTIONS] | cold-start [OPTIONS]" \
        "| durable-queue [OPTIONS]]" >&2; exit 2 ;;
esac
if [[ $# -gt 0 && "$part" =~ ^(all|jmh|serial)$ ]]; then
    echo "$0 $part takes no options" >&2; exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/benchmarks/target/benchmarks.jar"
results="$root/benchmarks/target/results"
serial_jvm=(-DjSerialComm.library.path="$root/benchmarks/target/jSerialComm-native")

echo "# building $jar"
mvn -B -q -f "$root/pom.xml" -pl benchmarks -am package -DskipTests
mkdir -p "$results"

echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg), open files limit $(ulimit -n)"
java -version 2>&1 | sed 's/^/# /'

runs() {
    [[ "$part" == all || " $* " == *" $part "* ]]
}

if runs jmh; then
    # modest settings for a 2-core machine; -t 2 makes two threads hit the same Connback
    for threads in 1 2; do
        java -jar "$jar" HotPathBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -t "$threads" \
            -rf text -rff "$results/jmh-t$threads.txt"
    done
fi

if runs scale; then
    java -cp "$jar" io.connback.benchmarks.ScaleRun "$@" | tee "$results/scale.txt"
fi

if runs serial replug; then
    java "${serial_jvm[@]}" -cp "$jar" io.connback.benchmarks.ReplugRun "$@" | tee "$results/replug.txt"
fi

if runs serial serial-throughput; then
    java "${serial_jvm[@]}" -cp "$jar" io.connback.benchmarks.SerialThroughputRun "$@" \
        | tee "$results/serial-throughput.txt"
fi

if runs tcp-links; then
    java -cp "$jar" io.connback.benchmarks.ScaleRun --connector tcp --links 1000 "$@" | tee "$results/tcp-links.txt"
fi

if runs hot-swap; then
    java -Dconnback.hot-swap.bundles="$root/benchmarks/target/hot-swap-bundles" -cp "$jar" \
        io.connback.benchmarks.HotSwapRun "$@" | tee "$results/hot-swap.txt"
fi

if runs broker-restart; then
    java -cp "$jar" io.connback.benchmarks.BrokerRestartRun "$@" | tee "$results/broker-restart.txt"
fi

if runs cold-start; then
    # the anchor, Apache Karaf minimal: fetched here, never by the build; unpacked afresh so that one version is there
    rm -rf "$root/benchmarks/target/karaf"
    mvn -B -q -f "$root/pom.xml" -pl benchmarks dependency:unpack@unpack-karaf
    java -Dcoldstart.gateway="$root/gateway-runtime/target/connback-gateway" \
        -Dcoldstart.karaf="$(echo "$root"/benchmarks/target/karaf/apache-karaf-minimal-*)" \
        -cp "$jar" io.connback.benchmarks.ColdStartRun "$@" | tee "$results/cold-start.txt"
fi

if runs durable-queue; then
    java -cp "$jar" io.connback.benchmarks.DurableQueueRun "$@" | tee "$results/durable-queue.txt"
fi
