r"""The noise prior :math:`p_z` of a generator, as a distribution of its own.

Algorithm 1 samples "m noise samples :math:`z^{(i)} \sim p_z`" at every step. :class:`Noise`
is that prior: ``Noise(latent_dim, "normal")`` is :math:`\mathcal N(0, I)` and
``Noise(latent_dim, "uniform")`` is :math:`U(-\sqrt3, \sqrt3)` on each axis (unit variance,
like the normal; the paper's code draws uniform noise on an interval, and its Figure 1 maps
uniform z). It samples the way ``ganlib``'s distributions do, ``sample(shape, generator,
dtype=)``, from a seeded ``torch.Generator``, so the global RNG is never touched.
:func:`ganlib.train` builds one from ``config.latent_dim`` and ``config.noise``.

>>> z = Noise(2, "uniform").sample((4,), torch.Generator().manual_seed(0))
>>> z.shape, bool(z.abs().max() <= 3**0.5)
(torch.Size([4, 2]), True)
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ganlib._checks import check_choice, check_int, check_sample_shape, check_torch_generator

__all__ = ["NOISES", "Noise"]

NOISES = ("normal", "uniform")
"""The noise priors :class:`Noise` (and ``TrainConfig.noise``) know, by name."""

_SQRT3 = math.sqrt(3.0)


class Noise:
    r"""The prior :math:`p_z` on :math:`\mathbb R^{d}`, ``d = latent_dim``: normal or uniform.

    ``"normal"`` is :math:`\mathcal N(0, I_d)`; ``"uniform"`` is :math:`U(-\sqrt3, \sqrt3)^d`,
    mean 0 and variance 1 on every axis. ``density_1d`` gives the uniform prior's density,
    :math:`1 / (2\sqrt3)` on its interval, which the exact push-forward density of a 1-D
    generator needs (:class:`ganlib.GeneratorDistribution`).
    """

    def __init__(self, latent_dim: int, kind: str = "normal") -> None:
        self.latent_dim = check_int(
            "Noise", "latent_dim", latent_dim, minimum=1, fix="Pass the generator's input width."
        )
        self.kind = check_choice(
            "Noise", "kind", kind, NOISES, fix="Use 'normal' (N(0, I)) or 'uniform'."
        )

    def __repr__(self) -> str:
        return f"Noise(latent_dim={self.latent_dim}, kind={self.kind!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Noise):
            return NotImplemented
        return (self.latent_dim, self.kind) == (other.latent_dim, other.kind)

    def __hash__(self) -> int:
        return hash((self.latent_dim, self.kind))

    @property
    def interval(self) -> tuple[float, float] | None:
        """The uniform prior's interval on each axis, :math:`(-\\sqrt3, \\sqrt3)`; None for
        the normal prior, whose support is the whole line."""
        return (-_SQRT3, _SQRT3) if self.kind == "uniform" else None

    def sample(
        self,
        sample_shape: tuple[int, ...] = (),
        generator: torch.Generator | None = None,
        *,
        dtype: torch.dtype = torch.float32,
    ) -> Tensor:
        """Draws of shape ``(*sample_shape, latent_dim)`` on ``generator``'s device.

        ``generator`` is a seeded ``torch.Generator`` (a CPU one draws the same numbers
        whatever device the networks are on), or None for torch's global RNG; the default
        dtype is float32, the networks'.
        """
        shape = (*check_sample_shape("Noise.sample", sample_shape), self.latent_dim)
        generator = check_torch_generator("Noise.sample", "generator", generator)
        if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
            raise TypeError(
                f"Noise.sample: dtype must be a floating-point torch.dtype; got {dtype!r}. "
                "Pass e.g. dtype=torch.float32."
            )
        return self._draw(shape, generator, dtype)

    def _draw(self, shape: tuple[int, ...], generator: torch.Generator | None, dtype) -> Tensor:
        """:meth:`sample` without its checks: the training loop's call, once per step."""
        device = generator.device if generator is not None else "cpu"
        if self.kind == "normal":
            return torch.randn(shape, generator=generator, dtype=dtype, device=device)
        return _widen(torch.rand(shape, generator=generator, dtype=dtype, device=device))

    def _draw_members(self, generators: list[torch.Generator], n: int, dtype) -> Tensor:
        """``(E, n, latent_dim)``: row i is ``_draw((n, latent_dim), generators[i], dtype)``,
        bit for bit (the same fill on the same numbers, then the same elementwise map), drawn
        into one tensor and mapped once. The ensemble's call, once per step; CPU generators."""
        fill = torch.randn if self.kind == "normal" else torch.rand
        out = _fill_rows(fill, generators, (n, self.latent_dim), dtype)
        return out if self.kind == "normal" else _widen(out)


def _fill_rows(fill, generators: list[torch.Generator], shape: tuple, dtype) -> Tensor:
    """``(E, *shape)`` on the CPU: row i filled by ``fill`` (``torch.randn`` or ``torch.rand``)
    from ``generators[i]``, the numbers a draw of ``shape`` from it alone would give."""
    out = torch.empty((len(generators), *shape), dtype=dtype)
    for row, generator in zip(out, generators, strict=True):
        fill(row.shape, generator=generator, out=row)
    return out


def _widen(uniform: Tensor) -> Tensor:
    """U(0, 1) draws to U(-sqrt 3, sqrt 3): the uniform prior's one map, for one draw or many."""
    return (2 * uniform - 1) * _SQRT3
