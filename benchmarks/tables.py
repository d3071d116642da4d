#!/usr/bin/env python3
"""Prints the Markdown tables of docs/benchmarks.md from JMH JSON result files.

Usage: benchmarks/tables.py RESULTS.json [RESULTS.json ...]
       benchmarks/tables.py --interleaved RESULTS.json [RESULTS.json ...]
       benchmarks/tables.py --paired DIRECTORY

Each file is one JMH run (one thread setting). Times are JMH's average time per operation with its 99.9% error.
A ratio a/b is given with an error from the two relative errors added in quadrature, a first-order estimate that
assumes the two figures are independent.

With --interleaved, each file is one run of InterleavedStepBenchmark (see interleaved.sh). The step ratios are taken
within each measured iteration, from the median step times and from the mean step times without the steps that
contained a garbage collection, and then averaged over the iterations of all forks, with a 95% confidence interval
from Student's t distribution of the per-iteration ratios.

With --paired, the directory contains the files that paired.sh writes, one JMH run of TrainingStepBenchmark per file,
named step-MINIBATCH-UNITS-VARIANT-roundN.json. The library's time is divided by the baseline's of the same case and
round, and these ratios are averaged over the rounds, with a 95% confidence interval from Student's t distribution.
"""
import json
import math
import os
import re
import sys


def read_entries(path):
    """Returns the list of benchmark entries of one JMH JSON file, or exits with a message naming the file."""
    try:
        with open(path) as handle:
            entries = json.load(handle)
    except (OSError, ValueError) as error:
        sys.exit(f"Cannot read JMH results from {path}: {error}")
    if not isinstance(entries, list):
        sys.exit(f"Cannot read JMH results from {path}: expected a JSON list of benchmark entries")
    return entries


def load(path):
    """Returns {(benchmark, params tuple): (score, error, unit)} for one JMH JSON file."""
    entries = read_entries(path)
    results = {}
    for entry in entries:
        name = entry["benchmark"].rsplit(".", 2)[-2] + "." + entry["benchmark"].rsplit(".", 1)[-1]
        params = tuple(sorted(entry.get("params", {}).items()))
        metric = entry["primaryMetric"]
        error = float(metric["scoreError"]) if metric["scoreError"] != "NaN" else float("nan")
        results[(name, params)] = (metric["score"], error, metric["scoreUnit"])
    return results


def find(results, name, **params):
    expected = {key: str(value) for key, value in params.items()}
    for (entry_name, entry_params), value in results.items():
        if entry_name == name and all(dict(entry_params).get(k) == v for k, v in expected.items()):
            return value
    return None


def timing(value):
    if value is None:
        return "n/a"
    score, error, _ = value
    if score < 10:
        digits = 3
    elif score < 100:
        digits = 2
    else:
        digits = 1
    return f"{score:.{digits}f} ± {error:.{digits}f}"


def ratio(numerator, denominator):
    if numerator is None or denominator is None:
        return "n/a"
    value = numerator[0] / denominator[0]
    relative = math.hypot(numerator[1] / numerator[0], denominator[1] / denominator[0])
    return f"{value:.3f} ± {value * relative:.3f}"


def training_row(results, step):
    """Returns the cells of one training-step row: five timings and four ratios."""
    baseline = find(results, "TrainingStepBenchmark.fitStep", variant="BASELINE", **step)
    library = find(results, "TrainingStepBenchmark.fitStep", variant="LIBRARY", **step)
    floor = find(results, "TrainingStepBenchmark.fitStep", variant="FLOOR", **step)
    torch = find(results, "TorchTrainingStepBenchmark.trainStep", penalized="false", **step)
    torch_kl = find(results, "TorchTrainingStepBenchmark.trainStep", penalized="true", **step)
    return [timing(baseline), timing(library), timing(floor), timing(torch), timing(torch_kl),
            ratio(library, baseline), ratio(floor, baseline), ratio(baseline, torch), ratio(library, torch_kl)]


