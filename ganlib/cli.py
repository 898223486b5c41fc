r"""The command line: ``ganlib train <target> [options]``, or ``python -m ganlib train ...``.

``ganlib`` is the console script that ``pip install`` puts next to the interpreter; ``python -m
ganlib`` runs the same :func:`main`. ``ganlib --version`` prints the library's version.

``train`` runs :func:`ganlib.train` (Algorithm 1) with one of the recipes of
:mod:`ganlib.recipes` (the targets in :data:`TARGETS`) and writes four files into ``--out``:

* ``samples.png``: 10,000 samples of the trained generator against the target (a histogram
  over the density in 1-D, with D; a scatter over the mode centres in 2-D; a grid of images),
  and ``training.png``, the losses and mean D(x), D(G(z)) over the iterations;
* ``metrics.json``: the final losses and mean D(x), D(G(z)), the configuration, the speed and
  the recipe's metrics: for 1-D targets an *estimate* of JS(p_data || p_g) from a histogram of
  the samples, for 2-D mixtures the mode coverage, for the digits and Fashion-MNIST the
  Parzen-window log-likelihood of the test images;
* ``checkpoint.pt``: the run's checkpoint, saved every ``--checkpoint-every`` steps and at the
  end; ``--resume`` continues from it to ``--steps`` (by default, to the steps it was started
  with, which finishes an interrupted run).

Each target's recipe chooses its networks and the defaults it states in ``--help``; any option
given overrides them.

Errors are one line on stderr, and the exit code says what happened: 0 the run finished and
wrote its files; 1 the run failed (a data set that is not there, a damaged checkpoint, one
that does not fit the run, a run that diverged, a file that could not be written); 2 wrong
options (argparse's message), or an ``--out`` where the files cannot be written, found before
the first step; 130 Ctrl-C, after the run saved its checkpoint at the last finished step
(``--resume`` continues from there, bit for bit).

>>> TARGETS
('gaussian', 'mixture', 'ring', 'grid', 'digits', 'fashion-mnist')
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from ganlib import __version__, plot, recipes
from ganlib import config as config_tables
from ganlib.checkpoint import CheckpointError, load_checkpoint
from ganlib.config import TrainConfig
from ganlib.runtime import device as default_device

__all__ = ["EVALUATION_SAMPLES", "TARGETS", "main"]

TARGETS = ("gaussian", "mixture", "ring", "grid", "digits", "fashion-mnist")
"""The targets of ``python -m ganlib train``: names of recipes in :data:`ganlib.recipes.RECIPES`."""

EVALUATION_SAMPLES = 10_000
"""Samples of the trained generator behind the figure and the metrics."""

OUTPUTS = ("samples.png", "training.png", "metrics.json", "checkpoint.pt")
"""The files that ``train`` writes into ``--out``."""

PROGRAM = "python -m ganlib train"
"""The name of ``train`` in its messages when the command line is not started as ``ganlib``."""

SCRIPT = "ganlib"
"""The console script (``[project.scripts]`` in pyproject.toml)."""

EXAMPLES = """examples:
  python -m ganlib train gaussian --out runs/gaussian --steps 2000
  python -m ganlib train gaussian --out runs/gaussian --steps 4000 --resume
  python -m ganlib train ring --generator-loss nonsaturating --threads 1
  python -m ganlib train ring --steps 3000 --lr-decay-steps 1500 2500 --lr-decay 0.3
  python -m ganlib train digits --threads 1 --out runs/digits
  python -m ganlib train digits --mnist path/to/mnist --steps 20000 --out runs/mnist
  python -m ganlib train fashion-mnist --threads 1 --out runs/fashion"""


def _positive(kind: type, text: str) -> int | float:
    """argparse type: an int >= 1, or a finite float > 0."""
    what = "a positive integer" if kind is int else "a positive number"
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}; got {text!r}") from None
    if not (math.isfinite(value) and value > 0 and (kind is float or value >= 1)):
        raise argparse.ArgumentTypeError(f"must be {what}; got {text!r}")
    return value


def _positive_int(text: str) -> int:
    return _positive(int, text)


def _positive_float(text: str) -> float:
    return _positive(float, text)


def _target_help(program: str = PROGRAM) -> str:
    lines = ["targets, with their networks and defaults (options given override them):"]
    for name in TARGETS:
        recipe = recipes.get(name)
        config = recipe.config()
        hidden = "-".join(map(str, recipe.hidden))
        mnist = "; --mnist DIR trains on MNIST's IDX files in DIR" if name == "digits" else ""
        if name == "fashion-mnist":
            mnist = "; the files of Debian's dataset-fashion-mnist, or ganlib's cache"
        lines += [
            f"  {name:13s} {recipe.summary}{mnist}",
            f"{'':16s}G {config.latent_dim}-{hidden}-{recipe.data_dim} and D "
            f"{recipe.data_dim}-{hidden}-1 (LeakyReLU 0.01), {config.noise} noise",
            f"{'':16s}--steps {config.steps} --lr {config.discriminator_lr:g} --optimizer "
            f"{config.optimizer} --batch-size {config.batch_size} --generator-loss "
            f"{config.generator_loss}",
        ]
    return "\n".join([*lines, "", EXAMPLES.replace(PROGRAM, program)])


# (flags, argparse keywords); ``dest`` names the TrainConfig field an option sets, if any.
_OPTIONS = [
    (("--steps",), dict(type=_positive_int, metavar="N", help="generator iterations in all; "
     "with --resume, the total to continue to (default: the target's)")),
    (("--k",), dict(type=_positive_int, metavar="K", help="discriminator steps per iteration "
     "(default 1, the paper's)")),
    (("--batch-size",), dict(type=_positive_int, metavar="M", help="minibatch size m, for data "
     "and noise alike (default 100)")),
    (("--generator-loss",), dict(choices=config_tables.GENERATOR_LOSS_NAMES, help="'minimax': "
     "descend log(1 - D(G(z))), Algorithm 1; 'nonsaturating': descend -log D(G(z)), the "
     "paper's practical alternative (default: the target's)")),
    (("--optimizer",), dict(choices=config_tables.OPTIMIZERS, help="'sgd' with momentum 0.5 "
     "(the paper's) or 'adam' with betas (0.5, 0.999) (default: the target's)")),
    (("--lr",), dict(type=_positive_float, metavar="LR", help="learning rate of both networks "
     "(default: the target's)")),
    (("--lr-decay-steps",), dict(type=_positive_int, nargs="+", metavar="N", help="a step "
     "schedule: after each of these iteration counts both learning rates are multiplied by "
     "--lr-decay (default: none)")),
    (("--lr-decay",), dict(type=_positive_float, metavar="F", help="the factor of each decay, "
     "in (0, 1] (default 0.1)")),
    (("--pack",), dict(type=_positive_int, metavar="N", help="PacGAN's packing: the "
     "discriminator judges N samples at once, all real or all generated; each minibatch holds "
     "--batch-size packs (default 1, the paper's discriminator)")),
    (("--seed",), dict(type=int, metavar="SEED", help="seed of the initial weights and of "
     "every draw of data and noise (default 0)")),
    (("--device",), dict(choices=("cpu", "cuda", "mps", "auto"), default="auto", help="where "
     "to train: 'cpu', 'cuda', 'mps' (Apple's GPU), or 'auto' (default): ganlib.device(), CUDA "
     "when present, then MPS, else the CPU, and the GANLIB_DEVICE environment variable "
     "overrides it")),
    (("--threads",), dict(type=_positive_int, metavar="N", help="torch's CPU threads, "
     "torch.set_num_threads(N) (default: torch's choice, usually the number of cores); small "
     "networks often train fastest with 1")),
    (("--out",), dict(type=Path, metavar="DIR", help="folder for the outputs, created if "
     "missing (default: runs/<target>)")),
    (("--checkpoint-every",), dict(type=int, default=1000, metavar="N", help="save the "
     "checkpoint every N steps as well as at the end, so that an interrupted run can be "
     "resumed; 0 saves only at the end (default 1000)")),
    (("--resume",), dict(nargs="?", const=True, default=None, metavar="CHECKPOINT",
     help="continue from DIR/checkpoint.pt (or from CHECKPOINT) with the checkpoint's "
     "configuration, to --steps (default: the steps the run was started with); the outputs "
     "go to --out")),
    (("--mnist",), dict(type=Path, metavar="DIR", help="digits only: train on MNIST, read "
     "from the four standard IDX files (plain or .gz) in DIR, instead of scikit-learn's 8x8 "
     "digits; nothing is downloaded")),
    (("--no-progress",), dict(action="store_true", help="hide the progress bar (it is shown "
     "only when stderr is a terminal)")),
]  # fmt: skip

# TrainConfig fields set by the options of the same name (--lr sets both learning rates).
_FIELDS = ("steps", "k", "batch_size", "generator_loss", "optimizer", "lr_decay_steps",
           "lr_decay", "seed", "checkpoint_every", "pack")  # fmt: skip


def _program() -> str:
    """How the command line was started: ``ganlib`` (the console script, whose wrapper leaves
    its own path in ``sys.argv[0]``) or ``python -m ganlib`` (anything else, ``-m`` and calls
    of :func:`main` from Python included)."""
    started_as = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    for suffix in (".exe", "-script.pyw", "-script.py"):
        started_as = started_as.removesuffix(suffix)
    return SCRIPT if started_as == SCRIPT else PROGRAM.removesuffix(" train")


def _parser() -> argparse.ArgumentParser:
    prog = _program()
    parser = argparse.ArgumentParser(
        prog=prog,
        description="ganlib, the companion library of 'GANs from First Principles'.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"ganlib {__version__}",
        help="print the version of ganlib and exit",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    train_parser = commands.add_parser(
        "train",
        help="train a GAN with Algorithm 1 on a toy target",
        description="Train a GAN on a toy target with Algorithm 1 of Goodfellow et al. (2014). "
        "Writes samples.png (10,000 samples against the target), training.png (losses, mean "
        "D(x) and D(G(z))), metrics.json (final figures, configuration, speed and, in 1-D, an "
        "estimate of JS(p_data || p_g)) and checkpoint.pt into --out.",
        epilog=_target_help(f"{prog} train"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    targets = ", ".join(TARGETS)
    train_parser.add_argument("target", choices=TARGETS, help=f"the data distribution: {targets}")
    for flags, options in _OPTIONS:
        train_parser.add_argument(*flags, **options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit code
    (0, 1, 2 or 130, as the module's docstring says). Usage errors, ``--help`` and
    ``--version`` exit through argparse's ``SystemExit`` (2, 0 and 0)."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    program = f"{parser.prog} {arguments.command}"
    try:
        return _train(parser, arguments, program)
    except KeyboardInterrupt as interrupt:  # train saved the run at its last whole step
        message = str(interrupt).removeprefix("train: ")
        if not message:
            message = "interrupted outside the training loop; the checkpoint, if any, is intact"
        message = f"{message} Continue with --resume." if "step" in message else message
        return _fail(message, 130, program)
    except (CheckpointError, OSError) as error:  # a damaged checkpoint, an unwritable file
        return _fail(f"error: {error}", 1, program)


def _fail(message: str, code: int, program: str = PROGRAM) -> int:
    """Print ``message`` on one line of stderr, after the program's name; return the exit
    code."""
    print(f"{program}: {' '.join(message.split())}", file=sys.stderr)
    return code


def _check_out(out: Path) -> str | None:
    """Create the folder ``out`` and check that its files can be written; what is wrong."""
    if out.exists() and not out.is_dir():
        return (
            f"argument --out: must be a folder; got {str(out)!r}, which is a file. Pass a "
            "folder's path."
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in OUTPUTS:
            if (out / name).is_dir():
                return (
                    f"argument --out: {str(out / name)!r} must be a file the run can write; "
                    "got a folder. Remove it, or pass another --out."
                )
            if (out / name).exists() and not os.access(out / name, os.W_OK):
                return f"argument --out: {str(out / name)!r} must be writable; it is read-only."
        probe = out / f".{OUTPUTS[-1]}.tmp"  # the checkpoint's temporary file
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return (
            f"argument --out: must be a folder where files can be written; got {str(out)!r}: "
            f"{reason}. Pass another --out."
        )
    return None


def _device(parser: argparse.ArgumentParser, name: str) -> torch.device:
    if name == "auto":
        try:
            return default_device()
        except ValueError as error:  # a GANLIB_DEVICE this machine lacks
            parser.error(f"argument --device: {error}")
    if name == "cuda" and not torch.cuda.is_available():
        parser.error("argument --device: cuda was asked for, but torch sees no CUDA device")
    if name == "mps" and not torch.backends.mps.is_available():
        parser.error(
            "argument --device: mps was asked for, but torch sees no MPS device (Apple's GPU, "
            "on macOS with Apple silicon)"
        )
    return torch.device(name)


def _recipe(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> recipes.Recipe:
    if arguments.mnist is None and arguments.target == "fashion-mnist":
        return recipes.fashion_mnist()  # found now; missing files are one line, exit code 1
    if arguments.mnist is None:
        return recipes.get(arguments.target)
    if arguments.target != "digits":
        parser.error("argument --mnist: only the digits target trains on MNIST")
    recipe = recipes.digits(arguments.mnist)
    try:
        recipe.target()  # read the files now, so that a wrong folder is a usage error
    except (FileNotFoundError, ValueError) as error:
        parser.error(f"argument --mnist: {error}")
    return recipe


def _config(parser, arguments, recipe: recipes.Recipe, checkpoint: Path):
    """The run's TrainConfig, where it resumes from (or None) and the step it starts at."""
    given = {name: getattr(arguments, name) for name in _FIELDS}
    given["discriminator_lr"] = given["generator_lr"] = arguments.lr
    given = {name: value for name, value in given.items() if value is not None}
    resume_from, start, base = None, 0, dict(recipe.defaults)
    if arguments.resume is not None:
        resume_from = checkpoint if arguments.resume is True else Path(arguments.resume)
        try:
            saved = load_checkpoint(resume_from, required=("config", "step"))
        except FileNotFoundError as error:
            parser.error(f"argument --resume: {error}")
        base, start = saved["config"], saved["step"]
        try:
            TrainConfig.from_dict(base)
        except (TypeError, ValueError) as error:
            raise CheckpointError(
                f"train: config of the checkpoint {str(resume_from)!r} must be a valid "
                f"configuration; got {type(base).__name__}: {str(error).rstrip('.')}. The file is "
                "damaged: "
                "resume from an intact checkpoint, or start a new run."
            ) from error
        start = start if type(start) is int else 0  # Run checks it when it loads the state
    try:
        return TrainConfig.from_dict({**base, **given}), resume_from, start
    except (TypeError, ValueError) as error:
        parser.error(str(error))


