r"""Time to quality: wall-clock seconds for ``ganlib.train`` to cover the ring and the grid.

The quality bars are those of the mode-collapse literature, measured by
:func:`ganlib.mode_coverage` on 2,500 samples of the generator (fixed noise, drawn once):

* ring of 8 Gaussians (radius 1, standard deviation 0.01): all 8 modes captured and at least
  90% of the samples of high quality (within 3 standard deviations of their nearest mode);
* grid of 25 Gaussians (spacing 2, standard deviation 0.05): at least 24 modes captured and
  at least 80% of the samples of high quality.

For each target and seed the script builds fresh networks, starts the clock, and calls
``ganlib.train`` once with the target's recipe (:data:`RECIPES`: ``ring-fast`` and
``grid-fast`` of :mod:`ganlib.recipes`, through :meth:`ganlib.recipes.Recipe.train`). A
snapshot function evaluates the generator every ``evaluate_every`` steps, and ``stop_when``
ends the run at the first evaluation that meets the bar; the clock stops when ``train``
returns. The time counts everything a user would wait for: the training steps, the
evaluations and the run's set-up. A run that has not met the bar after the recipe's steps is
reported as not reaching it.

The grid recipe trains on the grid divided by 4 (``grid_of_gaussians(spacing=0.5,
scale=0.0125)``) and multiplies the generator's samples by 4 before evaluating them on the
grid itself; division by a power of two is exact, so it is the same evaluation.

Run from the repository root on an otherwise idle machine (a few minutes on 2 cores):

    python benchmarks/time_to_quality.py --out benchmarks/results/time_to_quality.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from train_speed import machine  # the same machine record as the speed benchmark

from ganlib import recipes
from ganlib.metrics import mode_coverage
from ganlib.noise import Noise
from ganlib.recipes import Recipe

N_EVAL = 2500  # samples evaluated, as the benchmark asks
EVAL_NOISE_SEED = 2500  # the fixed evaluation noise; training draws from config.seed
EVALUATE_EVERY = 100  # steps between two evaluations


@dataclass(frozen=True)
class Bar:
    """The quality a run must reach, and the time it should take on the 2-core CPU."""

    modes: int
    high_quality: float
    target_seconds: float


BARS = {"ring": Bar(8, 0.90, 30.0), "grid": Bar(24, 0.80, 120.0)}
"""name: the bar of the target."""

RECIPES = {"ring": "ring-fast", "grid": "grid-fast"}
"""name: the recipe of :mod:`ganlib.recipes` that trains for it."""


def run(recipe: Recipe, bar: Bar, seed: int, *, evaluate_every: int = EVALUATE_EVERY) -> dict:
    """Train one seed until the bar is met or the steps run out; the figures of the run."""
    config = recipe.config(seed=seed)
    start = time.perf_counter()
    evaluation = torch.Generator().manual_seed(EVAL_NOISE_SEED)
    z = Noise(config.latent_dim, config.noise).sample((N_EVAL,), evaluation)
    evaluated = recipe.target()
    timeline = []

    def evaluate(generator, discriminator, step):
        samples = generator(z).double() * recipe.scale  # exact: the scale is a power of 2
        coverage = mode_coverage(samples, evaluated.centres, evaluated.scale)
        figures = [coverage.modes_captured, coverage.high_quality_fraction, coverage.reverse_kl]
        timeline.append([step, time.perf_counter() - start, *figures])
        return torch.tensor(figures, dtype=torch.float64)

    def met(figures, step):
        return bool(figures[0] >= bar.modes and figures[1] >= bar.high_quality)

    trained = recipe.train(seed, every=evaluate_every, snapshot=evaluate, stop_when=met)
    seconds = time.perf_counter() - start
    step, _, modes, high_quality, reverse_kl = timeline[-1]
    reached = modes >= bar.modes and high_quality >= bar.high_quality
    assert step == len(trained.history)  # the run ended at its last evaluation
    return {
        "seed": seed,
        "reached": reached,
        "seconds": seconds,
        "steps": step,
        "modes_captured": modes,
        "high_quality_fraction": high_quality,
        "reverse_kl": reverse_kl,
        "timeline": [
            dict(zip(("step", "seconds", "modes", "high_quality", "reverse_kl"), row, strict=True))
            for row in timeline
        ],
    }


def summarise(bar: Bar, runs: list[dict]) -> dict:
    """Over the seeds: the share that reaches the bar (with its standard error), and the
    distribution of the time and the steps the seeds that reach it take; the target is met
    only if every seed reaches the bar within the target time."""
    n = len(runs)
    reached = [r for r in runs if r["reached"]]
    share = len(reached) / n
    summary = {
        "bar": {"modes": bar.modes, "high_quality_fraction": bar.high_quality},
        "target_seconds": bar.target_seconds,
        "seeds": n,
        "seeds_reached": len(reached),
        "share_reached": share,
        "share_reached_se": (share * (1 - share) / n) ** 0.5,
        "all_seeds_reached": len(reached) == n,
        "target_met": len(reached) == n and max(r["seconds"] for r in runs) <= bar.target_seconds,
    }
    for key in ("seconds", "steps"):
        values = sorted(r[key] for r in reached)
        if not values:
            continue
        quartiles = statistics.quantiles(
            values * 2 if len(values) == 1 else values, n=4, method="inclusive"
        )
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        summary |= {
            f"median_{key}": statistics.median(values),
            f"quartiles_{key}": [quartiles[0], quartiles[2]],
            f"fastest_{key}": values[0],
            f"worst_{key}": values[-1],
            f"mean_{key}": statistics.fmean(values),
            f"mean_{key}_se": spread / len(values) ** 0.5,
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", nargs="+", choices=sorted(BARS), default=["ring", "grid"])
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=list(range(32)), help="default: 0, ..., 31"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=torch.get_num_threads(),
        help=f"torch threads (default: torch's, {torch.get_num_threads()} here)",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/time_to_quality.json"))
    arguments = parser.parse_args()

    info = machine()
    torch.set_num_threads(arguments.threads)
    results = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {**info, "threads": arguments.threads},
        "evaluated_samples": N_EVAL,
        "targets": {},
    }
    for name in arguments.targets:
        recipe, bar = recipes.get(RECIPES[name]), BARS[name]
        runs = []
        for seed in arguments.seeds:
            runs.append(run(recipe, bar, seed))
            last = runs[-1]
            results["targets"][name] = {"recipe": recipe.name, "runs": runs, "complete": False}
            write(arguments.out, results)
            print(
                f"{name} seed {seed}: {'reached' if last['reached'] else 'NOT reached'} "
                f"after {last['steps']} steps, {last['seconds']:.1f} s "
                f"({last['modes_captured']:.0f} modes, high quality "
                f"{last['high_quality_fraction']:.3f}, reverse KL {last['reverse_kl']:.3f})",
                flush=True,
            )
        summary = summarise(bar, runs)
        results["targets"][name] = {
            "recipe": {
                "name": recipe.name,
                "hidden": list(recipe.hidden),
                "config": dict(recipe.defaults),
                "evaluate_every": EVALUATE_EVERY,
                "scale": recipe.scale,
            },
            "summary": summary,
            "runs": runs,
        }
        print(
            f"{name}: {summary['seeds_reached']} of {summary['seeds']} seeds reached the bar; "
            f"median {summary.get('median_seconds', float('nan')):.1f} s, worst "
            f"{summary.get('worst_seconds', float('nan')):.1f} s of those "
            f"(target {summary['target_seconds']:.0f} s; target met: {summary['target_met']})",
            flush=True,
        )
    results["machine"]["load_average_at_end"] = os.getloadavg()
    write(arguments.out, results)
    print(f"wrote {arguments.out}")


def write(path: Path, results: dict) -> None:
    """Write the results so far (after every seed: an interrupted run keeps its seeds)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