def inference_row(results, step):
    """Returns the cells of one row of inference and penalty-alone timings with their ratios, n/a where missing."""
    out_base = find(results, "InferenceBenchmark.output", variant="BASELINE", **step)
    out_lib = find(results, "InferenceBenchmark.output", variant="LIBRARY", **step)
    pen_lib = find(results, "PenaltyBenchmark.libraryGraph", **step)
    pen_floor = find(results, "PenaltyBenchmark.closedForm", **step)
    pen_session = find(results, "PenaltyBenchmark.sessionGraph", **step)
    return [timing(out_base), timing(out_lib), ratio(out_lib, out_base),
            timing(pen_lib), timing(pen_floor), timing(pen_session), ratio(pen_lib, pen_floor),
            ratio(pen_session, pen_lib)]


def after_step_row(results, step):
    """Returns the cells of one row of penalty timings right after a baseline step, with the ratio and the share."""
    library = find(results, "PenaltyAfterStepBenchmark.libraryGraph", **step)
    floor = find(results, "PenaltyAfterStepBenchmark.closedForm", **step)
    baseline = find(results, "TrainingStepBenchmark.fitStep", variant="BASELINE", **step)
    # The baseline step is in milliseconds and the penalty in microseconds.
    share = None if library is None or baseline is None else (library[0] / 1000, library[1] / 1000)
    return [timing(library), timing(floor), ratio(library, floor), ratio(share, baseline)]


def print_table(results, header, row_cells):
    """Prints one Markdown table with a row per minibatch size and coding width."""
    columns = ["minibatch", "coding"] + header
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for minibatch in (32, 256):
        for units in (300, 2000):
            cells = [str(minibatch), str(units)] + row_cells(results, dict(codingUnits=units, minibatch=minibatch))
            print("| " + " | ".join(cells) + " |")
    print()


def print_tables(path):
    results = load(path)
    known = ("TrainingStepBenchmark.", "InferenceBenchmark.", "PenaltyBenchmark.", "PenaltyAfterStepBenchmark.")
    if not any(name.startswith(known) for name, _ in results):
        sys.exit(f"{path} holds no results of the benchmarks that run-all.sh runs; for InterleavedStepBenchmark "
                 "results use --interleaved")
    print(f"Results file: `{path}`\n")
    print_table(results, ["baseline (ms)", "library KL (ms)", "floor (ms)", "PyTorch (ms)", "PyTorch + KL (ms)",
                          "library/baseline", "floor/baseline", "baseline/PyTorch", "library/(PyTorch + KL)"],
                training_row)
    print_table(results, ["output() baseline (ms)", "output() library (ms)", "library/baseline",
                          "penalty, library (µs)", "penalty, floor (µs)", "penalty, session (µs)", "library/floor",
                          "session/library"],
                inference_row)
    print_table(results, ["penalty after a step, library (µs)", "penalty after a step, floor (µs)", "library/floor",
                          "library penalty/baseline step"],
                after_step_row)


# Two-sided 95% quantiles of Student's t distribution by degrees of freedom.
T_95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
        20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045}


# Beyond 29 degrees of freedom, the quantile at the largest tabulated number not above them: slightly wide.
T_95_LARGE = {30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}


def t_quantile(degrees):
    """Returns the two-sided 95% quantile of Student's t distribution, rounded up beyond 29 degrees of freedom."""
    if degrees in T_95:
        return T_95[degrees]
    return T_95_LARGE[max(d for d in T_95_LARGE if d <= degrees)]


def interval(values):
    """Returns "mean ± half-width (min to max)" of per-iteration ratios, the half-width a 95% confidence interval."""
    count = len(values)
    mean = sum(values) / count
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / (count - 1))
    half = t_quantile(count - 1) * spread / math.sqrt(count)
    return f"{mean:.3f} ± {half:.3f} ({min(values):.3f} to {max(values):.3f})"


def iterations(entry, metric):
    """Returns the values of one secondary metric, one per measured iteration of every fork."""
    metrics = entry.get("secondaryMetrics", {})
    if metric not in metrics:
        sys.exit(f"{entry['benchmark']} lacks the secondary metric {metric}: run InterleavedStepBenchmark from "
                 "this version of the benchmarks")
    return [value for fork in metrics[metric]["rawData"] for value in fork]


def fork_sizes(entry):
    """Returns the number of measured iterations of each fork."""
    iterations(entry, "gcSteps")
    return [len(fork) for fork in entry["secondaryMetrics"]["gcSteps"]["rawData"]]


