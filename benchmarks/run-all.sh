#!/usr/bin/env bash
# Runs every JMH benchmark except InterleavedStepBenchmark (see interleaved.sh) with 1 and then 2 threads for ND4J
# and PyTorch, writes JMH JSON results to $RESULTS_DIR (default benchmarks/results) and plots the training step times to $PLOT
# (default docs/benchmark-step-time.png). Extra arguments go to JMH. Without them the iteration counts and
# times in the benchmark annotations apply (2 forks, 5 x 5 s warm-up, 10 x 5 s measurement per case).
# OMP_NUM_THREADS must be in the environment before the JVM starts, because ND4J's OpenMP and OpenBLAS pools read it
# when the native library loads; JMH's forked JVMs inherit it from the launcher.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"
results="${RESULTS_DIR:-$here/results}"
plot="${PLOT:-$root/docs/benchmark-step-time.png}"
threads_list="${THREADS:-1 2}"

if [[ ! -f "$jar" ]]; then
  echo "Missing $jar: build it with 'mvn -q -f benchmarks/pom.xml package -DskipTests'" >&2
  exit 1
fi
mkdir -p "$results"

files=()
for threads in $threads_list; do
  out="$results/jmh-threads$threads.json"
  echo "Running JMH with $threads thread(s), results in $out"
  OMP_NUM_THREADS="$threads" java -jar "$jar" -e InterleavedStepBenchmark \
    -rf json -rff "$out" \
    -jvmArgsAppend "-Xmx4g -Xms4g -Dai.djl.offline=true -Dbench.threads=$threads" \
    "$@"
  files+=("$out")
done

java -cp "$jar" io.github.dl4jsparsity.bench.StepTimePlot "$plot" "Training step time" "${files[@]}"