def _train(
    parser: argparse.ArgumentParser, arguments: argparse.Namespace, program: str = PROGRAM
) -> int:
    recipe = _recipe(parser, arguments)
    out = arguments.out if arguments.out is not None else Path("runs") / arguments.target
    checkpoint = out / "checkpoint.pt"
    device = _device(parser, arguments.device)
    if arguments.threads is not None:
        torch.set_num_threads(arguments.threads)
    config, resume_from, start = _config(parser, arguments, recipe, checkpoint)
    problem = _check_out(out)
    if problem is not None:
        return _fail(f"error: {problem}", 2, program)

    p_data, target = recipe.data(), recipe.target()
    started = time.perf_counter()
    try:
        trained = recipe.train(
            config=config,
            device=device,
            p_data=p_data,
            progress=sys.stderr.isatty() and not arguments.no_progress,
            checkpoint_path=checkpoint,
            resume=resume_from or False,
        )
    except (ValueError, FloatingPointError, OSError) as error:
        # a checkpoint that does not fit or is damaged, a diverged run, a full disk
        return _fail(f"error: {error}", 1, program)
    seconds = time.perf_counter() - started
    discriminator, history = trained.discriminator, trained.history
    samples = trained.sample(EVALUATION_SAMPLES, config.seed, device)  # the same z every run
    figure = recipe.figure(samples, discriminator, target)
    if figure is not None:
        figure.savefig(out / "samples.png", dpi=120)
    plot.training_curves(history).savefig(out / "training.png", dpi=120)

    metrics = {
        "target": arguments.target,
        "p_data": repr(p_data),
        "steps": len(history),
        **history.summary(window=100),
        "final_window": f"means over the last {min(100, len(history))} iterations; d_real is "
        "mean D(x) and d_fake mean D(G(z)) on each iteration's minibatch",
        "config": config.to_dict(),
        "device": str(device),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "seconds": seconds,
        "steps_per_second": (config.steps - start) / seconds if seconds > 0 else None,
        **recipe.metrics(samples, target),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print(
        f"wrote {out / 'samples.png'}, {out / 'training.png'}, {out / 'metrics.json'} and "
        f"{checkpoint} ({len(history)} steps, {seconds:.1f} s)"
    )
    return 0