def fork_means(values, sizes):
    """Returns the mean of the per-iteration values of each fork, as "a / b / ..."."""
    means, start = [], 0
    for size in sizes:
        means.append(sum(values[start:start + size]) / size)
        start += size
    return " / ".join(f"{mean:.3f}" for mean in means)


def print_interleaved(path):
    entries = [entry for entry in read_entries(path)
               if entry.get("benchmark", "").endswith("InterleavedStepBenchmark.fitEach")]
    if not entries:
        sys.exit(f"{path} holds no InterleavedStepBenchmark results")
    threads = [arg.split("=", 1)[1] for arg in entries[0].get("jvmArgs", []) if arg.startswith("-Dbench.threads=")]
    rows = []
    for entry in sorted(entries, key=lambda e: (int(e["params"]["minibatch"]), int(e["params"]["codingUnits"]))):
        kinds = ("MedianNanos", "Nanos", "Steps", "Bytes")
        data = {variant: {kind: iterations(entry, variant + kind) for kind in kinds}
                for variant in ("baseline", "library", "floor")}
        count = len(data["baseline"]["Steps"])
        if count < 2:
            sys.exit(f"{path}: {count} measured iteration(s), at least 2 are needed for an interval")

        def median_ratio(variant):
            return [v / b for v, b in zip(data[variant]["MedianNanos"], data["baseline"]["MedianNanos"])]

        def mean_ratio(variant):
            if 0 in data[variant]["Steps"] or 0 in data["baseline"]["Steps"]:
                sys.exit(f"{path}: an iteration has no step without a GC; use longer iterations")
            means = [n / s for n, s in zip(data[variant]["Nanos"], data[variant]["Steps"])]
            base = [n / s for n, s in zip(data["baseline"]["Nanos"], data["baseline"]["Steps"])]
            return [v / b for v, b in zip(means, base)]

        # Each operation steps every variant once, so each variant ran a third of all steps, those with a GC included,
        # and its bytes are summed over all of them.
        gc_steps = int(sum(iterations(entry, "gcSteps")))
        total_steps = sum(sum(data[v]["Steps"]) for v in data) + gc_steps
        bytes_per_step = [sum(data[v]["Bytes"]) / (total_steps / 3) / 1024 for v in ("baseline", "library", "floor")]
        cells = [entry["params"]["minibatch"], entry["params"]["codingUnits"], str(count),
                 f"{sum(data['baseline']['MedianNanos']) / count / 1e6:.3f}",
                 interval(median_ratio("library")), interval(median_ratio("floor")),
                 interval(mean_ratio("library")), interval(mean_ratio("floor")),
                 fork_means(median_ratio("library"), fork_sizes(entry)),
                 " / ".join(f"{value:.0f} KiB" for value in bytes_per_step), f"{gc_steps} of {total_steps:.0f}"]
        rows.append(cells)
    print(f"Results file: `{path}`, threads: {threads[0] if threads else 'not recorded'}\n")
    columns = ["minibatch", "coding", "iterations", "baseline median (ms)", "library/baseline, median",
               "floor/baseline, median", "library/baseline, mean", "floor/baseline, mean",
               "library/baseline, median, per fork", "heap bytes per step, baseline / library / floor",
               "steps with a GC"]
    print_markdown(columns, rows)


PAIRED_NAME = re.compile(r"step-(\d+)-(\d+)-(BASELINE|LIBRARY)-round(\d+)\.json")
# JMH's gc profiler names these with or without a leading middle dot, depending on the JMH version.
ALLOCATION = "gc.alloc.rate.norm"
COLLECTIONS = "gc.count"


def gc_metric(metrics, name):
    """Returns the score of the gc profiler metric called name, or None."""
    for key, value in metrics.items():
        if key.lstrip("\u00b7") == name:
            return value["score"]
    return None


