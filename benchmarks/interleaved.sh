#!/usr/bin/env bash
# Runs InterleavedStepBenchmark with $THREADS threads for ND4J (default "1 2", one JMH run per setting), writes the
# JMH JSON to $RESULTS_DIR (default benchmarks/results/interleaved) and prints the step ratios per case with
# tables.py --interleaved. Extra arguments go to JMH and replace the settings below.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/benchmarks.jar"
results="${RESULTS_DIR:-$here/results/interleaved}"
threads_list="${THREADS:-1 2}"

if [[ ! -f "$jar" ]]; then
  echo "Missing $jar: build it with 'mvn -q -f benchmarks/pom.xml package -DskipTests'" >&2
  exit 1
fi
mkdir -p "$results"
settings=(-f 2 -wi 2 -w 5s -i 6 -r 5s)
if [[ $# -gt 0 ]]; then
  settings=("$@")
fi

files=()
for threads in $threads_list; do
  out="$results/interleaved-threads$threads.json"
  echo "Running InterleavedStepBenchmark with $threads thread(s), results in $out"
  OMP_NUM_THREADS="$threads" java -jar "$jar" InterleavedStepBenchmark "${settings[@]}" \
    -rf json -rff "$out" -jvmArgsAppend "-Xmx4g -Xms4g -Dbench.threads=$threads" \
    > "$results/interleaved-threads$threads.log" 2>&1
  files+=("$out")
done

python3 "$here/tables.py" --interleaved "${files[@]}"
