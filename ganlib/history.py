r"""What a training run records, and the guard that stops it when a number goes bad.

:class:`History` holds one entry per iteration of Algorithm 1: the discriminator's loss, mean
:math:`D(x)` and mean :math:`D(G(z))` of the iteration's last discriminator step, and the
generator's loss, plus the snapshots taken along the way. A :class:`Recorder` collects them
without a host synchronisation per step: it keeps the step's detached tensors and turns
every :data:`READBACK_EVERY` of them into one chunk on the CPU, where the divergence guard
checks them. A NaN or infinite figure, or a parameter gone non-finite, raises
:class:`TrainingDivergedError` naming the first bad step and the quantity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

__all__ = ["QUANTITIES", "READBACK_EVERY", "History", "Recorder", "TrainingDivergedError"]

READBACK_EVERY = 256
"""Steps between two copies of the recorded figures to the CPU (and divergence checks)."""

QUANTITIES = ("discriminator_loss", "d_real", "d_fake", "generator_loss")
"""The figures of one iteration, in the order of the step that computes them."""

_SAID = ("the discriminator loss", "mean D(x)", "mean D(G(z))", "the generator loss")


@dataclass
class History:
    """What :func:`ganlib.train` recorded: one entry per iteration, float tensors on the CPU.

    ``discriminator_loss``, ``d_real`` (mean :math:`D(x)`) and ``d_fake`` (mean
    :math:`D(G(z))`) come from the last of the iteration's k discriminator steps, before its
    update; ``generator_loss`` from the generator's step. ``snapshots`` maps an iteration
    count (0 = before training) to what the snapshot function returned then.
    """

    discriminator_loss: Tensor = field(default_factory=lambda: torch.empty(0))
    d_real: Tensor = field(default_factory=lambda: torch.empty(0))
    d_fake: Tensor = field(default_factory=lambda: torch.empty(0))
    generator_loss: Tensor = field(default_factory=lambda: torch.empty(0))
    snapshots: dict[int, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.discriminator_loss.numel()

    def to_dict(self) -> dict[str, Any]:
        """Tensors and a dict of snapshots: loadable with ``torch.load(weights_only=True)``."""
        return {**{name: getattr(self, name) for name in QUANTITIES}, "snapshots": self.snapshots}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> History:
        """The inverse of :meth:`to_dict`: the four figures as 1-D floating-point tensors of
        one length, and ``snapshots`` a dict from iteration counts (ints >= 0) to a tensor or
        a dict of tensors. Anything else is a ``TypeError`` or ``ValueError`` naming the key."""
        fix = "Pass what History.to_dict() returned."
        if not isinstance(values, Mapping):
            raise TypeError(
                f"History.from_dict: values must be a dict; got {type(values).__name__}. {fix}"
            )
        missing = [name for name in (*QUANTITIES, "snapshots") if name not in values]
        if missing:
            raise ValueError(
                f"History.from_dict: values must have the keys {[*QUANTITIES, 'snapshots']}; "
                f"got {sorted(map(str, values))}, without {missing}. {fix}"
            )
        for name in QUANTITIES:
            value = values[name]
            if not isinstance(value, Tensor) or not value.is_floating_point() or value.ndim != 1:
                got = (
                    f"a {value.dtype} tensor of shape {tuple(value.shape)}"
                    if isinstance(value, Tensor)
                    else type(value).__name__
                )
                raise TypeError(
                    f"History.from_dict: {name} must be a 1-D floating-point tensor; got {got}. "
                    f"{fix}"
                )
        lengths = {name: len(values[name]) for name in QUANTITIES}
        if len(set(lengths.values())) > 1:
            raise ValueError(
                f"History.from_dict: the figures must have one length (one entry per "
                f"iteration); got lengths {lengths}. {fix}"
            )
        snapshots = values["snapshots"]
        if not isinstance(snapshots, dict):
            raise TypeError(
                f"History.from_dict: snapshots must be a dict; got {type(snapshots).__name__}. "
                f"{fix}"
            )
        for step, value in snapshots.items():
            if type(step) is not int or step < 0:
                raise ValueError(
                    f"History.from_dict: snapshots must be keyed by iteration counts (ints >= "
                    f"0); got the key {step!r}. {fix}"
                )
            tensors = value.values() if isinstance(value, dict) else [value]
            if not all(isinstance(v, Tensor) for v in tensors):
                raise TypeError(
                    f"History.from_dict: snapshots[{step}] must be a tensor or a dict of "
                    f"tensors; got {type(value).__name__}. {fix}"
                )
        return cls(**{name: values[name] for name in QUANTITIES}, snapshots=dict(snapshots))

    def extend(self, chunk: Tensor) -> None:
        """Append ``chunk`` of shape ``(n, 4)``, its columns in the order of
        :data:`~ganlib.history.QUANTITIES`."""
        for column, name in enumerate(QUANTITIES):
            old = getattr(self, name).to(chunk.dtype)
            setattr(self, name, torch.cat((old, chunk[:, column])))

    def summary(self, window: int = 100) -> dict[str, dict[str, float]]:
        """The means of each figure over the last ``window`` iterations (``"final"``) and its
        value at the last one (``"last_step"``), as floats."""
        window = min(window, len(self))
        return {
            "final": {name: float(getattr(self, name)[-window:].mean()) for name in QUANTITIES},
            "last_step": {name: float(getattr(self, name)[-1]) for name in QUANTITIES},
        }

    def truncated(self, steps: int) -> History:
        """The first ``steps`` entries, and the snapshots taken up to then."""
        kept = {name: getattr(self, name)[:steps] for name in QUANTITIES}
        return History(**kept, snapshots={s: v for s, v in self.snapshots.items() if s <= steps})


class TrainingDivergedError(FloatingPointError):
    """A loss or a parameter became NaN or infinite. ``step`` is the first bad iteration,
    ``quantity`` what went bad, ``history`` the record of the iterations before it."""

    def __init__(self, message: str, *, step: int, quantity: str, history: History) -> None:
        super().__init__(message)
        self.step, self.quantity, self.history = step, quantity, history


class Recorder:
    """A step's figures kept as device tensors, read back to a :class:`History` in chunks.

    ``record`` stores references to the step's detached tensors (no copy, no sync);
    ``read_back`` stacks them, computes mean D(x) and D(G(z)) from the logits, copies the
    chunk to the CPU in one transfer and checks it. ``diverged(step, what, value)`` builds the
    error to raise; the caller words it (it knows the learning rates).
    """

    def __init__(self, history: History, diverged: Callable[..., Exception]) -> None:
        self.history = history
        self.diverged = diverged
        self.pending: list[tuple[Tensor, Tensor, Tensor]] = []

    def record(self, d_loss: Tensor, logits: Tensor, g_loss: Tensor) -> bool:
        """Keep one iteration's losses and the logits of its last D step (data first, then
        fakes, in two equal halves); True when a chunk is due."""
        self.pending.append((d_loss.detach(), logits.detach(), g_loss.detach()))
        return len(self.pending) == READBACK_EVERY

    def read_back(self, networks: Mapping[str, nn.Module]) -> None:
        """Copy the pending figures to the history, or raise at the first non-finite one."""
        if not self.pending:
            return
        first = len(self.history)
        d_losses, logits, g_losses = (
            torch.stack(column) for column in zip(*self.pending, strict=True)
        )
        self.pending = []
        d_means = torch.sigmoid(logits.reshape(len(logits), 2, -1)).mean(-1)  # (n, 2)
        chunk = torch.cat((d_losses[:, None], d_means, g_losses[:, None]), 1).cpu()  # (n, 4)
        bad = ~torch.isfinite(chunk)
        if bool(bad.any()):
            row, column = (int(i) for i in bad.nonzero()[0])  # row-major: the first in time
            self.history.extend(chunk[:row])
            raise self.diverged(first + row, _SAID[column], float(chunk[row, column]))
        self.history.extend(chunk)
        for who, network in networks.items():
            named = list(network.named_parameters())
            finite = torch.stack([torch.isfinite(p).all() for _, p in named]).cpu()
            if not bool(finite.all()):
                name, value = next(
                    (n, p) for (n, p), ok in zip(named, finite, strict=True) if not ok
                )
                worst = float(value.detach()[~torch.isfinite(value.detach())][0])
                step = len(self.history) - 1  # the losses were finite up to here
                self.history = self.history.truncated(step)
                raise self.diverged(step, f"the {who} parameter {name!r}", worst)
