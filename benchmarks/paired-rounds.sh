#!/usr/bin/env bash
# Runs TrainingStepBenchmark in $ROUNDS short rounds (default 5) with $THREADS threads (default 1) and prints the
# step ratios paired by round. JMH runs the three variants of a case one after another, so within a round the
# baseline, library and floor of a case are measured seconds apart, and a slow drift of the machine cancels in their
# ratio. The spread of that ratio over the rounds is then the error. JSON per round goes to $RESULTS_DIR (default
# benchmarks/results/paired). Extra arguments go to JMH and replace the short iteration settings below.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/benchmarks.jar"
results="${RESULTS_DIR:-$here/results/paired}"
rounds="${ROUNDS:-5}"
threads="${THREADS:-1}"

if [[ ! -f "$jar" ]]; then
  echo "Missing $jar: build it with 'mvn -q -f benchmarks/pom.xml package -DskipTests'" >&2
  exit 1
fi
mkdir -p "$results"
settings=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
if [[ $# -gt 0 ]]; then
  settings=("$@")
fi

files=()
for round in $(seq 1 "$rounds"); do
  out="$results/round$round-threads$threads.json"
  echo "Round $round of $rounds, $threads thread(s), results in $out"
  # JMH reads the pattern as a regular expression, so the anchored class name keeps TorchTrainingStepBenchmark out.
  OMP_NUM_THREADS="$threads" java -jar "$jar" '\.TrainingStepBenchmark\.' "${settings[@]}" \
    -rf json -rff "$out" -jvmArgsAppend "-Xmx4g -Xms4g -Dbench.threads=$threads" \
    > "$results/round$round-threads$threads.log" 2>&1
  files+=("$out")
done

python3 "$here/tables.py" --paired "${files[@]}"
