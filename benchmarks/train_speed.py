r"""Throughput of ``ganlib.train`` against a training loop written the way tutorials write it.

Both loops train the same networks (the ``gaussian`` recipe of :mod:`ganlib.recipes`, the
target of ``python -m ganlib train``:
G 1-32-32-1 and D 1-32-32-1, LeakyReLU 0.01) on the same data, with the same batch size,
k, optimizer (SGD, momentum 0.5, lr 0.05) and loss (the non-saturating generator loss, which
is what tutorials' ``BCEWithLogitsLoss(D(G(z)), ones)`` computes). They draw the same data and
noise in the same order from the same seeded generator, so they compute the same algorithm:
the script checks that 20 steps of each end at the same parameters up to rounding.

The reference (:func:`reference_loop`) is a faithful tutorial loop, not a strawman: separate
real and fake discriminator passes with ``BCEWithLogitsLoss``, ``zero_grad()`` with its
defaults, the generator run with autograd during the discriminator step and detached, the
generator step backpropagating into the discriminator's parameters too, the optimizers'
default implementation, and ``.item()`` on the losses and mean D(x), D(G(z)) every step.

Timing: for each torch thread count (torch's default and 1, set for both loops alike), the two
loops run alternately (ABBA order) for ``--rounds`` rounds of ``--steps`` steps each, from the
same initial weights, after a warm-up; the figures are medians. Quality: both loops train for
``--quality-steps`` steps on ``--seeds`` seeds, and the JS divergence estimate of
``ganlib.metrics.histogram_js_estimate`` (10,000 samples) is compared.

Run from the repository root (a few minutes on a 2-core CPU):

    python benchmarks/train_speed.py --out benchmarks/results/train_speed.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import time
from pathlib import Path

import torch
from torch import nn

import ganlib
from ganlib import recipes
from ganlib.config import TrainConfig
from ganlib.metrics import histogram_js_estimate
from ganlib.noise import Noise
from ganlib.train import train

RECIPE = recipes.get("gaussian")
CONFIG = RECIPE.config()  # 5000 steps, SGD lr 0.05, non-saturating loss
assert (CONFIG.batch_size, CONFIG.k, CONFIG.optimizer) == (100, 1, "sgd")


def networks(seed: int) -> tuple[nn.Module, nn.Module]:
    return RECIPE.networks(CONFIG.latent_dim, torch.Generator().manual_seed(seed))


def reference_loop(
    generator: nn.Module, discriminator: nn.Module, p_data, config: TrainConfig
) -> dict[str, list[float]]:
    """Algorithm 1 as tutorials write it (the DCGAN example's structure, fresh noise for G)."""
    rng = torch.Generator().manual_seed(config.seed)
    torch.randint(2**62, (2,), generator=rng)  # line the draws up with ganlib.train's
    criterion = nn.BCEWithLogitsLoss()
    d_optimizer = torch.optim.SGD(
        discriminator.parameters(), lr=config.discriminator_lr, momentum=config.momentum
    )
    g_optimizer = torch.optim.SGD(
        generator.parameters(), lr=config.generator_lr, momentum=config.momentum
    )
    m, latent_dim = config.batch_size, config.latent_dim
    assert config.noise == "normal"  # what tutorials draw: torch.randn
    log = {"d_loss": [], "g_loss": [], "d_x": [], "d_g_z": []}
    for _ in range(config.steps):
        for _ in range(config.k):
            z = torch.randn((m, latent_dim), generator=rng)
            x = p_data.sample((m,), rng, dtype=torch.float32)
            real_labels, fake_labels = torch.ones(m, 1), torch.zeros(m, 1)
            discriminator.zero_grad()
            real_logits = discriminator(x)
            loss_real = criterion(real_logits, real_labels)
            fake = generator(z)
            fake_logits = discriminator(fake.detach())
            loss_fake = criterion(fake_logits, fake_labels)
            d_loss = loss_real + loss_fake
            d_loss.backward()
            d_optimizer.step()
            d_x = torch.sigmoid(real_logits).mean().item()
            d_g_z = torch.sigmoid(fake_logits).mean().item()
        z = torch.randn((m, latent_dim), generator=rng)
        generator.zero_grad()
        g_loss = criterion(discriminator(generator(z)), real_labels)
        g_loss.backward()
        g_optimizer.step()
        log["d_loss"].append(d_loss.item())
        log["g_loss"].append(g_loss.item())
        log["d_x"].append(d_x)
        log["d_g_z"].append(d_g_z)
    return log


def ganlib_loop(generator: nn.Module, discriminator: nn.Module, p_data, config: TrainConfig):
    return train(generator, discriminator, p_data, config)


LOOPS = {"ganlib.train": ganlib_loop, "reference": reference_loop}


def timed(name: str, steps: int) -> float:
    """Steps per second of one run of ``steps`` steps from fresh networks (seed 0)."""
    generator, discriminator = networks(0)
    config = TrainConfig(**{**CONFIG.to_dict(), "steps": steps})
    started = time.perf_counter()
    LOOPS[name](generator, discriminator, RECIPE.data(), config)
    return steps / (time.perf_counter() - started)


def speed(threads: int, rounds: int, steps: int) -> dict:
    torch.set_num_threads(threads)
    for name in LOOPS:  # warm-up: first-call allocations, thread pools
        timed(name, 200)
    runs = {name: [] for name in LOOPS}
    for round_ in range(rounds):
        order = list(LOOPS) if round_ % 2 == 0 else list(reversed(LOOPS))  # ABBA
        for name in order:
            runs[name].append(timed(name, steps))
    medians = {name: statistics.median(values) for name, values in runs.items()}
    best = {name: max(values) for name, values in runs.items()}
    ratios = [a / b for a, b in zip(runs["ganlib.train"], runs["reference"], strict=True)]
    return {
        "threads": threads,
        "steps_per_run": steps,
        "rounds": rounds,
        "steps_per_second": runs,
        "median_steps_per_second": medians,
        "ratio_of_medians": medians["ganlib.train"] / medians["reference"],
        "median_of_round_ratios": statistics.median(ratios),
        # The fastest run of each loop: the least disturbed by other processes.
        "best_steps_per_second": best,
        "ratio_of_best": best["ganlib.train"] / best["reference"],
    }


def equivalence(steps: int = 20) -> float:
    """The largest parameter difference after ``steps`` steps of both loops, same draws."""
    config = TrainConfig(**{**CONFIG.to_dict(), "steps": steps})
    trained = {}
    for name, loop in LOOPS.items():
        generator, discriminator = networks(0)
        loop(generator, discriminator, RECIPE.data(), config)
        trained[name] = [*generator.parameters(), *discriminator.parameters()]
    pairs = zip(trained["ganlib.train"], trained["reference"], strict=True)
    return max(float((a - b).detach().abs().max()) for a, b in pairs)


def quality(seeds: int, steps: int, tolerance: float) -> dict:
    values = {name: [] for name in LOOPS}
    for seed in range(seeds):
        config = TrainConfig(**{**CONFIG.to_dict(), "steps": steps, "seed": seed})
        for name, loop in LOOPS.items():
            generator, discriminator = networks(seed)
            p_data = RECIPE.data()
            loop(generator, discriminator, p_data, config)
            evaluation = torch.Generator().manual_seed(10_000 + seed)
            z = Noise(config.latent_dim, config.noise).sample((10_000,), evaluation)
            with torch.no_grad():
                samples = generator(z)
            values[name].append(histogram_js_estimate(p_data, samples)["value"])
    medians = {name: statistics.median(v) for name, v in values.items()}
    difference = abs(medians["ganlib.train"] - medians["reference"])
    return {
        "metric": "JS(p_data || p_g) estimate in nats, ganlib.metrics.histogram_js_estimate, "
        "10,000 samples (lower is better)",
        "steps": steps,
        "seeds": list(range(seeds)),
        "js_estimates": values,
        "median_js": medians,
        "tolerance": tolerance,
        "same_quality": difference <= tolerance,
    }


def machine() -> dict:
    model = "unknown"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "ganlib": ganlib.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "default_threads": torch.get_num_threads(),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per loop (7)")
    parser.add_argument("--steps", type=int, default=2000, help="steps per timed run (2000)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds of the quality check (5)")
    parser.add_argument(
        "--quality-steps",
        type=int,
        default=CONFIG.steps,
        help=f"steps of each quality run ({CONFIG.steps})",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.05,
        help="largest accepted gap between the median JS estimates (0.05 nats)",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/train_speed.json"))
    arguments = parser.parse_args()

    default_threads = torch.get_num_threads()
    results = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "workload": {
            "target": "gaussian (N(2, 0.5^2))",
            "networks": "G 1-32-32-1, D 1-32-32-1, LeakyReLU(0.01)",
            "config": CONFIG.to_dict(),
        },
        "max_parameter_difference_after_20_steps": equivalence(),
    }
    results["speed"] = [
        speed(threads, arguments.rounds, arguments.steps)
        for threads in dict.fromkeys((default_threads, 1))
    ]
    torch.set_num_threads(default_threads)
    results["quality"] = quality(arguments.seeds, arguments.quality_steps, arguments.tolerance)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for entry in results["speed"]:
        medians = entry["median_steps_per_second"]
        print(
            f"threads {entry['threads']}: median ganlib.train {medians['ganlib.train']:.0f} "
            f"steps/s, reference {medians['reference']:.0f} steps/s, ratio of medians "
            f"{entry['ratio_of_medians']:.2f}, median of paired ratios "
            f"{entry['median_of_round_ratios']:.2f}, best runs {entry['ratio_of_best']:.2f}"
        )
    print(
        f"quality: median JS {results['quality']['median_js']}, same within "
        f"{arguments.tolerance}: {results['quality']['same_quality']}"
    )
    print(f"wrote {arguments.out}")


if __name__ == "__main__":
    main()
