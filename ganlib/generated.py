r"""The distribution :math:`p_g` of a generator's samples :math:`G(z)`, :math:`z \sim p_z`.

A GAN's :math:`p_g` is implicit: :class:`GeneratorDistribution` samples it the way ``ganlib``'s
distributions sample, ``sample(shape, generator, dtype=)``, so it can stand wherever a
distribution is expected (the ``p_g`` of :func:`ganlib.train_discriminator`). For a generator
from one uniform number to one number it also gives :math:`p_g` exactly on a :class:`Grid`,
by the change of variables (:func:`pushforward_density`).

>>> from ganlib import Noise, generator
>>> g = generator(1, 1, (8,), activation="tanh", output=None,
...               rng=torch.Generator().manual_seed(0))
>>> p_g = GeneratorDistribution(g, Noise(1, "uniform"))
>>> p_g.sample((5,), torch.Generator().manual_seed(0)).shape
torch.Size([5, 1])
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ganlib._checks import (
    _check_tensor,
    check_int,
    check_sample_shape,
    check_torch_generator,
    shown,
)
from ganlib.noise import Noise
from ganlib.theory import Grid

__all__ = ["GeneratorDistribution", "pushforward_density"]

_BLOCK = 2**22  # the most (edges x pieces) entries held at once: 32 MiB in float64


def _check_grid(function: str, grid: object) -> Grid:
    if not isinstance(grid, Grid):
        raise TypeError(
            f"{function}: grid must be a ganlib.Grid; got {type(grid).__name__}. "
            "Pass e.g. ganlib.Grid(-6.0, 10.0, 1601)."
        )
    return grid


def pushforward_density(grid: Grid, x_of_z: Tensor) -> Tensor:
    r"""The density of :math:`G(z)` for uniform 1-D noise, averaged over each cell of ``grid``.

    ``x_of_z`` holds :math:`G(z_j)` at :math:`N` equally spaced :math:`z_0 < \dots < z_{N-1}`
    spanning the noise's interval. Each piece :math:`[z_j, z_{j+1}]` carries probability
    :math:`1/(N-1)`; taking :math:`G` linear on it spreads that mass evenly over
    :math:`[\min(G(z_j), G(z_{j+1})), \max(\dots)] = [l_j, h_j]`, which is the change of
    variables :math:`p_g(x) = \sum_{z: G(z) = x} p_z(z) / |G'(z)|` piece by piece (a sum where
    :math:`G` folds). The cumulative mass at the cell edges :math:`e_i = x_i \mp dx/2` and the
    cell averages are

    .. math::

        F(e_i) = \frac{1}{N-1} \sum_{j} \operatorname{clamp}\!\left(
            \frac{e_i - l_j}{h_j - l_j}, 0, 1\right), \qquad
        \bar p_g(x_i) = \frac{F(e_{i+1}) - F(e_i)}{dx},

    with :math:`h_j - l_j` floored at :math:`10^{-12}` (a flat piece is a point mass in one
    cell). The result integrates to 1 on the grid (rectangle rule) by construction, so it is a
    distribution on the grid whatever :math:`G`; it is :math:`p_g`'s exact cell average when
    :math:`G` is linear between the :math:`z_j`, and its CDF at the edges is off by
    :math:`O((z_{j+1} - z_j)^2)` otherwise: use more points of :math:`z` where :math:`G` curves
    sharply. Every value must lie within the grid's cells, ``[low - dx/2, high + dx/2]``,
    or mass would be lost: that is an error, not a silent truncation.

    >>> grid = Grid(-0.95, 0.95, 20)  # cells of width 0.1 from -1 to 1
    >>> z = torch.linspace(-3**0.5, 3**0.5, 101, dtype=torch.float64)
    >>> p = pushforward_density(grid, z / 3**0.5)  # G(z) = z / sqrt 3: U(-1, 1)
    >>> bool(torch.allclose(p, torch.full_like(p, 0.5)))
    True
    """
    function = "pushforward_density"
    grid = _check_grid(function, grid)
    x_of_z = _check_tensor(function, "x_of_z", x_of_z)
    if x_of_z.ndim != 1 or len(x_of_z) < 2:
        raise ValueError(
            f"{function}: x_of_z must be 1-D with at least 2 values (G on a z grid); got shape "
            f"{tuple(x_of_z.shape)}. Pass generator(z[:, None])[:, 0] for a z grid z."
        )
    x = grid.x  # (points,)
    x_of_z = x_of_z.detach().to(x)
    with torch.no_grad():
        if not bool(torch.isfinite(x_of_z).all()):
            raise ValueError(
                f"{function}: x_of_z must be finite; got {int((~torch.isfinite(x_of_z)).sum())} "
                "non-finite values. Check the generator for a diverged training run."
            )
    edges = torch.cat([x - grid.dx / 2, x[-1:] + grid.dx / 2])  # (points + 1,)
    low = torch.minimum(x_of_z[:-1], x_of_z[1:])  # (N - 1,)
    high = torch.maximum(x_of_z[:-1], x_of_z[1:])  # (N - 1,)
    smallest, largest = float(low.min()), float(high.max())
    if smallest < float(edges[0]) or largest > float(edges[-1]):
        raise ValueError(
            f"{function}: the grid must cover the generator's range; got G(z) in "
            f"[{smallest:.6g}, {largest:.6g}] and grid cells covering [{float(edges[0]):.6g}, "
            f"{float(edges[-1]):.6g}]. Widen the grid, e.g. Grid({math.floor(smallest) - 1.0}, "
            f"{math.ceil(largest) + 1.0}, points)."
        )
    cdf = (edges >= largest).to(x.dtype)  # (points + 1,); 0 below every piece, 1 above
    inside = (edges > smallest) & (edges < largest)  # the rest is 0 or 1
    inner = edges[inside, None]  # (e, 1)
    width = (high - low).clamp_min(1e-12)  # (N - 1,)
    pieces = len(low)
    chunk = max(1, _BLOCK // max(1, len(inner)))
    if chunk >= pieces:
        cdf[inside] = ((inner - low) / width).clamp(0.0, 1.0).mean(1)
    else:
        total = torch.zeros(len(inner), dtype=x.dtype, device=x.device)  # (e,)
        for start in range(0, pieces, chunk):
            part = slice(start, start + chunk)
            total += ((inner - low[part]) / width[part]).clamp(0.0, 1.0).sum(1)
        cdf[inside] = total / pieces
    return cdf.diff() / grid.dx  # (points,)


class GeneratorDistribution:
    r"""The distribution :math:`p_g` of :math:`G(z)`, :math:`z \sim p_z`, for a fixed generator.

    :meth:`sample` draws the noise with :meth:`ganlib.Noise.sample` from a seeded CPU
    ``torch.Generator`` (the same numbers whatever device the network is on), moves it to the
    network's device and dtype, and runs the network in eval mode without gradients (its
    training flag is restored afterwards); the samples are on the network's device in
    ``dtype``. :meth:`density` gives :math:`p_g` on a :class:`Grid` for a 1-D generator of 1-D
    uniform noise, by :func:`pushforward_density`. The network is held, not copied: training it
    further changes the distribution.
    """

    def __init__(self, generator: nn.Module, noise: Noise) -> None:
        if not isinstance(generator, nn.Module):
            raise TypeError(
                f"GeneratorDistribution: generator must be a torch.nn.Module; got "
                f"{type(generator).__name__}. Pass the network, e.g. ganlib.generator(1, 1, (32,))."
            )
        if not isinstance(noise, Noise):
            raise TypeError(
                f"GeneratorDistribution: noise must be a ganlib.Noise; got {shown(noise)}. "
                "Pass the prior the generator was trained with, e.g. Noise(1, 'uniform')."
            )
        self.generator, self.noise = generator, noise

    def __repr__(self) -> str:
        return f"GeneratorDistribution({type(self.generator).__name__}, {self.noise!r})"

    def _network_dtype_device(self) -> tuple[torch.dtype, torch.device]:
        parameter = next(self.generator.parameters(), None)
        if parameter is None:
            return torch.float32, torch.device("cpu")
        return parameter.dtype, parameter.device

    def _run(self, z: Tensor) -> Tensor:
        """G(z) for z of shape (n, latent_dim), in eval mode and without gradients."""
        network_dtype, network_device = self._network_dtype_device()
        was_training = self.generator.training
        self.generator.eval()
        try:
            with torch.no_grad():
                return self.generator(z.to(network_device, network_dtype))  # (n, ...)
        finally:
            self.generator.train(was_training)

    def sample(
        self,
        sample_shape: tuple[int, ...] = (),
        generator: torch.Generator | None = None,
        *,
        dtype: torch.dtype = torch.float64,
    ) -> Tensor:
        """``(*sample_shape, *output_shape)`` draws of :math:`G(z)` in ``dtype``, on the
        network's device; ``generator`` is a seeded CPU ``torch.Generator`` (None: torch's
        global RNG)."""
        function = "GeneratorDistribution.sample"
        shape = check_sample_shape(function, sample_shape)
        if generator is not None:
            check_torch_generator(function, "generator", generator, cpu=True)
        if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
            raise TypeError(
                f"{function}: dtype must be a floating-point torch.dtype; got {shown(dtype)}. "
                "Pass e.g. dtype=torch.float64."
            )
        z = self.noise.sample((math.prod(shape),), generator)  # (n, latent_dim), float32
        x = self._run(z)  # (n, ...)
        return x.reshape(*shape, *x.shape[1:]).to(dtype)

    def density(self, grid: Grid, *, z_points: int = 801) -> Tensor:
        r""":math:`p_g` averaged over each cell of ``grid``, for a generator from one uniform
        number to one number: :func:`pushforward_density` of :math:`G` on ``z_points``
        equally spaced values spanning :math:`[-\sqrt3, \sqrt3]` (made in float64, then run in
        the network's dtype). Exact up to :math:`G`'s curvature between neighbouring values of
        :math:`z`; raise ``z_points`` where :math:`G` bends sharply."""
        function = "GeneratorDistribution.density"
        grid = _check_grid(function, grid)
        fix = "Use at least 2 values of z, e.g. the default 801."
        z_points = check_int(function, "z_points", z_points, minimum=2, fix=fix)
        if self.noise.kind != "uniform" or self.noise.latent_dim != 1:
            raise ValueError(
                f"{function}: noise must be 1-D uniform noise, Noise(1, 'uniform'); got "
                f"{self.noise!r}. The exact density needs one uniform number per sample; use "
                "samples (e.g. ganlib.histogram_js_estimate) for other priors."
            )
        low, high = self.noise.interval
        z = torch.linspace(low, high, z_points, dtype=torch.float64)[:, None]  # (N, 1)
        x_of_z = self._run(z)  # (N, ...)
        if x_of_z.shape != (z_points, 1):
            raise ValueError(
                f"{function}: generator must map one number to one number; got outputs of "
                f"shape {tuple(x_of_z.shape[1:])} per sample. The exact density is 1-D only."
            )
        return pushforward_density(grid, x_of_z[:, 0])
