r"""Packing against mode collapse: the plain GAN and PacGAN's packed discriminator, many seeds.

PacGAN (Lin, Khetan, Fanti & Oh, 2018) lets the discriminator judge ``m`` samples at once,
concatenated into one input, all real or all generated (``TrainConfig.pack``). A generator
that drops modes makes packs that look alike; the packed discriminator sees that, so
packing penalises mode collapse. This script measures it on the two targets of PacGAN's
Table 1, each as :func:`ganlib.mode_coverage` measures on 2,500 samples of the generator:

* ring of 8 Gaussians (radius 1, standard deviation 0.01);
* grid of 25 Gaussians (spacing 2, standard deviation 0.05), trained on the grid divided by
  4 and evaluated on the grid itself (the recipe's ``scale``; exact, a power of two).

For each target and packing degree, E seeds train at once as one :class:`ganlib.Ensemble`
(each member is ``ganlib.train`` with its seed): the recipe's networks and configuration
(:data:`RECIPES`), with the discriminator built for ``pack`` times the data's width and every
minibatch holding ``batch_size`` packs (``batch_size * pack`` samples). Every
``--evaluate-every`` steps each member's generator is evaluated on the same 2,500 noise
vectors; the table reports the figures at the end of training as mean ± standard error over
the seeds (:func:`ganlib.summarise_coverage`), in the format of PacGAN's Table 1, whose
GAN and PacGAN2 rows (10 trials; their own networks, 400,000 iterations) stand beside them.

Results are written after every (target, pack) so that an interrupted run keeps what it
finished. Run from the repository root (about an hour on 2 cores; see RESULTS.md):

    python benchmarks/packing.py --out benchmarks/results/packing.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import time
from pathlib import Path

import torch
from train_speed import machine  # the same machine record as the speed benchmark

from ganlib import Ensemble, mode_coverage, recipes, summarise_coverage
from ganlib.noise import Noise
from ganlib.recipes import EVALUATION_SAMPLES, EVALUATION_SEED

RECIPES = {"ring": "ring-precise", "grid": "grid-precise"}
"""target: the recipe of :mod:`ganlib.recipes` whose networks and configuration are used."""

PACGAN = {  # Lin et al. (2018), Table 1: (mean, standard error) over 10 trials
    "ring": {
        "GAN": {"modes": (6.3, 0.5), "high_quality": (0.982, 0.002), "reverse_kl": (0.45, 0.09)},
        "PacGAN2": {
            "modes": (7.9, 0.1),
            "high_quality": (0.956, 0.020),
            "reverse_kl": (0.07, 0.03),
        },
    },
    "grid": {
        "GAN": {"modes": (17.3, 0.8), "high_quality": (0.948, 0.007), "reverse_kl": (0.70, 0.07)},
        "PacGAN2": {
            "modes": (23.8, 0.7),
            "high_quality": (0.913, 0.008),
            "reverse_kl": (0.13, 0.04),
        },
    },
}
GOALS = {  # what beating PacGAN2 on every measure means here
    "ring": {"modes": 8.0, "high_quality": 0.97, "reverse_kl": 0.05},
    "grid": {"modes": 24.5, "high_quality": 0.93, "reverse_kl": 0.06},
}


def build(recipe, pack: int, seeds: list[int], config) -> Ensemble:
    """An ensemble of the recipe's networks (D for ``pack`` samples), one member per seed."""
    members = [recipe.networks(config.latent_dim, seed, pack=pack) for seed in seeds]
    return Ensemble(*zip(*members, strict=True), recipe.data(), config, seeds)


def evaluate(ensemble: Ensemble, recipe, z: torch.Tensor) -> list:
    """Each live member's :func:`ganlib.mode_coverage` on the fixed noise ``z``."""
    target = recipe.target()
    with torch.no_grad():
        samples = recipe.rescale(ensemble.generator(z.expand(ensemble.size, *z.shape)).double())
    return [
        None if i in ensemble.diverged else mode_coverage(x, target.centres, target.scale)
        for i, x in enumerate(samples)
    ]


