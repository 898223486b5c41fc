r"""What a training run records at its snapshot steps: the networks on fixed inputs.

:func:`ganlib.train` calls ``snapshot(generator, discriminator, step)`` at each of
``config.snapshot_steps``, under ``torch.no_grad()`` with both networks in eval mode, and keeps
what it returns on the CPU. Evaluating the networks on the *same* inputs every time makes the
snapshots comparable (the fixed noise of the DCGAN example): the same noise vectors drawn
after 0, 250 and 4,000 steps, or :math:`D` on the same grid of :math:`x`.
:class:`FixedSnapshot` is that snapshot.

>>> from ganlib import discriminator, generator
>>> rng = torch.Generator().manual_seed(0)
>>> g, d = generator(1, 1, (8,), rng=rng), discriminator(1, (8,), rng=rng)
>>> snapshot = FixedSnapshot(torch.zeros(5, 1), x=torch.zeros(3, 1))
>>> {key: tuple(value.shape) for key, value in snapshot(g, d, 0).items()}
{'samples': (5, 1), 'd': (3, 1)}
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["FixedSnapshot"]


def _check_inputs(name: str, value: object, example: str) -> Tensor:
    if not isinstance(value, Tensor) or not value.is_floating_point():
        raise TypeError(
            f"FixedSnapshot: {name} must be a floating-point torch.Tensor; got "
            f"{type(value).__name__}. Pass e.g. {example}."
        )
    if value.ndim < 2 or len(value) == 0:
        raise ValueError(
            f"FixedSnapshot: {name} must be a non-empty batch, (n, ...); got shape "
            f"{tuple(value.shape)}. Pass e.g. {example}."
        )
    return value


class FixedSnapshot:
    r"""A snapshot for :func:`ganlib.train`: :math:`G` on fixed noise, :math:`D` on fixed points.

    Called as ``snapshot(generator, discriminator, step)``, it returns

    .. math::

        \texttt{samples}_j = G(z_j), \qquad \texttt{d}_i = D(x_i) = \sigma(a(x_i)),

    a dict with ``"samples"``, ``(n, *data)``, and, when points ``x`` are given, ``"d"``,
    ``(points, 1)``: the discriminator's probability, the sigmoid of the logit :math:`a` that
    ``ganlib``'s discriminators return. ``z`` (and ``x``) must be on the networks' device and
    dtype; the same tensors are used at every step. It draws no random numbers and does not
    switch modes or gradients itself: :func:`ganlib.train` calls it under ``torch.no_grad()``
    with both networks in eval mode.

    >>> g = torch.nn.Linear(1, 1)
    >>> z = torch.ones(4, 1)
    >>> snapshot = FixedSnapshot(z)
    >>> with torch.no_grad():
    ...     bool(torch.equal(snapshot(g, None, 0)["samples"], g(z)))
    True
    """

    def __init__(self, z: Tensor, x: Tensor | None = None) -> None:
        self.z = _check_inputs("z", z, "Noise(latent_dim).sample((n,), rng)")
        self.x = None if x is None else _check_inputs("x", x, "grid.x[:, None].float()")

    def __repr__(self) -> str:
        points = "" if self.x is None else f", x: {tuple(self.x.shape)}"
        return f"FixedSnapshot(z: {tuple(self.z.shape)}{points})"

    def __call__(
        self, generator: nn.Module, discriminator: nn.Module | None, step: int
    ) -> dict[str, Tensor]:
        record = {"samples": generator(self.z)}  # (n, *data)
        if self.x is not None:
            record["d"] = torch.sigmoid(discriminator(self.x))  # (points, 1), in (0, 1)
        return record