def paired_run(path, minibatch, units, variant):
    """Returns (mean step in ms, bytes allocated per step, collections, threads) of one paired.sh run, after checking
    that the file contains the case and variant its name gives."""
    entries = [entry for entry in read_entries(path) if isinstance(entry, dict)
               and str(entry.get("benchmark", "")).endswith(".TrainingStepBenchmark.fitStep")]
    if len(entries) != 1:
        sys.exit(f"{path}: expected one TrainingStepBenchmark result, found {len(entries)}")
    entry = entries[0]
    expected = {"minibatch": minibatch, "codingUnits": units, "variant": variant}
    params = entry.get("params", {})
    if any(str(params.get(key)) != value for key, value in expected.items()):
        sys.exit(f"{path}: the file name gives {expected} but the run's parameters are {params}")
    threads = [arg.split("=", 1)[1] for arg in entry.get("jvmArgs", []) if arg.startswith("-Dbench.threads=")]
    try:
        score = float(entry["primaryMetric"]["score"])
        metrics = entry.get("secondaryMetrics", {})
        allocation, collections = gc_metric(metrics, ALLOCATION), gc_metric(metrics, COLLECTIONS)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        sys.exit(f"{path}: unreadable JMH result ({error!r})")
    if allocation is None or collections is None:
        sys.exit(f"{path} lacks JMH's gc profiler metrics: run it with -prof gc, as paired.sh does")
    return score, float(allocation), float(collections), threads[0] if threads else "not recorded"


def paired_runs(directory):
    """Returns {(minibatch, units, variant, round): run} for the paired.sh files in directory, and their threads."""
    if not os.path.isdir(directory):
        sys.exit(f"{directory} is not a directory")
    runs = {}
    for name in sorted(os.listdir(directory)):
        match = PAIRED_NAME.fullmatch(name)
        if match:
            minibatch, units, variant, round_number = match.groups()
            runs[(int(minibatch), int(units), variant, int(round_number))] = paired_run(
                os.path.join(directory, name), minibatch, units, variant)
    if not runs:
        sys.exit(f"{directory} contains no files named step-MINIBATCH-UNITS-VARIANT-roundN.json")

    threads = sorted({run[3] for run in runs.values()})
    if len(threads) != 1:
        sys.exit(f"{directory} mixes runs with different thread settings (-Dbench.threads): {', '.join(threads)}")
    return runs, threads[0]


def paired_row(directory, runs, minibatch, units):
    """Returns the table cells of one case, over the rounds that have both a baseline and a library run."""
    rounds = sorted(key[3] for key in runs if key[:3] == (minibatch, units, "BASELINE")
                    and (minibatch, units, "LIBRARY", key[3]) in runs)
    if len(rounds) < 2:
        sys.exit(f"{directory}: minibatch {minibatch} with {units} units has {len(rounds)} complete pair(s), "
                 "at least 2 are needed for an interval")

    base = [runs[(minibatch, units, "BASELINE", r)] for r in rounds]
    library = [runs[(minibatch, units, "LIBRARY", r)] for r in rounds]
    count = len(rounds)

    def mean(values):
        return sum(values) / count

    return [str(minibatch), str(units), str(count),
            f"{mean([b[0] for b in base]):.3f}", f"{mean([l[0] for l in library]):.3f}",
            interval([l[0] / b[0] for l, b in zip(library, base)]),
            f"{mean([b[1] for b in base]) / 1024:.0f} KiB / {mean([l[1] for l in library]) / 1024:.0f} KiB",
            f"{mean([b[2] for b in base]):.1f} / {mean([l[2] for l in library]):.1f}"]


def print_markdown(columns, rows):
    """Prints a Markdown table and a blank line."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    print()


def print_paired(directory):
    runs, threads = paired_runs(directory)
    rows = [paired_row(directory, runs, minibatch, units)
            for minibatch, units in sorted({(key[0], key[1]) for key in runs})]
    columns = ["minibatch", "coding", "pairs", "baseline mean step (ms)", "library mean step (ms)",
               "library/baseline", "heap bytes per step, baseline / library", "collections per run, baseline / library"]
    print(f"Results directory: `{directory}`, threads: {threads}\n")
    print_markdown(columns, rows)


USAGE = ("usage: benchmarks/tables.py RESULTS.json [RESULTS.json ...] | --interleaved RESULTS.json [RESULTS.json ...]"
         " | --paired DIRECTORY")

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--paired":
        print_paired(sys.argv[2])
        sys.exit(0)
    interleaved = len(sys.argv) > 1 and sys.argv[1] == "--interleaved"
    files = sys.argv[2:] if interleaved else sys.argv[1:]
    if not files or any(argument.startswith("--") for argument in files):
        sys.exit(USAGE)
    for argument in files:
        if interleaved:
            print_interleaved(argument)
        else:
            print_tables(argument)
