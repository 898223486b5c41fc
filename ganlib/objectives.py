r"""What the generator minimises: each generator loss against the optimal discriminator.

A generator loss is a cost :math:`c(D(G(z)))` averaged over the noise. Held against
Proposition 1's :math:`D^* = p_{data} / (p_{data} + p_g)` of the *current* generator (D* fixed
while G takes its gradient), the expected gradient of each loss in :data:`ganlib.GENERATOR_LOSSES`
is the gradient of a divergence between :math:`p_{data}` and :math:`p_g`, which
:func:`generator_objective` computes by quadrature:

* ``"minimax"``, the cost :math:`\log(1 - D)`: the gradient of
  :math:`2\,\mathrm{JS}(p_{data} \| p_g)`;
* ``"nonsaturating"``, the cost :math:`-\log D`: the gradient of
  :math:`\mathrm{KL}(p_g \| p_{data}) - 2\,\mathrm{JS}(p_{data} \| p_g)`;
* ``"maximum_likelihood"``, the cost :math:`-\tfrac12\, D / (1 - D)`: the gradient of
  :math:`\tfrac12\,\mathrm{KL}(p_{data} \| p_g)`.

The first is Theorem 1 with the envelope theorem (D* maximises V, so its own change does not
count); the second is Arjovsky & Bottou (2017), Theorem 2.5; the third is Goodfellow's NIPS 2016
tutorial. :func:`fit_normal` minimises any such objective over the normal family, and
:func:`add_instance_noise` gives the density of :math:`x + \epsilon`,
:math:`\epsilon \sim \mathcal N(0, s^2)`, the instance noise that makes disjoint supports
overlap.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ganlib._checks import _check_tensor, check_choice, check_dx, check_int, check_real, shown
from ganlib.divergences import js_divergence, kl_divergence
from ganlib.theory import Grid

__all__ = ["GENERATOR_OBJECTIVES", "add_instance_noise", "fit_normal", "generator_objective"]

GENERATOR_OBJECTIVES = {
    "minimax": "2 JS(p_data || p_g)",
    "nonsaturating": "KL(p_g || p_data) - 2 JS(p_data || p_g)",
    "maximum_likelihood": "KL(p_data || p_g) / 2",
}
"""For each generator loss, the divergence whose gradient its expected gradient is against the
optimal discriminator (:func:`generator_objective`)."""


def generator_objective(loss: str, p_data: Tensor, p_g: Tensor, *, dx: float | None) -> Tensor:
    r"""The divergence that generator loss ``loss`` descends against the optimal discriminator.

    .. math:: \nabla_\theta\, \mathbb E_z\, c\big(D^*(G_\theta(z))\big)
        = \nabla_\theta\, O_{loss}(p_{data}, p_{g_\theta}),

    with :math:`D^*` held fixed at the current generator's optimum, and
    :math:`O_{minimax} = 2\,\mathrm{JS}(p_{data} \| p_g)`,
    :math:`O_{nonsaturating} = \mathrm{KL}(p_g \| p_{data}) - 2\,\mathrm{JS}(p_{data} \| p_g)`,
    :math:`O_{maximum\_likelihood} = \tfrac12 \mathrm{KL}(p_{data} \| p_g)`, each in nats by
    quadrature (:func:`ganlib.js_divergence`, :func:`ganlib.kl_divergence`; ``dx=None`` for
    probability vectors). The objectives agree with the losses' expected values only in their
    gradients: the minimax loss's value at D* is :math:`C(G) - \mathbb E_{p_{data}} \log D^*`,
    not :math:`2\,\mathrm{JS}`. The non-saturating objective is not a divergence (it is
    negative wherever :math:`2\,\mathrm{JS}` exceeds the reverse KL) and not the negative of
    the discriminator's objective: the game it plays is not zero-sum.

    >>> grid = Grid(-10.0, 10.0, 2001)
    >>> p = grid.normal_density(0.0, 1.0)
    >>> [round(float(generator_objective(name, p, p, dx=grid.dx)), 12)
    ...  for name in GENERATOR_OBJECTIVES]
    [0.0, 0.0, 0.0]
    """
    function = "generator_objective"
    loss = check_choice(function, "loss", loss, tuple(GENERATOR_OBJECTIVES))
    dx = check_dx(function, dx)
    if loss == "minimax":
        return 2 * js_divergence(p_data, p_g, dx=dx)
    if loss == "nonsaturating":
        return kl_divergence(p_g, p_data, dx=dx) - 2 * js_divergence(p_data, p_g, dx=dx)
    return kl_divergence(p_data, p_g, dx=dx) / 2


def fit_normal(
    objective, grid: Grid, *, loc: float, scale: float, steps: int = 200
) -> tuple[float, float]:
    r"""The normal :math:`\mathcal N(\mu, \sigma^2)` that minimises ``objective`` on ``grid``.

    ``objective(q)`` takes the normal's density at ``grid.x`` (shape ``(points,)``) and returns
    a differentiable scalar, e.g. ``lambda q: ganlib.kl_divergence(q, p, dx=grid.dx)``. The
    search is L-BFGS in :math:`(\mu, \log \sigma)` from ``loc`` and ``scale``, ``steps``
    iterations at most; a local method, so on an objective with several minima (reverse KL
    against a mixture) the start decides which one it finds. Returns ``(mu, sigma)``.

    >>> grid = Grid(-12.0, 12.0, 2401)
    >>> p = 0.5 * grid.normal_density(-2.0, 0.5) + 0.5 * grid.normal_density(2.0, 0.5)
    >>> mu, sigma = fit_normal(lambda q: kl_divergence(p, q, dx=grid.dx), grid,
    ...                        loc=1.0, scale=1.0)
    >>> round(mu, 4), round(sigma ** 2, 4)   # moment matching: the mixture's mean and variance
    (0.0, 4.25)
    """
    function = "fit_normal"
    if not callable(objective):
        raise TypeError(
            f"{function}: objective must be callable; got {type(objective).__name__}. Pass a "
            "function of the normal's density on the grid, e.g. lambda q: kl_divergence(p, q, "
            "dx=grid.dx)."
        )
    if not isinstance(grid, Grid):
        raise TypeError(f"{function}: grid must be a ganlib.Grid; got {type(grid).__name__}.")
    loc = check_real(function, "loc", loc, fix="Pass the starting mean, e.g. 0.0.")
    scale = check_real(function, "scale", scale, low=0.0, brackets="()", fix="E.g. 1.0.")
    steps = check_int(function, "steps", steps, minimum=1, fix="Pass e.g. steps=200.")
    parameters = torch.tensor([loc, math.log(scale)], dtype=grid.dtype, device=grid.device)
    parameters.requires_grad_()
    optimizer = torch.optim.LBFGS(
        [parameters],
        lr=1.0,
        max_iter=steps,
        tolerance_grad=1e-12,
        tolerance_change=1e-15,
        line_search_fn="strong_wolfe",
    )

    def closure() -> Tensor:
        optimizer.zero_grad()
        if not bool(torch.isfinite(parameters).all()):
            raise ValueError(
                f"{function}: the search must stay finite; it reached mu, log sigma = "
                f"{parameters.detach().tolist()} from loc={loc}, scale={scale}, where the "
                "objective is infinite (q underflows where p has mass). Start with a wider scale."
            )
        value = objective(grid.normal_density(parameters[0], parameters[1].exp()))
        if not isinstance(value, Tensor) or value.ndim != 0:
            raise ValueError(
                f"{function}: objective must return a scalar tensor; got "
                f"{type(value).__name__} {shown(value)}. "
                "Reduce it to one number, e.g. with .sum()."
            )
        value.backward()
        return value

    optimizer.step(closure)
    mu, log_sigma = parameters.detach().tolist()
    return mu, math.exp(log_sigma)


def add_instance_noise(grid: Grid, density: Tensor, std: float) -> Tensor:
    r"""The density of :math:`x + \epsilon`, :math:`\epsilon \sim \mathcal N(0, s^2)`, on the grid.

    .. math:: (p * \mathcal N_s)(x_i) = \sum_j p(x_j)\, \mathcal N(x_i - x_j; 0, s^2)\, dx

    the convolution by the rectangle rule, with the kernel cut at :math:`\pm 10 s` (a mass of
    about 1e-23 beyond) and ``density`` taken as 0 outside the grid. ``density`` has shape
    ``(..., points)``; the result has the same shape and is differentiable in ``density``.
    Instance noise adds the same noise to data and to generated samples before the
    discriminator: two densities with disjoint supports become two that overlap everywhere.
    For a normal density it is exact: :math:`\mathcal N(\mu, \sigma^2) * \mathcal N(0, s^2)
    = \mathcal N(\mu, \sigma^2 + s^2)`.

    >>> grid = Grid(-10.0, 10.0, 2001)
    >>> smoothed = add_instance_noise(grid, grid.normal_density(0.0, 0.3), 0.4)
    >>> round(float((smoothed - grid.normal_density(0.0, 0.5)).abs().max()), 9)
    0.0
    """
    function = "add_instance_noise"
    if not isinstance(grid, Grid):
        raise TypeError(f"{function}: grid must be a ganlib.Grid; got {type(grid).__name__}.")
    density = _check_tensor(function, "density", density)
    if density.ndim == 0 or density.shape[-1] != grid.points:
        raise ValueError(
            f"{function}: density must have {grid.points} entries along the last dimension "
            f"(one per grid point); got shape {tuple(density.shape)}. Evaluate it at grid.x."
        )
    std = check_real(function, "std", std, low=0.0, brackets="()", fix="E.g. std=0.5.")
    half = math.ceil(10 * std / grid.dx)
    if half >= grid.points:
        raise ValueError(
            f"{function}: std must be small against the grid; got {std}, whose kernel "
            f"(+-10 std) is wider than the grid ({grid.high - grid.low}). Widen the grid."
        )
    offsets = torch.arange(-half, half + 1, dtype=density.dtype, device=density.device)
    weight = grid.dx / (std * math.sqrt(2 * math.pi))
    kernel = torch.exp(-0.5 * (offsets * grid.dx / std) ** 2) * weight  # (2 half + 1,)
    # The full linear convolution by FFT (a direct one would build a points x kernel
    # buffer), then the part centred on the grid; FFT rounding (about 1e-16 of the peak) can
    # dip below 0 where the result vanishes, and a density is never negative.
    size = grid.points + 2 * half
    spectrum = torch.fft.rfft(density, n=size) * torch.fft.rfft(kernel, n=size)
    smoothed = torch.fft.irfft(spectrum, n=size)[..., half : half + grid.points]
    return smoothed.clamp(min=0.0)  # (..., points)
