r"""Run-steps per second of ``ganlib.Ensemble`` against one ``ganlib.train`` run.

An ensemble of E members trains E GANs (E seeds, one architecture and configuration) as one
batched model; each of its steps is E run-steps, one iteration of Algorithm 1 of every
member. This script measures its run-steps per second at several E on two workloads, the
``gaussian`` recipe of :mod:`ganlib.recipes` (G and D 1-32-32-1, SGD, N(2, 0.5^2)) and the
``ring`` recipe (G 2-128-128-2, D 2-128-128-1, Adam, the ring of 8 Gaussians), against the
steps per second of a single ``ganlib.train`` run of the same recipe, measured in the same
process: the issue's target is at least 8x at E = 64.

First it checks that both compute the same thing: member 0 of an ensemble and a ``train``
run with the member's seed end 20 steps at the same parameters (the largest difference is
recorded). Timing: for each torch thread count (1, and torch's default when it differs), the
single run and the ensembles at every E run alternately, in forward then reverse order, for
``--rounds`` rounds, after a warm-up; each timed call builds the run (or the ensemble) from
fresh networks and trains it, about ``--work`` run-steps (at least 20 steps). The figures
are medians over the rounds, and the ratio is the median ensemble rate over the median single
rate of the same thread count.

Run from the repository root (a few minutes on a 2-core CPU):

    python benchmarks/ensemble_speed.py --out benchmarks/results/ensemble_speed.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import time
from pathlib import Path

import torch
from train_speed import machine

from ganlib import Ensemble, recipes, train
from ganlib.config import TrainConfig

RECIPES = ("gaussian", "ring")
SIZES = (1, 4, 16, 64, 256)
TARGET = {"size": 64, "ratio": 8.0}  # the issue's: at E = 64, 8x a single run's steps/s


def members(recipe: recipes.Recipe, config: TrainConfig, seeds: range) -> tuple[list, list]:
    """Fresh (generators, discriminators), member i's weights from seed i."""
    pairs = [recipe.networks(config.latent_dim, seed) for seed in seeds]
    return [g for g, _ in pairs], [d for _, d in pairs]


def timed_single(recipe: recipes.Recipe, steps: int) -> float:
    """Steps per second of one ``train`` run of ``steps`` steps from fresh networks."""
    config = recipe.config(steps=steps, seed=0)
    generator, discriminator = recipe.networks(config.latent_dim, 0)
    started = time.perf_counter()
    train(generator, discriminator, recipe.data(), config)
    return steps / (time.perf_counter() - started)


def timed_ensemble(recipe: recipes.Recipe, size: int, steps: int) -> float:
    """Run-steps per second of an ensemble of ``size`` members trained ``steps`` steps."""
    config = recipe.config(steps=steps)
    generators, discriminators = members(recipe, config, range(size))
    started = time.perf_counter()
    ensemble = Ensemble(generators, discriminators, recipe.data(), config, range(size))
    ensemble.train()
    return size * steps / (time.perf_counter() - started)


def steps_for(size: int, work: int) -> int:
    return max(20, work // size)


def speed(name: str, threads: int, sizes: tuple[int, ...], rounds: int, work: int) -> dict:
    torch.set_num_threads(threads)
    recipe = recipes.get(name)
    calls = {"single": lambda: timed_single(recipe, steps_for(1, work))}
    for size in sizes:
        calls[f"E={size}"] = lambda size=size: timed_ensemble(recipe, size, steps_for(size, work))
    timed_single(recipe, 50), timed_ensemble(recipe, 4, 20)  # warm-up
    runs: dict[str, list[float]] = {key: [] for key in calls}
    for round_ in range(rounds):
        order = list(calls) if round_ % 2 == 0 else list(reversed(calls))
        for key in order:
            runs[key].append(calls[key]())
    medians = {key: statistics.median(values) for key, values in runs.items()}
    single = medians["single"]
    return {
        "recipe": name,
        "threads": threads,
        "rounds": rounds,
        "steps": {"single": steps_for(1, work), **{f"E={e}": steps_for(e, work) for e in sizes}},
        "run_steps_per_second": runs,
        "median_run_steps_per_second": medians,
        "ratio_to_single": {key: medians[key] / single for key in medians if key != "single"},
    }


def equivalence(name: str, steps: int = 20) -> float:
    """The largest parameter difference between member 0 of an ensemble of 4 and ``train``
    with its seed, after ``steps`` steps from the same weights."""
    recipe = recipes.get(name)
    config = recipe.config(steps=steps)
    generators, discriminators = members(recipe, config, range(4))
    ensemble = Ensemble(generators, discriminators, recipe.data(), config, range(4))
    ensemble.train()
    generator, discriminator = recipe.networks(config.latent_dim, 0)
    train(generator, discriminator, recipe.data(), recipe.config(steps=steps, seed=0))
    single = [*generator.parameters(), *discriminator.parameters()]
    member = [p for network in ensemble.member(0) for p in network.parameters()]
    return max(float((a - b).detach().abs().max()) for a, b in zip(single, member, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (5)")
    parser.add_argument("--work", type=int, default=4096, help="run-steps per timed call")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="the Es")
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES), choices=RECIPES)
    parser.add_argument("--one-thread-only", action="store_true", help="skip the default count")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/ensemble_speed.json"))
    arguments = parser.parse_args()

    default_threads = torch.get_num_threads()
    threads = (1,) if arguments.one_thread_only else tuple(dict.fromkeys((1, default_threads)))
    results = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "target": TARGET,
        "workloads": {
            name: {
                "config": recipes.get(name).config().to_dict(),
                "hidden": recipes.get(name).hidden,
            }
            for name in arguments.recipes
        },
        "max_parameter_difference_after_20_steps": {
            name: equivalence(name) for name in arguments.recipes
        },
        "speed": [
            speed(name, count, tuple(arguments.sizes), arguments.rounds, arguments.work)
            for count in threads
            for name in arguments.recipes
        ],
    }
    torch.set_num_threads(default_threads)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for entry in results["speed"]:
        single = entry["median_run_steps_per_second"]["single"]
        curve = ", ".join(
            f"{key} {entry['median_run_steps_per_second'][key]:.0f} ({ratio:.1f}x)"
            for key, ratio in entry["ratio_to_single"].items()
        )
        print(f"{entry['recipe']}, {entry['threads']} thread(s): single {single:.0f}/s; {curve}")
    print(f"wrote {arguments.out}")


if __name__ == "__main__":
    main()
