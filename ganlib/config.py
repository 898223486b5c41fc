r"""The configuration of a training run: :class:`TrainConfig`, checked when it is built.

Every choice of a :func:`ganlib.train` run lives in one frozen dataclass. Its fields are
validated at construction, with messages that name the field, the constraint and a fix, and it
round-trips through a dict of primitives (for JSON files and checkpoints).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from ganlib._checks import check_choice, check_int, check_real, shown
from ganlib.losses import GENERATOR_LOSSES
from ganlib.noise import NOISES
from ganlib.optimizers import OPTIMIZERS

__all__ = ["GENERATOR_LOSS_NAMES", "NOISES", "OPTIMIZERS", "TrainConfig"]

GENERATOR_LOSS_NAMES = tuple(GENERATOR_LOSSES)  # the names of the one table of losses
# OPTIMIZERS (ganlib.optimizers) and NOISES (ganlib.noise) are re-exported from their homes.

_LR = "Pass a positive learning rate, e.g. 0.01 for SGD or 1e-3 for Adam."
_INTS = {  # field: (minimum, how to fix a wrong value)
    "steps": (1, "Pass the number of iterations, e.g. steps=1000."),
    "k": (1, "The paper used k=1 discriminator step per iteration."),
    "batch_size": (1, "The paper's code used batch_size=100."),
    "latent_dim": (1, "Pass the generator's input width, e.g. 1 for a 1-D toy, 100 for images."),
    "seed": (0, "Pass a non-negative int below 2**63, e.g. seed=0."),
    "checkpoint_every": (0, "Pass 0 for no periodic checkpoints, or e.g. 1000."),
    "pack": (1, "Pass 1 for the paper's discriminator, or e.g. 2 to pack pairs (PacGAN2)."),
}
_REALS = {  # field: (low, high, brackets, how to fix)
    "discriminator_lr": (0.0, math.inf, "()", _LR),
    "generator_lr": (0.0, math.inf, "()", _LR),
    "momentum": (0.0, 1.0, "[)", "Pass e.g. 0.5 (the paper's), or 0.0 for plain SGD."),
    "real_label": (0.0, 1.0, "(]", "Use 1.0 (the paper) or e.g. 0.9 for label smoothing."),
    "lr_decay": (0.0, 1.0, "(]", "Pass a factor such as 0.3 (each decay), or 1.0 for none."),
}
_CHOICES = {  # field: (choices, how to fix)
    "generator_loss": (
        GENERATOR_LOSS_NAMES,
        "Use 'minimax' (Algorithm 1) or 'nonsaturating' (the paper's practical alternative).",
    ),
    "optimizer": (OPTIMIZERS, "Use 'sgd' (with momentum, the paper) or 'adam'."),
    "noise": (NOISES, "Use 'normal' or 'uniform'."),
}
_PAIRS = {  # tuple fields: how to fix
    "adam_betas": "Pass two numbers in [0, 1), e.g. adam_betas=(0.5, 0.999).",
    "snapshot_steps": "Pass a tuple of distinct iteration counts, e.g. (0, 100, 1000).",
    "lr_decay_steps": "Pass a tuple of distinct iteration counts >= 1, e.g. (2000, 3000).",
}


def _fail(name: str, constraint: str, value: object, fix: str, error: type = ValueError):
    got = f"{type(value).__name__} {value!r}" if error is TypeError else repr(value)
    raise error(f"TrainConfig: {name} must {constraint}; got {got}. {fix}")


def _int(name: str, value: object, minimum: int, fix: str) -> int:
    return check_int("TrainConfig", name, value, minimum=minimum, fix=fix)


def _real(name: str, value: object, low: float, high: float, brackets: str, fix: str) -> float:
    return check_real("TrainConfig", name, value, low=low, high=high, brackets=brackets, fix=fix)


def _distinct_counts(config: object, name: str, minimum: int) -> tuple[int, ...]:
    """A tuple field of distinct iteration counts >= minimum, returned sorted."""
    values, fix = getattr(config, name), _PAIRS[name]
    if not isinstance(values, tuple | list):
        _fail(name, "be a tuple of ints", values, fix, TypeError)
    counts = [_int(name, step, minimum, fix) for step in values]
    if len(set(counts)) != len(counts):
        _fail(name, "have no repeated step", values, fix)
    return tuple(sorted(counts))


@dataclass(frozen=True)
class TrainConfig:
    r"""Every choice of a :func:`train` run; checked when it is built, then immutable.

    The defaults are the paper's where it has one. ``generator_loss="minimax"`` is Algorithm
    1's generator step, descending :math:`\frac1m \sum_i \log(1 - D(G(z^{(i)})))`, which
    saturates early in training; ``"nonsaturating"`` descends
    :math:`-\frac1m \sum_i \log D(G(z^{(i)}))` instead (the paper's practical advice), and
    ``"maximum_likelihood"`` descends :math:`-\frac{1}{2m} \sum_i \exp(\sigma^{-1}(D(G(z^{(i)}))))`
    (Goodfellow's NIPS 2016 tutorial).
    ``discriminator_lr`` and ``generator_lr`` are separate so that a chapter can unbalance the
    players; the default learning rate suits SGD, so set both (e.g. 1e-3) with ``"adam"``.
    ``noise="uniform"`` is :math:`U(-\sqrt3, \sqrt3)^{d}`, unit variance like ``"normal"``
    (the paper's code draws uniform noise on that interval; its Figure 1 maps uniform z).
    ``snapshot_steps`` are counts of finished iterations (0 = before training), stored sorted;
    entries beyond ``steps`` are never reached, so a run resumed to more steps keeps its config.
    ``lr_decay_steps`` is a step schedule: after each of those counts of finished iterations
    both learning rates are multiplied by ``lr_decay``, so that late training, with smaller
    steps, settles where early training jitters (the optimizers keep their state).
    ``pack`` is PacGAN's packing (Lin et al., 2018): with ``pack=n`` the discriminator
    judges ``n`` samples at once, concatenated into one input of n times the data's width,
    all real or all generated (:func:`ganlib.pack_samples`); each minibatch then holds
    ``batch_size`` packs, ``batch_size * n`` samples of data and of noise. Build D for the
    packed width. ``pack=1`` is the paper's discriminator.
    A wrong value raises ``TypeError`` or ``ValueError`` naming the field.

    >>> TrainConfig(steps=500, generator_loss="nonsaturating").k
    1
    >>> TrainConfig(k=0)
    Traceback (most recent call last):
    ...
    ValueError: TrainConfig: k must be >= 1; got 0. The paper used k=1 discriminator step ...
    """

    steps: int = 1000  # generator iterations: the outer loop of Algorithm 1
    k: int = 1  # discriminator steps per iteration; the paper used k = 1, the cheapest
    batch_size: int = 100  # m, for data and noise alike (100 in the paper's MNIST config)
    generator_loss: str = "minimax"  # Algorithm 1's log(1 - D(G(z))); see GENERATOR_LOSSES
    optimizer: str = "sgd"  # SGD with momentum, as in the paper; or "adam"
    discriminator_lr: float = 0.01
    generator_lr: float = 0.01
    momentum: float = 0.5  # sgd only; the paper's code starts at 0.5 (and raises it to 0.7)
    adam_betas: tuple[float, float] = (0.5, 0.999)  # adam only; beta1 = 0.5 as in DCGAN
    latent_dim: int = 1  # the dimension of z; 1 maps a line onto the line (Figure 1)
    noise: str = "normal"  # p_z: "normal" N(0, I) (the paper code's default) or "uniform"
    seed: int = 0  # seeds every draw of data, noise and dropout
    snapshot_steps: tuple[int, ...] = ()  # when to record a snapshot (e.g. for figures)
    checkpoint_every: int = 0  # steps between checkpoints; 0 = only at the end (if a path)
    real_label: float = 1.0  # 1 = the paper; < 1 is one-sided label smoothing (off)
    lr_decay_steps: tuple[int, ...] = ()  # iteration counts after which both lrs decay
    lr_decay: float = 0.1  # the factor of each decay (no decay without lr_decay_steps)
    pack: int = 1  # samples per discriminator input (PacGAN); 1 = the paper's D

    def __post_init__(self) -> None:
        def keep(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        for name, (minimum, fix) in _INTS.items():
            keep(name, _int(name, getattr(self, name), minimum, fix))
        if self.seed >= 2**63:
            _fail("seed", "be < 2**63", self.seed, _INTS["seed"][1])
        for name, (low, high, brackets, fix) in _REALS.items():
            keep(name, _real(name, getattr(self, name), low, high, brackets, fix))
        for name, (choices, fix) in _CHOICES.items():
            check_choice("TrainConfig", name, getattr(self, name), choices, fix=fix)
        betas, fix = self.adam_betas, _PAIRS["adam_betas"]
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            _fail("adam_betas", "be a pair (beta1, beta2)", betas, fix, TypeError)
        keep("adam_betas", tuple(_real("adam_betas", b, 0.0, 1.0, "[)", fix) for b in betas))
        keep("snapshot_steps", _distinct_counts(self, "snapshot_steps", 0))
        keep("lr_decay_steps", _distinct_counts(self, "lr_decay_steps", 1))

    def to_dict(self) -> dict[str, Any]:
        """The fields as primitives (tuples become lists), for JSON and checkpoints."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainConfig:
        """The inverse of :meth:`to_dict`; unknown keys are an error, missing ones defaults.

        >>> TrainConfig.from_dict(None)
        Traceback (most recent call last):
        ...
        TypeError: TrainConfig.from_dict: values must be a mapping of field names to values; ...
        """
        if not isinstance(values, Mapping):
            raise TypeError(
                "TrainConfig.from_dict: values must be a mapping of field names to values; got "
                f"{type(values).__name__} {shown(values)}. Pass a dict such as "
                "TrainConfig().to_dict(), or {} for the defaults."
            )
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known, key=repr)  # keys of any type, e.g. 1
        if unknown:
            raise ValueError(
                f"TrainConfig.from_dict: values must only hold TrainConfig fields; got unknown "
                f"keys {unknown}. The known fields are {sorted(known)}."
            )
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})
