r"""Table 1 of the GAN paper on MNIST: a paper-style GAN and the Parzen-window protocol.

Given a folder with MNIST's four IDX files (``train-images-idx3-ubyte``, ``train-labels-idx1-
ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, plain or ``.gz``), the script

1. reads them with :func:`ganlib.load_mnist` (50,000 training images; 10,000 held out for
   validation, stratified by digit with ``--split-seed``; MNIST's 10,000 test images) and
   rescales the pixels to [0, 1], the units of the paper's Table 1;
2. trains the paper's MNIST networks with :func:`ganlib.train` (Algorithm 1, k = 1,
   minibatches of 100): a generator of two layers of 1,200 ReLU units with a sigmoid output,
   and a discriminator of two layers of 240 maxout units with 5 pieces each, with dropout 0.2
   on the input and 0.5 on the hidden units (the authors' released configuration);
3. runs Table 1's protocol: 10,000 samples of the generator (the authors' script's default;
   the paper does not state the number), a Parzen window whose :math:`\sigma` is chosen on the
   validation images, and the mean log-likelihood of the test images in nats with its
   standard error, beside the paper's 225 ± 2.

The optimizer departs from the paper, which used SGD with momentum: by default Adam at
2e-4 with :math:`\beta_1 = 0.5` (``--optimizer sgd`` gives momentum 0.5 at ``--lr``), and the
non-saturating generator loss the paper recommends in practice. Each of the scores is an
:math:`n \times 10{,}000` matrix of 784-dimensional distances per bandwidth: expect minutes
on a CPU, seconds on a GPU.

Run from the repository root (not run by CI: MNIST is not available offline there):

    python benchmarks/mnist_table1.py path/to/mnist --out benchmarks/results/mnist_table1.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys
import time
from pathlib import Path

import torch

import ganlib

PAPER = {"mean": 225.0, "standard_error": 2.0, "units": "nats, pixels in [0, 1]"}
"""Table 1 of Goodfellow et al. (2014), adversarial nets on MNIST."""

SIGMAS = torch.logspace(math.log10(0.05), math.log10(0.5), 19, dtype=torch.float64).tolist()
"""Candidate bandwidths in [0, 1] pixel units (0.05 to 0.5); the chosen one must not sit at
either end (the script warns when it does)."""


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder with MNIST's four IDX files")
    parser.add_argument("--steps", type=int, default=30_000, help="iterations (30,000)")
    parser.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    parser.add_argument("--lr", type=float, default=2e-4, help="both learning rates (2e-4)")
    parser.add_argument("--samples", type=int, default=10_000, help="generated samples (10,000)")
    parser.add_argument("--validation", type=int, default=None, help="validation images that "
                        "choose sigma (default: all 10,000)")  # fmt: skip
    parser.add_argument("--test", type=int, default=None, help="test images scored (default: "
                        "all 10,000)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="weights, data and noise (0)")
    parser.add_argument("--split-seed", type=int, default=0, help="the validation split (0)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--device", default=None, help="default: ganlib.device()")
    parser.add_argument("--out", type=Path, default=None, help="JSON file for the results")
    return parser.parse_args(argv)


def paper_networks(seed: int) -> tuple[torch.nn.Module, torch.nn.Module]:
    """The paper's MNIST generator and maxout discriminator, weights drawn from ``seed``."""
    rng = torch.Generator().manual_seed(seed)
    generator = ganlib.generator(
        100, 784, hidden=(1200, 1200), activation="relu", output="sigmoid", rng=rng
    )
    discriminator = ganlib.discriminator(
        784, (240, 240), activation="maxout", maxout_pieces=5, dropout=0.5, input_dropout=0.2,
        rng=rng,
    )  # fmt: skip
    return generator, discriminator


def main(argv: list[str] | None = None) -> dict:
    arguments = parse(argv)
    if arguments.threads is not None:
        torch.set_num_threads(arguments.threads)
    device = torch.device(arguments.device) if arguments.device else ganlib.device()
    splits = ganlib.load_mnist(arguments.folder, seed=arguments.split_seed)
    unit = {name: (part.images.double() + 1) / 2 for name, part in  # [-1, 1] -> [0, 1]
            (("train", splits.train), ("validation", splits.validation),
             ("test", splits.test))}  # fmt: skip

    generator, discriminator = paper_networks(arguments.seed)
    generator, discriminator = generator.to(device), discriminator.to(device)
    config = ganlib.TrainConfig(
        steps=arguments.steps, k=1, batch_size=100, generator_loss="nonsaturating",
        optimizer=arguments.optimizer, discriminator_lr=arguments.lr, generator_lr=arguments.lr,
        adam_betas=(0.5, 0.999), latent_dim=100, seed=arguments.seed, snapshot_steps=(),
    )  # fmt: skip
    p_data = ganlib.EmpiricalDistribution(unit["train"].float().to(device))
    started = time.perf_counter()
    history = ganlib.train(generator, discriminator, p_data, config)
    seconds = time.perf_counter() - started

    p_g = ganlib.GeneratorDistribution(generator.eval(), ganlib.Noise(100, "normal"))
    noise_rng = torch.Generator().manual_seed(10_000 + arguments.seed)
    with torch.no_grad():
        samples = p_g.sample((arguments.samples,), noise_rng).double().cpu()
    validation = unit["validation"][: arguments.validation]
    test = unit["test"][: arguments.test]
    score, curve = ganlib.parzen_score(samples, validation, test, SIGMAS)
    at_edge = score.sigma in (SIGMAS[0], SIGMAS[-1])

    result = {
        "parzen_log_likelihood": {
            "mean": score.mean,
            "standard_error": score.standard_error,
            "sigma": score.sigma,
            "sigma_at_the_edge_of_the_grid": at_edge,
            "samples": len(samples),
            "validation_images": len(validation),
            "test_images": len(test),
            "units": "nats per test image, pixels in [0, 1]",
            "validation_curve": dict(zip(map(str, SIGMAS), curve.tolist(), strict=True)),
        },
        "paper_table_1": PAPER,
        "training": {
            "steps": len(history),
            "seconds": seconds,
            "final": history.summary(window=100),
            "config": config.to_dict(),
            "device": str(device),
        },
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "torch": torch.__version__,
        "ganlib": ganlib.__version__,
    }
    print(
        f"Parzen log-likelihood of {len(test):,} MNIST test images: {score.mean:.1f} ± "
        f"{score.standard_error:.1f} nats ({len(samples):,} samples, sigma {score.sigma:.3f} "
        f"chosen on {len(validation):,} validation images); the paper's Table 1: "
        f"{PAPER['mean']:.0f} ± {PAPER['standard_error']:.0f}"
    )
    if at_edge:
        print("warning: sigma is at the edge of the candidates; widen SIGMAS", file=sys.stderr)
    if arguments.out is not None:
        arguments.out.parent.mkdir(parents=True, exist_ok=True)
        arguments.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
