#!/usr/bin/env bash
# Builds the benchmarks and runs them; see benchmarks/README.md.
#
#   benchmarks/run.sh                  both parts: JMH hot paths (1 and 2 threads), then the scale run
#   benchmarks/run.sh jmh              the JMH part only
#   benchmarks/run.sh scale [OPTIONS]  the scale run only; OPTIONS: --links N (10000) --keepalive-seconds S (5)
#                                      --idle-seconds S (30) --max-in-flight N (1000)
#
# The scale run starts its echo server in a second JVM: 10,000 links need 10,000 file descriptors at each end, and
# the limit here (20,000) cannot be raised. Results are also written to benchmarks/target/results/.
set -euo pipefail

part="${1:-all}"
case "$part" in
    all | jmh) shift $(($# > 0 ? 1 : 0)) ;;
    scale) shift ;;
    *) echo "usage: $0 [all | jmh | scale [--links N] [--keepalive-seconds S] [--idle-seconds S]]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/benchmarks/target/benchmarks.jar"
results="$root/benchmarks/target/results"

echo "# building $jar"
mvn -B -q -f "$root/pom.xml" -pl benchmarks -am package -DskipTests
mkdir -p "$results"

echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg), open files limit $(ulimit -n)"
java -version 2>&1 | sed 's/^/# /'

if [[ "$part" == all || "$part" == jmh ]]; then
    # modest settings for a 2-core machine; -t 2 makes two threads hit the same Connback
    for threads in 1 2; do
        java -jar "$jar" HotPathBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -t "$threads" \
            -rf text -rff "$results/jmh-t$threads.txt"
    done
fi

if [[ "$part" == all || "$part" == scale ]]; then
    java -cp "$jar" io.connback.benchmarks.ScaleRun "$@" | tee "$results/scale.txt"
fi
