r"""The command line: ``python -m ganlib train <target> [options]``.

``train`` runs :func:`ganlib.train` (Algorithm 1) on one of the toy targets in :data:`TARGETS`
and writes four files into ``--out``:

* ``samples.png``: 10,000 samples of the trained generator against the target (a histogram
  over the density in 1-D, with D; a scatter over the mode centres in 2-D), and
  ``training.png``, the losses and mean D(x), D(G(z)) over the iterations;
* ``metrics.json``: the final losses and mean D(x), D(G(z)), the configuration, the speed,
  for 1-D targets an *estimate* of JS(p_data || p_g) from a histogram of the samples, and
  for 2-D mixtures the mode coverage of the samples, for the digits the Parzen-window
  log-likelihood of the test digits;
* ``checkpoint.pt``: the run's checkpoint, saved every ``--checkpoint-every`` steps and at the
  end; ``--resume`` continues from it to ``--steps`` (by default, to the steps it was started
  with, which finishes an interrupted run).

Each target chooses its networks and the defaults it states in ``--help``; any option given
overrides them. A target is a :class:`Target` in :data:`TARGETS`; each brings its own
networks, figure and metrics.

>>> sorted(TARGETS)
['digits', 'gaussian', 'grid', 'mixture', 'ring']
>>> TARGETS["gaussian"].defaults["steps"]
5000
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

import ganlib
from ganlib import plot
from ganlib.checkpoint import load_checkpoint
from ganlib.divergences import js_divergence
from ganlib.train import TrainConfig, sample_noise, train

__all__ = ["TARGETS", "Target", "histogram_js_estimate", "main"]

EVALUATION_SAMPLES = 10_000
"""Samples of the trained generator behind the figure and the JS estimate."""


# --- targets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A target of ``python -m ganlib train``: the data, the networks and what to report.

    ``defaults`` are the :class:`ganlib.TrainConfig` fields this target sets differently
    from TrainConfig's own defaults (the command line's options override both).
    ``networks(latent_dim, rng)`` builds the (generator, discriminator) pair, weights drawn
    from ``rng``; ``figure(p_data, samples, discriminator)`` draws the samples;
    ``metrics(p_data, samples)`` returns extra JSON-ready measurements.
    """

    summary: str
    p_data: Callable[[], Any]
    data_dim: int
    hidden: tuple[int, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    figure: Callable[..., Any] | None = None
    metrics: Callable[[Any, Tensor], dict] | None = None
    generator_output: str | None = None  # None: linear, for toy data not scaled to [-1, 1]

    def networks(self, latent_dim: int, rng: torch.Generator) -> tuple[nn.Module, nn.Module]:
        """MLPs with ``hidden`` LeakyReLU(0.01) layers each; the generator's output layer is
        ``generator_output`` (linear for the toy targets, tanh for images in [-1, 1])."""
        generator = ganlib.generator(
            latent_dim, self.data_dim, self.hidden, output=self.generator_output
        )
        discriminator = ganlib.discriminator(self.data_dim, self.hidden)
        ganlib.init_weights(generator, generator=rng)
        ganlib.init_weights(discriminator, generator=rng)
        return generator, discriminator


def histogram_js_estimate(
    p_data: Any, samples: Tensor, *, dx: float | None = None
) -> dict[str, float | int | str]:
    r"""An **estimate** of :math:`\mathrm{JS}(p_{data} \,\|\, p_g)` in nats, from samples of p_g.

    The samples are binned on a uniform grid of spacing ``dx`` (default: a tenth of the
    target's smallest standard deviation) that covers them and the target's mass; the
    histogram, as a density, is compared with the target density at the bin centres by
    :func:`ganlib.js_divergence` with ``dx``. The estimate is biased upwards by the
    histogram's sampling noise: ``"floor"`` is the same estimate for as many samples of
    p_data itself (seeded), the value a perfect generator would get on average.
    """
    x = samples.detach().to("cpu", torch.float64).reshape(-1)
    mean = float(p_data.mean.reshape(-1)[0])
    std = float(p_data.variance.reshape(-1)[0]) ** 0.5
    scales = getattr(p_data, "scales", None)
    smallest = float(scales.min()) if scales is not None else getattr(p_data, "scale", std)
    dx = smallest / 10 if dx is None else float(dx)
    low = min(float(x.min()), mean - 10 * std)
    high = max(float(x.max()), mean + 10 * std)
    bins = math.ceil((high - low) / dx) + 1
    centres = low + dx * torch.arange(bins, dtype=torch.float64)  # bin i: centres[i] +- dx/2
    p = p_data.log_prob(centres[:, None]).exp()  # the target density at the bin centres

    def histogram_density(points: Tensor) -> Tensor:
        index = torch.floor((points - low) / dx + 0.5).long().clamp(0, bins - 1)
        return torch.bincount(index, minlength=bins).double() / (points.numel() * dx)

    value = float(js_divergence(p, histogram_density(x), dx=dx))
    reference = p_data.sample((x.numel(),), torch.Generator().manual_seed(0)).reshape(-1)
    floor = float(js_divergence(p, histogram_density(reference), dx=dx))
    return {
        "value": value,
        "floor": floor,
        "units": "nats",
        "samples": x.numel(),
        "dx": dx,
        "method": "estimate: histogram of generated samples vs the target density on a grid "
        "of spacing dx (ganlib.js_divergence with dx); 'floor' is the same estimate for "
        "samples of p_data itself",
    }


def _figure_1d(p_data: Any, samples: Tensor, discriminator: nn.Module) -> Any:
    return plot.samples_1d(p_data, samples, discriminator=discriminator, title="p_g vs p_data")


def _figure_2d(p_data: Any, samples: Tensor, discriminator: nn.Module) -> Any:
    return plot.samples_2d(samples, centres=p_data.centres, title="generated samples")


def _metrics_1d(p_data: Any, samples: Tensor) -> dict:
    return {"js_divergence_estimate": histogram_js_estimate(p_data, samples)}


def _metrics_2d(p_data: Any, samples: Tensor) -> dict:
    coverage = ganlib.mode_coverage(samples, p_data.centres, p_data.scale)
    return {
        "mode_coverage": {
            "modes_captured": coverage.modes_captured,
            "n_modes": coverage.n_modes,
            "high_quality_fraction": coverage.high_quality_fraction,
            # NaN (no high-quality sample) is not JSON: it is written as null.
            "reverse_kl": coverage.reverse_kl if math.isfinite(coverage.reverse_kl) else None,
            "samples": samples.shape[0],
            "definition": "a sample is high quality within 3 standard deviations of its "
            "nearest mode; a mode is captured if it is the nearest mode of a high-quality "
            "sample; reverse_kl is KL(mode histogram of high-quality samples || uniform), nats",
        }
    }


# The 2-D targets train far better with Adam than with the paper's SGD in a few thousand steps.
_ADAM = {"optimizer": "adam", "discriminator_lr": 1e-3, "generator_lr": 1e-3}


def _digit_splits(mnist: Path | None = None) -> Any:
    """scikit-learn's 8x8 digits, or MNIST from the IDX files in the folder ``mnist``."""
    if mnist is None:
        return ganlib.load_sklearn_digits(seed=0)
    return ganlib.load_mnist(mnist, seed=0)


def _digits_target(mnist: Path | None = None) -> Target:
    """The ``digits`` target on scikit-learn's 8x8 digits, or on MNIST (``--mnist DIR``)."""
    splits = _digit_splits(mnist)
    pixels = math.prod(splits.image_shape)

    def figure(p_data: Any, samples: Tensor, discriminator: nn.Module) -> Any:
        return plot.image_grid(samples[:100], splits.image_shape, title="generated digits")

    def metrics(p_data: Any, samples: Tensor) -> dict:
        """The paper's evaluation: Parzen-window log-likelihood of the test digits under the
        samples, the bandwidth chosen on the validation split (all in float64)."""
        samples = samples.detach().to("cpu", torch.float64)
        sigmas = torch.logspace(-1, 0, 21, dtype=torch.float64)
        sigma, _ = ganlib.select_parzen_bandwidth(
            samples, splits.validation.images.double(), sigmas
        )
        score = ganlib.parzen_log_likelihood(samples, splits.test.images.double(), sigma)
        return {
            "parzen_log_likelihood": {
                "mean": score.mean,
                "standard_error": score.standard_error,
                "sigma": score.sigma,
                "units": "nats per test image, pixels scaled to [-1, 1]",
                "mean_pixels_in_0_1": score.mean + pixels * math.log(2),
                "samples": samples.shape[0],
                "test_images": len(splits.test),
                "method": "sigma chosen on the validation split from logspace(-1, 0, 21); "
                "the paper's Table 1 (MNIST 28x28 in [0, 1]) is comparable only on MNIST, "
                "after mean_pixels_in_0_1's change of units",
            }
        }

    source = "MNIST" if mnist is not None else "scikit-learn's 8x8 handwritten digits"
    return Target(
        summary=f"{source}, the seed's MLP GAN (latent 100, hidden 128, tanh); "
        "--mnist DIR trains on MNIST's IDX files in DIR",
        p_data=lambda: ganlib.EmpiricalDistribution(splits.train.images),
        data_dim=pixels,
        hidden=(128,),
        generator_output="tanh",
        # The chapter "Generating digits" measured these: Adam with beta1 = 0.5 and the
        # non-saturating loss; 4,000 steps take seconds on one CPU thread.
        defaults={
            "steps": 4000,
            "latent_dim": 100,
            "generator_loss": "nonsaturating",
            **_ADAM,
        },
        figure=figure,
        metrics=metrics,
    )


TARGETS: dict[str, Target] = {
    "gaussian": Target(
        summary="the Gaussian N(2, 0.5^2) on the line",
        p_data=lambda: ganlib.Gaussian1d(2.0, 0.5),
        data_dim=1,
        hidden=(32, 32),
        # Over seeds 0-4 the minimax loss left D flat and p_g misshapen in 4 runs of 5 (JS
        # estimate, 2,500 samples: 0.11-0.20 nats); the non-saturating loss 0.009-0.04 in 4 of 5.
        defaults={
            "steps": 5000,
            "discriminator_lr": 0.05,
            "generator_lr": 0.05,
            "generator_loss": "nonsaturating",
        },
        figure=_figure_1d,
        metrics=_metrics_1d,
    ),
    "mixture": Target(
        summary="an equal mixture of N(-2, 0.5^2) and N(2, 0.5^2) on the line",
        p_data=lambda: ganlib.GaussianMixture1d([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5]),
        data_dim=1,
        hidden=(32, 32),
        defaults={"steps": 5000, "discriminator_lr": 0.05, "generator_lr": 0.05},
        figure=_figure_1d,
        metrics=_metrics_1d,
    ),
    "ring": Target(
        summary="8 Gaussians (std 0.01) on the unit circle, ganlib.ring_of_gaussians()",
        p_data=ganlib.ring_of_gaussians,
        data_dim=2,
        hidden=(128, 128),
        defaults={"steps": 3000, "latent_dim": 2, **_ADAM},
        figure=_figure_2d,
        metrics=_metrics_2d,
    ),
    "grid": Target(
        summary="25 Gaussians (std 0.05) on {-4,...,4}^2, ganlib.grid_of_gaussians()",
        p_data=ganlib.grid_of_gaussians,
        data_dim=2,
        hidden=(128, 128),
        defaults={"steps": 5000, "latent_dim": 2, **_ADAM},
        figure=_figure_2d,
        metrics=_metrics_2d,
    ),
}
TARGETS["digits"] = _digits_target()  # scikit-learn's digits ship with it: no download
"""The targets of ``python -m ganlib train``, by name."""


# --- the command line ------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    """argparse type: an int >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}")
    return value


def _positive_float(text: str) -> float:
    """argparse type: a finite float > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive number; got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number; got {text!r}")
    return value


def _target_help() -> str:
    lines = ["targets, with their networks and defaults (options given override them):"]
    for name, target in TARGETS.items():
        config = TrainConfig(**target.defaults)
        hidden = "-".join(map(str, target.hidden))
        lines += [
            f"  {name:9s} {target.summary}",
            f"            G {config.latent_dim}-{hidden}-{target.data_dim} and D "
            f"{target.data_dim}-{hidden}-1 (LeakyReLU 0.01), {config.noise} noise",
            f"            --steps {config.steps} --lr {config.discriminator_lr:g} --optimizer "
            f"{config.optimizer} --batch-size {config.batch_size} --generator-loss "
            f"{config.generator_loss}",
        ]
    lines += [
        "",
        "examples:",
        "  python -m ganlib train gaussian --out runs/gaussian --steps 2000",
        "  python -m ganlib train gaussian --out runs/gaussian --steps 4000 --resume",
        "  python -m ganlib train ring --generator-loss nonsaturating --threads 1",
        "  python -m ganlib train ring --steps 3000 --lr-decay-steps 1500 2500 --lr-decay 0.3",
        "  python -m ganlib train digits --threads 1 --out runs/digits",
        "  python -m ganlib train digits --mnist path/to/mnist --steps 20000 --out runs/mnist",
    ]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ganlib",
        description="ganlib, the companion library of 'GANs from First Principles'.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    train_parser = commands.add_parser(
        "train",
        help="train a GAN with Algorithm 1 on a toy target",
        description="Train a GAN on a toy target with Algorithm 1 of Goodfellow et al. (2014). "
        "Writes samples.png (10,000 samples against the target), training.png (losses, mean "
        "D(x) and D(G(z))), metrics.json (final figures, configuration, speed and, in 1-D, an "
        "estimate of JS(p_data || p_g)) and checkpoint.pt into --out.",
        epilog=_target_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = train_parser.add_argument
    add("target", choices=list(TARGETS), help="the data distribution: " + ", ".join(TARGETS))
    add(
        "--steps",
        type=_positive_int,
        metavar="N",
        help="generator iterations in all; with --resume, the total to continue to "
        "(default: the target's)",
    )
    add(
        "--k",
        type=_positive_int,
        metavar="K",
        help="discriminator steps per iteration (default 1, the paper's)",
    )
    add(
        "--batch-size",
        type=_positive_int,
        metavar="M",
        help="minibatch size m, for data and noise alike (default 100)",
    )
    add(
        "--generator-loss",
        choices=("minimax", "nonsaturating"),
        help="'minimax': descend log(1 - D(G(z))), Algorithm 1; 'nonsaturating': descend "
        "-log D(G(z)), the paper's practical alternative (default: the target's)",
    )
    add(
        "--optimizer",
        choices=("sgd", "adam"),
        help="'sgd' with momentum 0.5 (the paper's) or 'adam' with betas (0.5, 0.999) "
        "(default: the target's)",
    )
    add(
        "--lr",
        type=_positive_float,
        metavar="LR",
        help="learning rate of both networks (default: the target's)",
    )
    add(
        "--lr-decay-steps",
        type=_positive_int,
        nargs="+",
        metavar="N",
        help="a step schedule: after each of these iteration counts both learning rates are "
        "multiplied by --lr-decay (default: none)",
    )
    add(
        "--lr-decay",
        type=_positive_float,
        metavar="F",
        help="the factor of each decay, in (0, 1] (default 0.1)",
    )
    add(
        "--seed",
        type=int,
        metavar="SEED",
        help="seed of the initial weights and of every draw of data and noise (default 0)",
    )
    add(
        "--device",
        choices=("cpu", "cuda", "auto"),
        default="auto",
        help="where to train: 'cpu', 'cuda', or 'auto' (default): ganlib.device(), CUDA when "
        "present, else the CPU, and the GANLIB_DEVICE environment variable overrides it",
    )
    add(
        "--threads",
        type=_positive_int,
        metavar="N",
        help="torch's CPU threads, torch.set_num_threads(N) (default: torch's choice, "
        "usually the number of cores); small networks often train fastest with 1",
    )
    add(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder for the outputs, created if missing (default: runs/<target>)",
    )
    add(
        "--checkpoint-every",
        type=int,
        default=1000,
        metavar="N",
        help="save the checkpoint every N steps as well as at the end, so that an interrupted "
        "run can be resumed; 0 saves only at the end (default 1000)",
    )
    add(
        "--resume",
        nargs="?",
        const=True,
        default=None,
        metavar="CHECKPOINT",
        help="continue from DIR/checkpoint.pt (or from CHECKPOINT) with the checkpoint's "
        "configuration, to --steps (default: the steps the run was started with); the "
        "outputs go to --out",
    )
    add(
        "--mnist",
        type=Path,
        metavar="DIR",
        help="digits only: train on MNIST, read from the four standard IDX files (plain or "
        ".gz) in DIR, instead of scikit-learn's 8x8 digits; nothing is downloaded",
    )
    add(
        "--no-progress",
        action="store_true",
        help="hide the progress bar (it is shown only when stderr is a terminal)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit code.

    Wrong targets and options exit with status 2 and argparse's message.
    """
    parser = _parser()
    arguments = parser.parse_args(argv)
    return _train(parser, arguments)


def _device(parser: argparse.ArgumentParser, name: str) -> torch.device:
    if name == "auto":
        try:
            return ganlib.device()
        except (RuntimeError, ValueError) as error:  # a GANLIB_DEVICE this machine lacks
            parser.error(f"argument --device: {error}")
    if name == "cuda" and not torch.cuda.is_available():
        parser.error("argument --device: cuda was asked for, but torch sees no CUDA device")
    return torch.device(name)


def _train(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> int:
    target = TARGETS[arguments.target]
    if arguments.mnist is not None:
        if arguments.target != "digits":
            parser.error("argument --mnist: only the digits target trains on MNIST")
        try:
            target = _digits_target(arguments.mnist)
        except (FileNotFoundError, ValueError) as error:
            parser.error(f"argument --mnist: {error}")
    out = arguments.out if arguments.out is not None else Path("runs") / arguments.target
    checkpoint = out / "checkpoint.pt"
    device = _device(parser, arguments.device)
    if arguments.threads is not None:
        torch.set_num_threads(arguments.threads)

    given = {
        "steps": arguments.steps,
        "k": arguments.k,
        "batch_size": arguments.batch_size,
        "generator_loss": arguments.generator_loss,
        "optimizer": arguments.optimizer,
        "discriminator_lr": arguments.lr,
        "generator_lr": arguments.lr,
        "lr_decay_steps": arguments.lr_decay_steps,
        "lr_decay": arguments.lr_decay,
        "seed": arguments.seed,
        "checkpoint_every": arguments.checkpoint_every,
    }
    given = {name: value for name, value in given.items() if value is not None}
    resume_from, start = None, 0
    base = dict(target.defaults)
    if arguments.resume is not None:
        resume_from = checkpoint if arguments.resume is True else Path(arguments.resume)
        try:
            saved = load_checkpoint(resume_from, required=("config", "step"))
        except (FileNotFoundError, ValueError) as error:
            parser.error(f"argument --resume: {error}")
        base, start = dict(saved["config"]), saved["step"]
    try:
        config = TrainConfig.from_dict({**base, **given})
    except (TypeError, ValueError) as error:
        parser.error(str(error))

    rng = torch.Generator().manual_seed(config.seed)
    generator, discriminator = target.networks(config.latent_dim, rng)
    generator.to(device), discriminator.to(device)
    p_data = target.p_data()
    out.mkdir(parents=True, exist_ok=True)
    progress = sys.stderr.isatty() and not arguments.no_progress
    started = time.perf_counter()
    try:
        history = train(
            generator,
            discriminator,
            p_data,
            config,
            progress=progress,
            checkpoint_path=checkpoint,
            resume=resume_from or False,
        )
    except (ValueError, FloatingPointError) as error:  # a checkpoint that does not fit, or
        print(f"python -m ganlib train: error: {error}", file=sys.stderr)  # a diverged run
        return 1
    seconds = time.perf_counter() - started

    evaluation = torch.Generator().manual_seed(config.seed)  # the same z for every run
    z = sample_noise(EVALUATION_SAMPLES, config, evaluation)
    generator.eval(), discriminator.eval()
    with torch.no_grad():
        samples = generator(z.to(device)).cpu()
    if target.figure is not None:
        target.figure(p_data, samples, discriminator).savefig(out / "samples.png", dpi=120)
    plot.training_curves(history).savefig(out / "training.png", dpi=120)

    window = min(100, len(history))
    names = ("discriminator_loss", "generator_loss", "d_real", "d_fake")
    final = {name: float(getattr(history, name)[-window:].mean()) for name in names}
    last = {name: float(getattr(history, name)[-1]) for name in names}
    trained = config.steps - start
    metrics = {
        "target": arguments.target,
        "p_data": repr(p_data),
        "steps": len(history),
        "final": final,
        "final_window": f"means over the last {window} iterations; d_real is mean D(x) and "
        "d_fake mean D(G(z)) on each iteration's minibatch",
        "last_step": last,
        "config": config.to_dict(),
        "device": str(device),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "seconds": seconds,
        "steps_per_second": trained / seconds if seconds > 0 else None,
    }
    if target.metrics is not None:
        metrics.update(target.metrics(p_data, samples))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print(
        f"wrote {out / 'samples.png'}, {out / 'training.png'}, {out / 'metrics.json'} and "
        f"{checkpoint} ({len(history)} steps, {seconds:.1f} s)"
    )
    return 0
