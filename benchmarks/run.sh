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
#   benchmarks/run.sh isolation [OPTIONS]          20 TCP links' echo round trips while one link's frame listener
#                                                  blocks: --links N (20) --block-seconds S (10)
#                                                  --baseline-seconds S (5)
#   benchmarks/run.sh soak                         the soak and chaos suites, about 4 minutes: 1,000 kill/restart
#                                                  cycles of a local server under 100 TCP links, 60 s of chaos
#                                                  across 500 Connbacks, 10 s of each bad peer beside 10 healthy
#                                                  links; exits non-zero on a violation
#   benchmarks/run.sh soak-short                   the same, shorter (100 cycles, 20 s of chaos, 3 s per bad
#                                                  peer), for .ci/run
#   benchmarks/run.sh hot-swap [OPTIONS]           Bundle.update() of the TCP connector bundle -> link connected
#                                                  again, in an embedded Felix: --swaps N (20) --warmup-swaps N (3)
#   benchmarks/run.sh file-swap [OPTIONS]          the assembled gateway (-Dfileswap.gateway=DIR in JAVA_OPTS for
#                                                  another): idle CPU with one quiet link, then a copy of the TCP
#                                                  connector's jar renamed over it -> link connected again, from
#                                                  outside: --swaps N (20) --warmup-swaps N (3) --idle-seconds S
#                                                  (60) --pause-ms MS (1000)
#   benchmarks/run.sh broker-restart [OPTIONS]     200 MQTT clients through a Mosquitto restart: Connback with full
#                                                  jitter, without jitter, Paho's automatic reconnect; --clients N
#                                                  (200) --messages K (5) --outage-ms MS (4000); needs mosquitto
#                                                  (.ci/install-test-tools installs it)
#   benchmarks/run.sh durable-queue [OPTIONS]      the MQTT queue in memory and on disk (store = disk, interval:100
#                                                  and always) beside H2's MVStore: broker down, replay, broker up;
#                                                  --messages N (100000) --size B (100); needs mosquitto
#   benchmarks/run.sh web-status                   the web status (issue 11): cold start and RSS of bin/gateway
#                                                  with and without connback-web, /metrics and /api/links for
#                                                  301 links, a reconnect's change on the SSE stream
#   benchmarks/run.sh budget-restart [OPTIONS]     1,000 TCP links through a restart of their local server, without
#                                                  and with a shared reconnect budget, about 70 s: --links N (1000)
#                                                  --outage-ms MS (5000) --rate R (100) --burst B (50)
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
    all | jmh | serial | soak | soak-short) shift $(($# > 0 ? 1 : 0)) ;;
    scale | replug | serial-throughput | tcp-links | isolation) shift ;;
    hot-swap | file-swap | broker-restart | budget-restart | cold-start | durable-queue | web-status) shift ;;
    *) echo "usage: $0 [all | jmh | scale [OPTIONS] | serial | replug [OPTIONS] | serial-throughput [OPTIONS]" \
        "| tcp-links [OPTIONS] | isolation [OPTIONS] | soak | soak-short | hot-swap [OPTIONS] | file-swap [OPTIONS]" \
        "| broker-restart [OPTIONS] | budget-restart [OPTIONS] | cold-start [OPTIONS] | durable-queue [OPTIONS]" \
        "| web-status]" >&2; exit 2 ;;
esac
if [[ $# -gt 0 && "$part" =~ ^(all|jmh|serial|soak|soak-short)$ ]]; then
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

# the suites are pass/fail, not figures: they run only when asked for, never in "all"
if [[ "$part" == soak || "$part" == soak-short ]]; then
    if [[ "$part" == soak ]]; then cycles=1000 chaos_seconds=60 bad_input_seconds=10
    else cycles=100 chaos_seconds=20 bad_input_seconds=3; fi
    java -cp "$jar" io.connback.benchmarks.SoakRun --cycles "$cycles" | tee "$results/$part-kill-restart.txt"
    java -cp "$jar" io.connback.benchmarks.ChaosRun --seconds "$chaos_seconds" | tee "$results/$part-chaos.txt"
    java -Xmx128m -cp "$jar" io.connback.benchmarks.BadInputRun --seconds "$bad_input_seconds" | tee "$results/$part-bad-input.txt"
    exit 0
fi

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

if runs isolation; then
    java -cp "$jar" io.connback.benchmarks.IsolationRun "$@" | tee "$results/isolation.txt"
fi

if runs hot-swap; then
    java -Dconnback.hot-swap.bundles="$root/benchmarks/target/hot-swap-bundles" -cp "$jar" \
        io.connback.benchmarks.HotSwapRun "$@" | tee "$results/hot-swap.txt"
fi

if runs file-swap; then
    # JAVA_OPTS may name another assembly to compare: -Dfileswap.gateway=DIR
    # shellcheck disable=SC2086
    java -Dfileswap.gateway="$root/gateway-runtime/target/connback-gateway" ${JAVA_OPTS:-} -cp "$jar" \
        io.connback.benchmarks.FileSwapRun "$@" | tee "$results/file-swap.txt"
fi

if runs broker-restart; then
    java -cp "$jar" io.connback.benchmarks.BrokerRestartRun "$@" | tee "$results/broker-restart.txt"
fi

if [[ "$part" == web-status ]]; then
    # the assembled gateway with and without its web bundle, side by side (python3: the machine's own)
    python3 "$root/benchmarks/web-status-bench.py" "$root/gateway-runtime/target/connback-gateway" \
        | tee "$results/web-status.txt"
fi

# compared inside one run, asked for by name only: not in "all"
if [[ "$part" == budget-restart ]]; then
    java -cp "$jar" io.connback.benchmarks.BudgetRestartRun "$@" | tee "$results/budget-restart.txt"
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
