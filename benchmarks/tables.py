#!/usr/bin/env python3
"""Prints the Markdown tables of docs/benchmarks.md from JMH JSON result files.

Usage: benchmarks/tables.py RESULTS.json [RESULTS.json ...]
       benchmarks/tables.py --paired ROUND.json ROUND.json [ROUND.json ...]

Each file is one JMH run (one thread setting). Times are JMH's average time per operation with its 99.9% error.
A ratio a/b is given with an error from the two relative errors added in quadrature, a first-order estimate that
assumes the two figures are independent.

With --paired, each file is one round of TrainingStepBenchmark (see paired-rounds.sh). The step ratios are taken
within each round and then averaged over the rounds, with a 95% confidence interval from Student's t distribution
of the per-round ratios.
"""
import json
import math
import sys


def load(path):
    """Returns {(benchmark, params tuple): (score, error, unit)} for one JMH JSON file."""
    with open(path) as handle:
        entries = json.load(handle)
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
    """Returns the cells of one row of inference and penalty-alone timings with their ratios, n/a where a run lacks a case."""
    out_base = find(results, "InferenceBenchmark.output", variant="BASELINE", **step)
    out_lib = find(results, "InferenceBenchmark.output", variant="LIBRARY", **step)
    pen_lib = find(results, "PenaltyBenchmark.libraryGraph", **step)
    pen_floor = find(results, "PenaltyBenchmark.closedForm", **step)
    pen_session = find(results, "PenaltyBenchmark.sessionGraph", **step)
    return [timing(out_base), timing(out_lib), ratio(out_lib, out_base),
            timing(pen_lib), timing(pen_floor), timing(pen_session), ratio(pen_lib, pen_floor),
            ratio(pen_session, pen_lib)]


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
    print(f"Results file: `{path}`\n")
    print_table(results, ["baseline (ms)", "library KL (ms)", "floor (ms)", "PyTorch (ms)", "PyTorch + KL (ms)",
                          "library/baseline", "floor/baseline", "baseline/PyTorch", "library/(PyTorch + KL)"],
                training_row)
    print_table(results, ["output() baseline (ms)", "output() library (ms)", "library/baseline",
                          "penalty, library (µs)", "penalty, floor (µs)", "penalty, session (µs)", "library/floor",
                          "session/library"],
                inference_row)


# Two-sided 95% quantiles of Student's t distribution by degrees of freedom.
T_95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093}


def paired(values):
    """Returns "mean ± half-width (min to max)" of per-round ratios, the half-width a 95% confidence interval."""
    count = len(values)
    mean = sum(values) / count
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / (count - 1))
    half = T_95[count - 1] * spread / math.sqrt(count)
    return f"{mean:.3f} ± {half:.3f} ({min(values):.3f} to {max(values):.3f})"


def print_paired(paths):
    rounds = [load(path) for path in paths]
    if not 2 <= len(rounds) <= 20:
        sys.exit("--paired needs between 2 and 20 round files")
    print(f"Rounds: {len(rounds)}, files {paths[0]} to {paths[-1]}\n")
    columns = ["minibatch", "coding", "baseline (ms), mean of rounds", "library/baseline", "floor/baseline",
               "library/floor"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for minibatch in (32, 256):
        for units in (300, 2000):
            step = dict(codingUnits=units, minibatch=minibatch)
            times = {variant: [find(results, "TrainingStepBenchmark.fitStep", variant=variant, **step)
                               for results in rounds] for variant in ("BASELINE", "LIBRARY", "FLOOR")}
            if any(value is None for values in times.values() for value in values):
                sys.exit(f"a round lacks a variant of minibatch {minibatch}, coding {units}")
            base = [value[0] for value in times["BASELINE"]]
            lib = [value[0] for value in times["LIBRARY"]]
            floor = [value[0] for value in times["FLOOR"]]
            cells = [str(minibatch), str(units), f"{sum(base) / len(base):.3f}",
                     paired([l / b for l, b in zip(lib, base)]), paired([f / b for f, b in zip(floor, base)]),
                     paired([l / f for l, f in zip(lib, floor)])]
            print("| " + " | ".join(cells) + " |")
    print()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: benchmarks/tables.py RESULTS.json [RESULTS.json ...] | --paired ROUND.json ROUND.json ...")
    if sys.argv[1] == "--paired":
        print_paired(sys.argv[2:])
    else:
        for argument in sys.argv[1:]:
            print_tables(argument)
