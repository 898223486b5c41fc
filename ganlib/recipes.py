r"""Named training recipes: a target, its networks, its :class:`~ganlib.TrainConfig` and its report.

A :class:`Recipe` is everything one needs to train a GAN on a target and judge the result: the
data distribution (built only when asked for, so importing this module loads no data set), the
MLP generator and discriminator with their seeded initial weights, the ``TrainConfig`` fields
that differ from ``TrainConfig``'s own defaults, and the metrics and figure of the trained
generator's samples. :meth:`Recipe.train` trains one seed with :func:`ganlib.train`
(Algorithm 1) and returns the networks and the history.

The recipes, by name (:data:`RECIPES`, or :func:`get`):

* ``gaussian``, ``mixture``, ``ring``, ``grid``, ``digits``, ``fashion-mnist``: the targets of
  ``python -m ganlib train``; :func:`digits` with a folder gives the digits recipe on MNIST,
  and :func:`fashion_mnist` the Fashion-MNIST recipe on the files of a folder;
* ``ring-plain``, ``ring-tuned``, ``grid-plain``, ``grid-tuned``: the first attempt and the
  tuned recipe of the chapter "When GANs fail" (1,200 steps of Adam, non-saturating loss);
* ``ring-fast``, ``grid-fast``: the recipes of the time-to-quality benchmark, tuned to cover
  the ring and the grid in the fewest seconds.
* ``ring-precise``, ``grid-precise``: the packing benchmark's, the same networks trained
  longer for samples close to the modes (uniform noise, learning rates lowered late).

A recipe with ``scale`` 4 trains on its target divided by 4 (the grid's ``spacing=0.5,
scale=0.0125``) and multiplies the generator's samples by 4 before they are evaluated;
division by a power of two is exact in floating point, so it is the same evaluation.

>>> sorted(RECIPES)[:4]
['digits', 'fashion-mnist', 'gaussian', 'grid']
>>> get("ring-tuned").config(seed=3).lr_decay_steps
(600, 900)
>>> generator, discriminator = get("gaussian").networks(rng=0)
>>> generator(torch.zeros(5, 1)).shape
torch.Size([5, 1])
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import torch
from torch import Tensor, nn

from ganlib._checks import check_int
from ganlib.config import TrainConfig
from ganlib.data import (
    EmpiricalDistribution,
    load_fashion_mnist,
    load_mnist,
    load_sklearn_digits,
)
from ganlib.distributions import Gaussian1d, GaussianMixture1d, grid_of_gaussians, ring_of_gaussians
from ganlib.history import History
from ganlib.metrics import histogram_js_estimate, mode_coverage
from ganlib.nets import discriminator, generator
from ganlib.noise import Noise
from ganlib.parzen import parzen_score
from ganlib.train import train as algorithm_1

__all__ = [
    "EVALUATION_SAMPLES",
    "EVALUATION_SEED",
    "RECIPES",
    "Recipe",
    "TrainedRecipe",
    "digits",
    "fashion_mnist",
    "get",
]

EVALUATION_SAMPLES = 2500
"""Samples of the generator in each snapshot of :meth:`Recipe.train` (the mode-coverage
literature's 2,500)."""

EVALUATION_SEED = 2500
"""Seed of the fixed evaluation noise of :meth:`Recipe.train`; training draws from
``config.seed``."""


@dataclass(frozen=True)
class TrainedRecipe:
    """A trained recipe: the networks (trained in place), the history and the config."""

    generator: nn.Module
    discriminator: nn.Module
    history: History
    config: TrainConfig
    scale: float = 1.0

    @property
    def samples(self) -> dict[int, Tensor]:
        """The snapshots in the target's units, ``{step: snapshot.double() * scale}``: with
        :meth:`Recipe.train`'s default snapshot, G's samples on the fixed evaluation noise,
        ``(EVALUATION_SAMPLES, data_dim)`` float64 on the CPU."""
        return {step: x.double() * self.scale for step, x in self.history.snapshots.items()}

    def sample(self, n: int, seed: int, device: torch.device | str = "cpu") -> Tensor:
        """n samples of the trained generator on noise drawn from ``seed``, in the target's
        units (as :meth:`Recipe.rescale` gives them), on the CPU; the networks are left in eval
        mode."""
        z = Noise(self.config.latent_dim, self.config.noise)
        z = z.sample((n,), torch.Generator().manual_seed(seed))
        self.generator.eval(), self.discriminator.eval()
        with torch.no_grad():
            x = self.generator(z.to(device)).cpu()
        return x if self.scale == 1 else x.double() * self.scale  # as Recipe.rescale


@dataclass(frozen=True)
class Recipe:
    r"""A target and how to train a GAN on it.

    ``data()`` builds the distribution trained on; ``target()`` what the samples are measured
    against (by default the same; the grid itself for a recipe that trains on the grid divided
    by ``scale``; the digit splits for the digits). ``hidden`` are the LeakyReLU(0.01) layers
    of both MLPs; the generator's output layer is ``generator_output`` (None: linear, for toy
    data; ``"tanh"`` for images in [-1, 1]). ``defaults`` are the ``TrainConfig`` fields set
    differently from ``TrainConfig``'s defaults (read-only). ``scale`` is 1, or the factor the
    target was divided by to train on it (:meth:`rescale` multiplies the samples back), and
    ``target_data()`` builds the target when it is not ``data()``. ``report(target, samples)``
    returns the JSON-ready metrics and ``draw(target, samples, discriminator)`` the figure.
    """

    name: str
    summary: str
    data: Callable[[], Any]
    data_dim: int
    hidden: tuple[int, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    generator_output: str | None = None
    scale: float = 1.0
    target_data: Callable[[], Any] | None = None
    report: Callable[[Any, Tensor], dict] | None = None
    draw: Callable[[Any, Tensor, nn.Module], Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "defaults", MappingProxyType(dict(self.defaults)))

    def target(self) -> Any:
        """What the samples are evaluated against (built now; see the class docstring)."""
        return self.data() if self.target_data is None else self.target_data()

    def config(self, **overrides: Any) -> TrainConfig:
        """The recipe's :class:`~ganlib.TrainConfig`; ``overrides`` replace any of its fields.

        >>> get("ring-plain").config(seed=1).batch_size
        64
        """
        return TrainConfig(**{**self.defaults, **overrides})

    def networks(
        self, latent_dim: int | None = None, rng: torch.Generator | int = 0, *, pack: int = 1
    ) -> tuple[nn.Module, nn.Module]:
        """Fresh (generator, discriminator), their weights drawn from ``rng`` (a seeded
        ``torch.Generator``, or a seed), the generator's first; the global RNG is untouched.
        ``latent_dim`` defaults to the recipe's; with ``pack`` > 1 the discriminator judges
        packs of that many samples (``TrainConfig.pack``), ``pack`` times the data's width."""
        if isinstance(rng, int) and not isinstance(rng, bool):
            rng = torch.Generator().manual_seed(rng)
        if not isinstance(rng, torch.Generator):
            raise TypeError(
                f"Recipe.networks: rng must be a torch.Generator or an int seed; got "
                f"{type(rng).__name__} {rng!r}. Pass e.g. rng=0."
            )
        latent_dim = self.config().latent_dim if latent_dim is None else latent_dim
        pack = check_int("Recipe.networks", "pack", pack, minimum=1, fix="E.g. pack=2.")
        g = generator(latent_dim, self.data_dim, self.hidden, output=self.generator_output, rng=rng)
        return g, discriminator(pack * self.data_dim, self.hidden, rng=rng)

    def rescale(self, samples: Tensor) -> Tensor:
        """The generator's samples in the target's units: themselves when ``scale`` is 1,
        else in float64 times ``scale``."""
        return samples if self.scale == 1 else samples.double() * self.scale

    def metrics(self, samples: Tensor, target: Any = None) -> dict:
        """The recipe's JSON-ready metrics of ``samples`` (in the target's units) against
        ``target`` (default: :meth:`target`); {} for a recipe without any."""
        if self.report is None:
            return {}
        return self.report(self.target() if target is None else target, samples)

    def figure(self, samples: Tensor, discriminator: nn.Module, target: Any = None) -> Any:
        """The recipe's matplotlib figure of ``samples``, or None for a recipe without one."""
        if self.draw is None:
            return None
        return self.draw(self.target() if target is None else target, samples, discriminator)

    def train(
        self,
        seed: int | None = None,
        *,
        every: int | None = None,
        config: TrainConfig | None = None,
        device: torch.device | str | None = None,
        p_data: Any = None,
        snapshot: Callable[[nn.Module, nn.Module, int], Any] | None = None,
        stop_when: Callable[[Any, int], Any] | None = None,
        progress: bool = False,
        checkpoint_path: str | os.PathLike | None = None,
        resume: bool | str | os.PathLike = False,
        **overrides: Any,
    ) -> TrainedRecipe:
        """Train fresh networks (weights from ``config.seed``) with :func:`ganlib.train`.

        The config is ``config``, or :meth:`config` with ``seed`` and ``overrides``; ``every``
        sets ``snapshot_steps`` to ``0, every, 2 every, ...`` up to ``steps``. By default each
        snapshot is G's samples on :data:`EVALUATION_SAMPLES` fixed noise vectors (drawn from
        :data:`EVALUATION_SEED`), read in the target's units from :attr:`TrainedRecipe.samples`.
        ``device`` is where the networks train (default: the CPU); ``p_data`` replaces
        ``data()``; the other keywords are :func:`ganlib.train`'s.
        """
        if config is None:
            if seed is not None:
                overrides["seed"] = seed
            if every is not None:
                if "snapshot_steps" in overrides:
                    raise ValueError(
                        "Recipe.train: snapshot_steps must not be given with every; got both. "
                        "Pass one of them."
                    )
                every = check_int("Recipe.train", "every", every, minimum=1, fix="E.g. 50.")
                steps = self.config(**overrides).steps
                overrides["snapshot_steps"] = tuple(range(0, steps + 1, every))
            config = self.config(**overrides)
        elif seed is not None or every is not None or overrides:
            raise ValueError(
                "Recipe.train: config must come alone, without seed, every or TrainConfig "
                f"fields; got config and {sorted({*overrides, 'seed', 'every'})}. Put every "
                "choice in the config, e.g. recipe.config(seed=1, steps=500)."
            )
        device = torch.device("cpu" if device is None else device)
        rng = torch.Generator().manual_seed(config.seed)
        g, d = self.networks(config.latent_dim, rng, pack=config.pack)
        g, d = g.to(device), d.to(device)
        if snapshot is None:
            evaluation = torch.Generator().manual_seed(EVALUATION_SEED)
            z = Noise(config.latent_dim, config.noise).sample((EVALUATION_SAMPLES,), evaluation)
            z = z.to(device)
            snapshot = lambda generator, discriminator, step: generator(z)  # noqa: E731
        history = algorithm_1(
            g,
            d,
            self.data() if p_data is None else p_data,
            config,
            progress=progress,
            snapshot=snapshot,
            checkpoint_path=checkpoint_path,
            resume=resume,
            stop_when=stop_when,
        )
        return TrainedRecipe(g, d, history, config, self.scale)


# --- metrics and figures ---------------------------------------------------------------------
# The figures import ganlib.plot (and so matplotlib) only when one is drawn.


def _figure_1d(p_data: Any, samples: Tensor, discriminator: nn.Module) -> Any:
    from ganlib import plot

    return plot.samples_1d(p_data, samples, discriminator=discriminator, title="p_g vs p_data")


def _figure_2d(p_data: Any, samples: Tensor, discriminator: nn.Module) -> Any:
    from ganlib import plot

    return plot.samples_2d(samples, centres=p_data.centres, title="generated samples")


def _metrics_1d(p_data: Any, samples: Tensor) -> dict:
    return {"js_divergence_estimate": histogram_js_estimate(p_data, samples)}


def _metrics_2d(p_data: Any, samples: Tensor) -> dict:
    coverage = mode_coverage(samples, p_data.centres, p_data.scale)
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


def _figure_digits(splits: Any, samples: Tensor, discriminator: nn.Module) -> Any:
    from ganlib import plot

    return plot.image_grid(samples[:100], splits.image_shape, title="generated digits")


def _metrics_digits(splits: Any, samples: Tensor, n_validation: int | None = None) -> dict:
    """The paper's evaluation: Parzen-window log-likelihood of the test digits under the
    samples, the bandwidth chosen on the validation split, or on its first ``n_validation``
    images (all in float64)."""
    samples = samples.detach().to("cpu", torch.float64)
    sigmas = torch.logspace(-1, 0, 21, dtype=torch.float64)
    validation = splits.validation.images[:n_validation].double()
    test = splits.test.images.double()
    score, _ = parzen_score(samples, validation, test, sigmas)
    return {
        "parzen_log_likelihood": {
            "mean": score.mean,
            "standard_error": score.standard_error,
            "sigma": score.sigma,
            "units": "nats per test image, pixels scaled to [-1, 1]",
            "mean_pixels_in_0_1": score.mean + math.prod(splits.image_shape) * math.log(2),
            "samples": samples.shape[0],
            "test_images": len(splits.test),
            "validation_images": len(validation),
            "method": "sigma chosen on the validation split from logspace(-1, 0, 21); "
            "the paper's Table 1 (MNIST 28x28 in [0, 1]) is comparable only on MNIST, "
            "after mean_pixels_in_0_1's change of units",
        }
    }


# --- the recipes -----------------------------------------------------------------------------

# The 2-D targets train far better with Adam than with the paper's SGD in a few thousand steps.
_ADAM = {"optimizer": "adam", "discriminator_lr": 1e-3, "generator_lr": 1e-3}


def digits(mnist: str | os.PathLike | None = None) -> Recipe:
    """The ``digits`` recipe on scikit-learn's 8x8 digits, or on MNIST read from the four IDX
    files in the folder ``mnist``; the digits are loaded once, when first needed."""
    if mnist is None:
        load = functools.cache(lambda: load_sklearn_digits(seed=0))
        data_dim = 64
    else:
        load = functools.cache(lambda: load_mnist(mnist, seed=0))
        data_dim = 784
    source = "MNIST" if mnist is not None else "scikit-learn's 8x8 handwritten digits"
    return Recipe(
        name="digits",
        summary=f"{source}, the Keras example's MLP GAN (latent 100, hidden 128, tanh)",
        data=lambda: EmpiricalDistribution(load().train.images),
        data_dim=data_dim,
        hidden=(128,),
        generator_output="tanh",
        # The chapter "Generating digits" measured these: Adam with beta1 = 0.5 and the
        # non-saturating loss; 4,000 steps take seconds on one CPU thread.
        defaults={"steps": 4000, "latent_dim": 100, "generator_loss": "nonsaturating", **_ADAM},
        target_data=load,
        report=_metrics_digits,
        draw=_figure_digits,
    )


def _metrics_fashion(splits: Any, samples: Tensor) -> dict:
    """The Parzen evaluation of the digits, sigma chosen on 2,000 validation images (the
    10,000 would take ten times as long) and scored on all the test images."""
    return _metrics_digits(splits, samples, n_validation=2000)


def _figure_fashion(splits: Any, samples: Tensor, discriminator: nn.Module) -> Any:
    from ganlib import plot

    return plot.image_grid(samples[:100], splits.image_shape, title="generated images")


def fashion_mnist(root: str | os.PathLike | None = None) -> Recipe:
    """The ``fashion-mnist`` recipe: the Keras example's MLP GAN on 28x28 Fashion-MNIST, read by
    :func:`ganlib.load_fashion_mnist` from ``root`` (or the cache, or Debian's folder) once,
    when first needed; the chapter "Real images" trains it for 3,000 steps."""
    load = functools.cache(lambda: load_fashion_mnist(root, seed=0))
    return Recipe(
        name="fashion-mnist",
        summary="Fashion-MNIST (28x28 clothing), the Keras example's MLP GAN (latent 100, "
        "hidden 128, tanh)",
        data=lambda: EmpiricalDistribution(load().train.images),
        data_dim=784,
        hidden=(128,),
        generator_output="tanh",
        # The digits' settings, which the chapter "Real images" keeps; 10,000 steps take
        # about half a minute on one CPU thread.
        defaults={"steps": 10000, "latent_dim": 100, "generator_loss": "nonsaturating", **_ADAM},
        target_data=load,
        report=_metrics_fashion,
        draw=_figure_fashion,
    )


def _adam(steps: int, d_lr: float, g_lr: float, batch_size: int, **more: Any) -> dict[str, Any]:
    """TrainConfig fields of a 2-D recipe: Adam, the non-saturating loss, 2-D noise."""
    fixed = {"optimizer": "adam", "generator_loss": "nonsaturating", "latent_dim": 2}
    lrs = {"discriminator_lr": d_lr, "generator_lr": g_lr}
    return {"steps": steps, "batch_size": batch_size, **lrs, **fixed, **more}


def _2d(name: str, summary: str, data: Callable, hidden: tuple, defaults, **options) -> Recipe:
    """A recipe of a 2-D mixture: linear generator output, mode coverage, a scatter."""
    report = {"report": _metrics_2d, "draw": _figure_2d}
    return Recipe(name, summary, data, 2, hidden, defaults, **options, **report)


def _quarter_grid() -> Any:
    return grid_of_gaussians(spacing=0.5, scale=0.0125)  # the grid divided by 4


_QUARTER = {"scale": 4.0, "target_data": grid_of_gaussians}  # train on grid / 4, evaluate x 4
_RING = "8 Gaussians (std 0.01) on the unit circle, ganlib.ring_of_gaussians()"
_GRID = "25 Gaussians (std 0.05) on {-4,...,4}^2, ganlib.grid_of_gaussians()"
_SGD = {"steps": 5000, "discriminator_lr": 0.05, "generator_lr": 0.05}
# The chapter "When GANs fail": a first attempt (equal learning rates, small networks), and the
# tuned recipe: D's learning rate four times G's (D stays ahead), both lowered twice late on.
_PLAIN = _adam(1200, 1e-3, 1e-3, 64)
_TUNED = _adam(1200, 2e-3, 5e-4, 128, lr_decay_steps=(600, 900), lr_decay=0.3)

_ALL = [
    # Over seeds 0-4 the minimax loss left D flat and p_g misshapen in 4 runs of 5 (JS
    # estimate, 2,500 samples: 0.11-0.20 nats); the non-saturating loss 0.009-0.04 in 4 of 5.
    Recipe("gaussian", "the Gaussian N(2, 0.5^2) on the line", lambda: Gaussian1d(2.0, 0.5),
           1, (32, 32), {**_SGD, "generator_loss": "nonsaturating"}, report=_metrics_1d,
           draw=_figure_1d),
    Recipe("mixture", "an equal mixture of N(-2, 0.5^2) and N(2, 0.5^2) on the line",
           lambda: GaussianMixture1d([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5]), 1, (32, 32), _SGD,
           report=_metrics_1d, draw=_figure_1d),
    _2d("ring", _RING, ring_of_gaussians, (128, 128), {"steps": 3000, "latent_dim": 2, **_ADAM}),
    _2d("grid", _GRID, grid_of_gaussians, (128, 128), {"steps": 5000, "latent_dim": 2, **_ADAM}),
    digits(),
    fashion_mnist(),
    _2d("ring-plain", f"{_RING}; a first attempt", ring_of_gaussians, (32, 32), _PLAIN),
    _2d("ring-tuned", f"{_RING}; tuned", ring_of_gaussians, (128, 128), _TUNED),
    _2d("grid-plain", f"{_GRID}; a first attempt", grid_of_gaussians, (32, 32), _PLAIN),
    _2d("grid-tuned", f"{_GRID}; tuned, trained on the grid divided by 4", _quarter_grid,
        (128, 128), _TUNED, **_QUARTER),
    _2d("ring-fast", f"{_RING}; the time-to-quality benchmark's", ring_of_gaussians,
        (256, 256, 256), _adam(4000, 2e-3, 5e-4, 256, lr_decay_steps=(1500, 2500), lr_decay=0.3)),
    _2d("grid-fast", f"{_GRID}; the time-to-quality benchmark's, on the grid divided by 4",
        _quarter_grid, (192, 192), _adam(24000, 1e-3, 1e-3, 512, adam_betas=(0.5, 0.9),
        noise="uniform", lr_decay_steps=(6000, 10000), lr_decay=0.3), **_QUARTER),
    # The packing benchmark's: the -fast networks kept longer at their high learning rates,
    # then long at the lowest, for samples precise enough to compare with PacGAN's Table 1.
    _2d("ring-precise", f"{_RING}; the packing benchmark's", ring_of_gaussians,
        (256, 256, 256), _adam(16000, 4e-3, 1e-3, 256, noise="uniform",
        lr_decay_steps=(6000, 9000), lr_decay=0.3)),
    _2d("grid-precise", f"{_GRID}; the packing benchmark's, on the grid divided by 4",
        _quarter_grid, (192, 192), _adam(28000, 1e-3, 1e-3, 512, adam_betas=(0.5, 0.9),
        noise="uniform", lr_decay_steps=(16000, 20000), lr_decay=0.3), **_QUARTER),
]  # fmt: skip

RECIPES: Mapping[str, Recipe] = MappingProxyType({recipe.name: recipe for recipe in _ALL})
"""Every named recipe (read-only); :func:`digits` builds the digits recipe on MNIST."""


def get(name: str) -> Recipe:
    """The recipe called ``name``.

    >>> get("grid-tuned").scale
    4.0
    """
    if not isinstance(name, str):
        raise TypeError(
            f"get: name must be a str; got {type(name).__name__} {name!r}. Pass e.g. 'ring'."
        )
    if name not in RECIPES:
        raise ValueError(
            f"get: name must be one of {sorted(RECIPES)}; got {name!r}. For MNIST, call "
            "ganlib.recipes.digits(folder)."
        )
    return RECIPES[name]
