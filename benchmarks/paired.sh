#!/usr/bin/env bash
# Runs TrainingStepBenchmark with one network per JVM, the way a user trains, for the baseline and for the library's
# KL wrapper. There are $REPEATS rounds (default 5). Each round runs every case once per variant, and every
# other round reverses the order of the two variants. Each run is its own JMH launch with one fork, so the two runs of
# a pair are minutes apart at most, and their ratio cancels slow drifts of the machine. JMH's average time includes
# the garbage collections of the run. One JSON file per run goes to $RESULTS_DIR (default benchmarks/results/paired),
# and tables.py --paired prints the ratios. $THREADS (default 1) sets OMP_NUM_THREADS. $CASES lists the cases as
# minibatch:units (default "32:300 32:2000 256:300 256:2000"). $FIRST_ROUND (default 1) numbers the first round, so
# that more rounds can be added to the files of an earlier run. Extra arguments go to JMH and replace the settings
# below.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/benchmarks.jar"
results="${RESULTS_DIR:-$here/results/paired}"
threads="${THREADS:-1}"
repeats="${REPEATS:-5}"
first="${FIRST_ROUND:-1}"
cases="${CASES:-32:300 32:2000 256:300 256:2000}"

if [[ ! -f "$jar" ]]; then
  echo "Missing $jar: build it with 'mvn -q install -DskipTests' and then" \
    "'mvn -q -f benchmarks/pom.xml package -DskipTests'" >&2
  exit 1
fi
if ! [[ "$repeats" =~ ^[1-9][0-9]{0,3}$ ]]; then
  echo "Invalid REPEATS '$repeats': expected an integer from 1 to 9999" >&2
  exit 1
fi
if ! [[ "$first" =~ ^[1-9][0-9]{0,3}$ ]]; then
  echo "Invalid FIRST_ROUND '$first': expected an integer from 1 to 9999" >&2
  exit 1
fi
for case in $cases; do
  if ! [[ "$case" =~ ^[1-9][0-9]*:[1-9][0-9]*$ ]]; then
    echo "Invalid case '$case' in CASES: expected minibatch:units, for example 32:300" >&2
    exit 1
  fi
done
mkdir -p "$results"
settings=(-f 1 -wi 1 -w 10s -i 3 -r 10s)
if [[ $# -gt 0 ]]; then
  settings=("$@")
fi

last=$((first + repeats - 1))
for ((round = first; round <= last; round++)); do
  order=(BASELINE LIBRARY)
  if (( round % 2 == 0 )); then
    order=(LIBRARY BASELINE)
  fi
  for case in $cases; do
    minibatch="${case%%:*}"
    units="${case##*:}"
    for variant in "${order[@]}"; do
      name="step-$minibatch-$units-$variant-round$round"
      echo "Round $round of $first to $last: minibatch $minibatch, $units units, $variant"
      OMP_NUM_THREADS="$threads" java -jar "$jar" 'bench\.TrainingStepBenchmark\.fitStep' \
        -p variant="$variant" -p minibatch="$minibatch" -p codingUnits="$units" "${settings[@]}" -prof gc \
        -rf json -rff "$results/$name.json" -jvmArgsAppend "-Xmx4g -Xms4g -Dbench.threads=$threads" \
        > "$results/$name.log" 2>&1
      if ! grep -q '"primaryMetric"' "$results/$name.json"; then
        echo "JMH run $name failed: no result in $results/$name.json, see $results/$name.log" >&2
        exit 1
      fi
    done
  done
done

python3 "$here/tables.py" --paired "$results"