def run(target: str, pack: int, seeds: list[int], steps: int | None, every: int, name: str) -> dict:
    recipe = recipes.get(name)
    overrides = {"pack": pack, **({"steps": steps} if steps else {})}
    config = recipe.config(**overrides)
    start = time.perf_counter()
    ensemble = build(recipe, pack, seeds, config)
    z = Noise(config.latent_dim, config.noise).sample(
        (EVALUATION_SAMPLES,), torch.Generator().manual_seed(EVALUATION_SEED)
    )
    timeline = []
    for until in [*range(every, config.steps, every), config.steps]:
        ensemble.train(until=until)
        coverage = [c for c in evaluate(ensemble, recipe, z) if c is not None]
        summary = summarise_coverage(coverage)
        timeline.append({"step": until, **{k: list(v) for k, v in summary.items()}})
        modes, hq, rkl = (summary[k][0] for k in summary)
        print(
            f"  {target} pack {pack} step {until}: modes {modes:.2f}, high quality {hq:.3f}, "
            f"reverse KL {rkl:.3f} ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    final = evaluate(ensemble, recipe, z)
    runs = [
        {
            "seed": seed,
            "diverged": c is None,
            **(
                {}
                if c is None
                else {
                    "modes_captured": c.modes_captured,
                    "high_quality_fraction": c.high_quality_fraction,
                    "reverse_kl": c.reverse_kl,
                }
            ),
        }
        for seed, c in zip(seeds, final, strict=True)
    ]
    summary = summarise_coverage([c for c in final if c is not None])
    return {
        "recipe": recipe.name,
        "hidden": list(recipe.hidden),
        "config": config.to_dict(),
        "seconds": time.perf_counter() - start,
        "diverged": [vars(d) for d in ensemble.diverged.values()],
        "summary": {k: list(v) for k, v in summary.items()},
        "runs": runs,
        "timeline": timeline,
    }


def recipe_choice(text: str) -> tuple[str, str]:
    """``"ring=ring-fast"`` as ``("ring", "ring-fast")``, both names checked."""
    target, _, name = text.partition("=")
    if target not in RECIPES or name not in recipes.RECIPES:
        raise argparse.ArgumentTypeError(
            f"expected TARGET=NAME with TARGET one of {sorted(RECIPES)} and NAME a recipe of "
            f"ganlib.recipes (e.g. ring=ring-fast); got {text!r}"
        )
    return target, name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", nargs="+", choices=sorted(RECIPES), default=["ring", "grid"])
    parser.add_argument("--packs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seeds", type=int, default=10, help="how many seeds (default 10)")
    parser.add_argument("--first-seed", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--steps", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--evaluate-every", type=int, default=1000)
    parser.add_argument(
        "--recipe", action="append", default=[], metavar="TARGET=NAME", type=recipe_choice,
        help="train TARGET with the recipe NAME of ganlib.recipes (default: RECIPES)",
    )  # fmt: skip
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/packing.json"))
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    chosen = {**RECIPES, **dict(arguments.recipe)}
    results = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "threads": arguments.threads},
        "evaluated_samples": EVALUATION_SAMPLES,
        "pacgan_table_1": PACGAN,
        "goals": GOALS,
        "targets": {},
    }
    if arguments.out.exists():  # keep what an earlier, interrupted run finished
        results["targets"] = json.loads(arguments.out.read_text(encoding="utf-8"))["targets"]
    seeds = list(range(arguments.first_seed, arguments.first_seed + arguments.seeds))
    for target in arguments.targets:
        for pack in arguments.packs:
            print(f"{target}, pack {pack}, seeds {seeds[0]}-{seeds[-1]}:", flush=True)
            name = chosen[target]
            result = run(target, pack, seeds, arguments.steps, arguments.evaluate_every, name)
            results["targets"].setdefault(target, {})[str(pack)] = result
            results["machine"]["load_average_at_end"] = os.getloadavg()
            arguments.out.parent.mkdir(parents=True, exist_ok=True)
            arguments.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
            s = result["summary"]
            print(
                f"{target} pack {pack}: modes {s['modes_captured'][0]:.1f} ± "
                f"{s['modes_captured'][1]:.1f}, high quality "
                f"{100 * s['high_quality_fraction'][0]:.1f} ± "
                f"{100 * s['high_quality_fraction'][1]:.1f} %, reverse KL "
                f"{s['reverse_kl'][0]:.2f} ± {s['reverse_kl'][1]:.2f} "
                f"({result['seconds']:.0f} s)",
                flush=True,
            )
    print(f"wrote {arguments.out}")


if __name__ == "__main__":
    main()
