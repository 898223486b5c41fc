r"""Target distributions on ``torch.distributions``: each can ``sample`` and give ``log_prob``.

Two kinds live here. The first is the push-forward of Gaussian noise onto a ring, which is
what a generator does in miniature: draw :math:`z \sim \mathcal N(0, I_2)` and return the
deterministic

.. math::

    g(z) = s\,z + \frac{z}{\lVert z \rVert}, \qquad s = \tfrac{1}{10}.

:func:`ring_map` is :math:`g` itself and :class:`GaussianRing` is the distribution of
:math:`g(z)`. Sampling needs only :math:`g`; the exact density exists here because
:math:`g` is simple enough for a change of variables, which a GAN never needs.

The second kind are the targets :math:`p_\text{data}` that the book's GANs learn:
:class:`Gaussian1d`, :class:`GaussianMixture1d` and :class:`Uniform1d` on the line, and
:class:`IsotropicGaussianMixture` in any dimension, with the two toy benchmarks of the
mode-collapse literature as constructors, :func:`ring_of_gaussians` (8 modes on the unit
circle, standard deviation 0.01) and :func:`grid_of_gaussians` (25 modes on
:math:`\{-4, -2, 0, 2, 4\}^2`, standard deviation 0.05). The ring of Gaussians and
:class:`GaussianRing` are different distributions: the first has 8 separate modes, the
second is a continuous band.

Conventions shared by every distribution here:

* **Shapes.** Batch shape ``()`` and event shape ``(data_dim,)``, so that samples have shape
  ``(*sample_shape, data_dim)``, the shape ``(batch, data_dim)`` of a generator network's
  output, and real and generated batches compare directly. The 1-D targets follow the same
  rule: their event shape is ``(1,)``, ``sample((n,))`` has shape ``(n, 1)`` and
  ``log_prob`` maps shape ``(n, 1)`` to ``(n,)``. A value of shape ``(n,)`` is refused by
  ``log_prob`` rather than broadcast into a sum of ``n`` terms.
* **Randomness.** ``sample(sample_shape, generator=None, *, dtype=torch.float64)`` takes a
  ``torch.Generator``, which torch's own ``Distribution.sample`` does not, and creates the
  samples on the generator's device. With a generator the global RNG is never touched;
  without one the global RNG is used, as torch does. Samples are float64 unless ``dtype``
  says otherwise.
* **Densities.** ``log_prob(value)`` computes in ``value``'s dtype and on its device, with
  torch's formulae where torch has them, and returns :math:`-\infty` where the density is 0.
* **Parameters** are checked on construction (the style guide's messages; weights are never
  silently renormalised) and stored as float64 constants on the CPU: these are fixed
  targets, not learnable modules.
"""

from __future__ import annotations

import math
from numbers import Integral
from typing import ClassVar

import torch
from torch import Tensor
from torch.distributions import (
    Categorical,
    Distribution,
    Independent,
    MixtureSameFamily,
    Normal,
    Uniform,
    constraints,
)

from ganlib._checks import _check_tensor, _is_real_number, sum_tolerance

__all__ = [
    "Gaussian1d",
    "GaussianMixture1d",
    "GaussianRing",
    "IsotropicGaussianMixture",
    "Uniform1d",
    "grid_of_gaussians",
    "ring_map",
    "ring_of_gaussians",
]

RING_SCALE = 0.1
"""The seed's :math:`s` in :math:`g(z) = s z + z / \\lVert z \\rVert`: the ring's width."""

_RING_WIDTH = "the ring's width"
_STD = "a standard deviation"


# -- Validation (the style guide's messages) ------------------------------------------------


def _shown(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_real(
    function: str, name: str, value: object, bound: str | None, example: str, meaning: str
) -> float:
    """A real number (or a 0-d real tensor), finite, and ``> 0`` or ``>= 0`` if ``bound`` says.

    ``example`` (``"scale=0.1"``) and ``meaning`` (``"the ring's width"``) make the fix.
    """
    if isinstance(value, Tensor) and value.ndim == 0:
        if value.dtype != torch.bool and not value.is_complex():
            value = value.item()
    if not _is_real_number(value):
        raise TypeError(
            f"{function}: {name} must be a real number; got {type(value).__name__} "
            f"{_shown(value)}. Pass a float such as {example}."
        )
    within = {None: True, ">0": value > 0, ">=0": value >= 0}[bound]
    if not (math.isfinite(value) and within):
        constraint = {None: "a finite number", ">0": "a finite number > 0"}.get(
            bound, "a finite number >= 0"
        )
        raise ValueError(
            f"{function}: {name} must be {constraint}; got {value!r}. "
            f"Pass {meaning}, e.g. {example}."
        )
    return float(value)


def _check_count(function: str, name: str, value: object, example: str, meaning: str) -> int:
    """A whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            f"{function}: {name} must be an int; got {type(value).__name__} {_shown(value)}. "
            f"Pass a whole number such as {example}."
        )
    if value < 1:
        raise ValueError(
            f"{function}: {name} must be >= 1; got {value}. Pass {meaning}, e.g. {example}."
        )
    return int(value)


def _check_finite(function: str, name: str, x: Tensor, fix: str) -> None:
    finite = torch.isfinite(x.detach())
    if not bool(finite.all()):
        n_nan = int(torch.isnan(x.detach()).sum())
        n_inf = int((~finite).sum()) - n_nan
        raise ValueError(
            f"{function}: {name} must have finite entries; got {n_nan} NaN and {n_inf} inf. {fix}"
        )


def _check_parameters(function: str, name: str, value: object, *, ndim: int, example: str):
    """A real tensor or (nested) list of ``ndim`` dimensions, none empty, finite; as float64.

    Returns ``(parameters, dtype)``: a float64 CPU tensor and the dtype it was given in
    (float64 for lists), whose rounding sets the tolerance on sums.
    """
    expected = "a list of real numbers" if ndim == 1 else "a list of lists of real numbers"
    if isinstance(value, Tensor):
        if value.dtype == torch.bool or value.is_complex():
            raise TypeError(
                f"{function}: {name} must have a real dtype; got {value.dtype}. "
                f"Convert it with {name}.to(torch.float64)."
            )
        given = value.dtype if value.is_floating_point() else torch.float64
        x = value.detach().to(device="cpu", dtype=torch.float64)
    else:
        rows = value if ndim == 2 and isinstance(value, (list, tuple)) else [value]
        if not all(
            isinstance(row, (list, tuple)) and all(_is_real_number(v) for v in row) for row in rows
        ):
            raise TypeError(
                f"{function}: {name} must be a {ndim}-D tensor or {expected}; got "
                f"{type(value).__name__} "
                f"{_shown(value)}. Pass e.g. {example}, or convert with torch.as_tensor."
            )
        if len({len(row) for row in rows}) > 1:
            raise ValueError(
                f"{function}: {name} must have rows of one length; got lengths "
                f"{[len(row) for row in rows]}. Pass e.g. {example}."
            )
        given = torch.float64
        x = torch.tensor(value, dtype=torch.float64)
        if ndim == 2 and x.ndim == 1:  # [] is a list of no rows
            x = x.reshape(0, 0)
    if x.ndim != ndim or x.numel() == 0:
        what = "one entry per component" if ndim == 1 else "one row per mode, one column per axis"
        raise ValueError(
            f"{function}: {name} must be {ndim}-D and non-empty ({what}); got shape "
            f"{tuple(x.shape)}. Pass e.g. {example}."
        )
    _check_finite(function, name, x, "Pass finite parameters.")
    return x, given


def _check_weights(function: str, w: Tensor, given: torch.dtype) -> Tensor:
    """Mixture weights (parsed by ``_check_parameters``): >= 0 and sum to 1, not renormalised."""
    if bool((w < 0).any()):
        raise ValueError(
            f"{function}: weights must be non-negative; got minimum {float(w.min()):.6g}. "
            "Pass the probabilities of the components."
        )
    tolerance = sum_tolerance(given)
    total = float(w.sum())
    if abs(total - 1) > tolerance:
        raise ValueError(
            f"{function}: weights must sum to 1 within {tolerance:g}; got sum {total:.10g}. "
            "Divide them by their sum yourself; ganlib does not renormalise silently."
        )
    return w


def _check_points(function: str, name: str, x: object, dim: int = 2) -> Tensor:
    """A floating-point tensor of shape (..., dim) with finite entries."""
    _check_tensor(function, name, x)
    if x.ndim == 0 or x.shape[-1] != dim:
        where = {1: "the line", 2: "the plane"}.get(dim, f"R^{dim}")
        raise ValueError(
            f"{function}: {name} must have shape (..., {dim}), one point of {where} per row; "
            f"got shape {tuple(x.shape)}. Reshape it, e.g. {name}.reshape(-1, {dim})."
        )
    _check_finite(
        function,
        name,
        x,
        "Find the step that produced them (a log of 0, a division by 0, an overflow).",
    )
    return x


def _check_sample_shape(function: str, sample_shape: object) -> torch.Size:
    if isinstance(sample_shape, (tuple, list, torch.Size)) and all(
        isinstance(n, int) and not isinstance(n, bool) for n in sample_shape
    ):
        if all(n >= 0 for n in sample_shape):
            return torch.Size(sample_shape)
        raise ValueError(
            f"{function}: sample_shape must have non-negative sizes; got "
            f"{tuple(sample_shape)}. Pass e.g. (300,)."
        )
    raise TypeError(
        f"{function}: sample_shape must be a tuple of ints or a torch.Size; got "
        f"{sample_shape!r}. Pass e.g. (300,) for 300 points."
    )


# -- The Gaussian-to-ring push-forward ------------------------------------------------------


def ring_map(z: Tensor, *, scale: float = RING_SCALE) -> Tensor:
    r"""The seed's generator :math:`g(z) = s\,z + z / \lVert z \rVert`, row by row.

    Each point keeps its direction and moves out to radius
    :math:`\lVert g(z) \rVert = 1 + s \lVert z \rVert \ge 1`: a Gaussian cloud becomes a ring
    of inner radius 1 whose width is set by ``scale`` (:math:`s = 1/10` in the seed).
    ``scale=0`` is allowed and projects every point onto the unit circle.

    Args:
        z: points of shape ``(..., 2)``; floating point, finite, differentiable.
        scale: :math:`s \ge 0`, keyword-only.

    Returns:
        :math:`g(z)`, of the shape, dtype and device of ``z``.

    Raises:
        ValueError: if a row of ``z`` is the origin. :math:`z / \lVert z \rVert` has no
            direction at :math:`z = 0`, and no choice of one would be the limit of
            :math:`g` there, so the map is undefined rather than silently repaired. A
            Gaussian draw is exactly zero with probability 0.

    >>> ring_map(torch.tensor([[3.0, 4.0], [0.0, -2.0]]))
    tensor([[ 0.9000,  1.2000],
            [ 0.0000, -1.2000]])
    """
    _check_points("ring_map", "z", z)
    s = _check_real("ring_map", "scale", scale, ">=0", f"scale={RING_SCALE}", _RING_WIDTH)
    norm = torch.linalg.vector_norm(z, dim=-1, keepdim=True)  # (..., 1)
    at_origin = (norm == 0).reshape(-1)
    if bool(at_origin.any()):
        where = torch.nonzero(at_origin).reshape(-1)[:5].tolist()
        raise ValueError(
            f"ring_map: z must have no row equal to the origin, where z / |z| has no "
            f"direction; got {int(at_origin.sum())} such rows (flat indices {where}). "
            "Drop or redraw those rows."
        )
    return s * z + z / norm  # (..., 2)


class _Target(Distribution):
    """The plumbing every distribution here shares: a checked ``sample`` that takes a generator.

    A subclass passes its data dimension to ``__init__`` and defines ``_draw`` (samples of a
    checked shape, dtype and device) and either ``_torch`` (the equivalent torch distribution,
    which then gives ``log_prob``, ``mean`` and ``variance``) or those methods itself.
    """

    has_rsample = False

    def __init__(self, dim: int):
        # Validation is explicit (the style guide's messages), not torch's.
        super().__init__(torch.Size(), torch.Size([dim]), validate_args=False)

    def _torch(self, dtype: torch.dtype, device: torch.device | None) -> Distribution:
        raise NotImplementedError(f"{type(self).__name__} has no torch equivalent")

    def _draw(
        self,
        shape: torch.Size,
        generator: torch.Generator | None,
        dtype: torch.dtype,
        device: torch.device | None,
    ) -> Tensor:
        raise NotImplementedError

    @property
    def mean(self) -> Tensor:
        """The mean, float64 of shape ``event_shape``."""
        return self._torch(torch.float64, None).mean

    @property
    def variance(self) -> Tensor:
        """The variance of each coordinate, float64 of shape ``event_shape``."""
        return self._torch(torch.float64, None).variance

    def sample(
        self,
        sample_shape: torch.Size | tuple[int, ...] = (),
        generator: torch.Generator | None = None,
        *,
        dtype: torch.dtype = torch.float64,
    ) -> Tensor:
        """Draw samples of shape ``(*sample_shape, *event_shape)``, without gradients.

        ``generator`` (a ``torch.Generator``) makes the draw reproducible and leaves the
        global RNG untouched; samples are created on the generator's device, in ``dtype``.
        """
        function = f"{type(self).__name__}.sample"
        shape = _check_sample_shape(function, sample_shape)
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(
                f"{function}: generator must be a torch.Generator or None; got "
                f"{type(generator).__name__}. Pass torch.Generator().manual_seed(0)."
            )
        if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
            raise TypeError(
                f"{function}: dtype must be a floating-point torch.dtype; got "
                f"{dtype!r}. Pass dtype=torch.float64 or dtype=torch.float32."
            )
        device = generator.device if generator is not None else None
        with torch.no_grad():
            return self._draw(shape, generator, dtype, device)

    def log_prob(self, value: Tensor) -> Tensor:
        """The log density at ``value`` of shape ``(..., data_dim)``; the result is ``(...)``."""
        x = _check_points(f"{type(self).__name__}.log_prob", "value", value, self.event_shape[0])
        return self._torch(x.dtype, x.device).log_prob(x)


class _OutsideUnitDisk(constraints.Constraint):
    """Points of the plane at distance greater than 1 from the origin."""

    is_discrete = False
    event_dim = 1

    def check(self, value: Tensor) -> Tensor:
        return torch.linalg.vector_norm(value, dim=-1) > 1


class GaussianRing(_Target):
    r"""The push-forward of :math:`\mathcal N(0, I_2)` through :func:`ring_map`: a ring.

    Sampling draws :math:`z \sim \mathcal N(0, I_2)` and returns
    :math:`x = g(z) = s z + z / \lVert z \rVert`. The density of :math:`x` follows by a
    change of variables in polar coordinates. Write :math:`z = \rho(\cos\theta, \sin\theta)`.
    Then :math:`\theta` is uniform on :math:`[0, 2\pi)`, :math:`\rho = \lVert z \rVert` is
    Rayleigh, :math:`p_\rho(\rho) = \rho\, e^{-\rho^2/2}`, and :math:`g` keeps
    :math:`\theta` and sends :math:`\rho` to :math:`r = 1 + s\rho`. So the radius of
    :math:`x` has density

    .. math::

        p_r(r) = \frac{1}{s}\, p_\rho\!\left(\frac{r - 1}{s}\right)
               = \frac{r - 1}{s^2} \exp\!\left(-\frac{(r - 1)^2}{2 s^2}\right), \qquad r > 1,

    and, since the angle is uniform and the area element at radius :math:`r` is
    :math:`r\,dr\,d\theta`,

    .. math::

        p(x) = \frac{p_r(r)}{2\pi r}, \quad r = \lVert x \rVert > 1; \qquad
        p(x) = 0, \quad r \le 1.

    The same density from the Jacobian: :math:`p(x) = p_z(z) / \lvert\det J_g(z)\rvert`
    with :math:`p_z(z) = e^{-\rho^2/2} / (2\pi)`. In polar coordinates :math:`g` stretches
    the radial direction by :math:`dr/d\rho = s` and the angular one by :math:`r/\rho`, so
    :math:`\lvert\det J_g(z)\rvert = s r / \rho`, which gives the formula above. The tests
    check both forms against ``log_prob``.

    Not to be confused with :func:`ring_of_gaussians`, eight separate Gaussian modes on the
    unit circle: this ring is one continuous band.

    Args:
        scale: :math:`s > 0`, the ring's width (the seed's :math:`1/10`).

    Attributes:
        scale: :math:`s`, a float.

    Differences from the ``torch.distributions`` you know:

    * ``sample(sample_shape, generator=None)`` takes a ``torch.Generator``, which torch's
      ``Distribution.sample`` does not; without one it uses the global RNG, as torch does.
      Samples are float64 unless ``dtype=`` says otherwise.
    * ``log_prob`` returns :math:`-\infty` at points inside the unit disk, where the
      density is 0, instead of rejecting them as outside the support.

    >>> ring = GaussianRing()
    >>> x = ring.sample((4,), generator=torch.Generator().manual_seed(0))
    >>> x.shape, bool((x.norm(dim=-1) >= 1).all())
    (torch.Size([4, 2]), True)
    >>> ring.log_prob(torch.tensor([[0.5, 0.0], [1.1, 0.0]], dtype=torch.float64))
    tensor([   -inf, -0.1306], dtype=torch.float64)
    """

    arg_constraints: ClassVar[dict] = {"scale": constraints.positive}
    support = _OutsideUnitDisk()

    def __init__(self, scale: float = RING_SCALE):
        self.scale = _check_real("GaussianRing", "scale", scale, ">0", "scale=0.1", _RING_WIDTH)
        super().__init__(2)

    def __repr__(self) -> str:
        return f"GaussianRing(scale={self.scale})"

    @property
    def mean(self) -> Tensor:
        """The mean of :math:`x`, the origin, by symmetry of the angle."""
        return torch.zeros(2, dtype=torch.float64)

    def _draw(self, shape, generator, dtype, device) -> Tensor:
        # x = g(z), z ~ N(0, I_2): the same noise through the same map as ring_map.
        z = torch.randn((*shape, 2), generator=generator, dtype=dtype, device=device)
        return ring_map(z, scale=self.scale)  # (*shape, 2)

    def log_prob(self, value: Tensor) -> Tensor:
        r"""The log density :math:`\log p(x) = \log p_r(r) - \log(2\pi r)`, the class docstring's.

        It is :math:`-\infty` where :math:`r \le 1`, where the density is 0.
        ``value`` has shape ``(..., 2)``; the result has shape ``(...)``.
        """
        x = _check_points("GaussianRing.log_prob", "value", value)
        s = self.scale
        r = torch.linalg.vector_norm(x, dim=-1)  # (...)
        inside = r <= 1
        excess = torch.where(inside, torch.ones_like(r), r - 1)  # r - 1, kept positive for log
        log_p_r = torch.log(excess) - 2 * math.log(s) - excess**2 / (2 * s * s)
        log_p = log_p_r - torch.log(2 * math.pi * r.clamp_min(1))  # - log(2 pi r)
        return torch.where(inside, torch.full_like(log_p, -math.inf), log_p)


# -- Targets on the line --------------------------------------------------------------------


class Gaussian1d(_Target):
    r"""The Gaussian :math:`\mathcal N(\mu, \sigma^2)` on the line, with event shape ``(1,)``.

    .. math::

        p(x) = \frac{1}{\sigma\sqrt{2\pi}}
               \exp\!\left(-\frac{(x - \mu)^2}{2\sigma^2}\right).

    The p_data of the book's first GAN. ``log_prob`` is torch's
    ``Normal(loc, scale).log_prob``; the differences from ``torch.distributions.Normal`` are
    the event shape ``(1,)`` (samples ``(n, 1)``, not ``(n,)``; see the module docstring) and
    a ``sample`` that takes a ``torch.Generator``. As in torch and scipy, ``scale`` is the
    standard deviation, not the variance.

    Args:
        loc: :math:`\mu`, any finite real number.
        scale: :math:`\sigma > 0`.

    Attributes:
        loc, scale: :math:`\mu` and :math:`\sigma`, floats.

    >>> p_data = Gaussian1d(loc=4.0, scale=0.5)
    >>> x = p_data.sample((3,), generator=torch.Generator().manual_seed(0))
    >>> x.shape, x.dtype
    (torch.Size([3, 1]), torch.float64)
    >>> p_data.log_prob(torch.tensor([[4.0], [5.0]], dtype=torch.float64))  # -log(s sqrt(2 pi))
    tensor([-0.2258, -2.2258], dtype=torch.float64)
    """

    arg_constraints: ClassVar[dict] = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.independent(constraints.real, 1)

    def __init__(self, loc: float = 0.0, scale: float = 1.0):
        self.loc = _check_real("Gaussian1d", "loc", loc, None, "loc=0.0", "the mean")
        self.scale = _check_real("Gaussian1d", "scale", scale, ">0", "scale=1.0", _STD)
        super().__init__(1)

    def __repr__(self) -> str:
        return f"Gaussian1d(loc={self.loc}, scale={self.scale})"

    def _torch(self, dtype, device) -> Distribution:
        loc = torch.tensor([self.loc], dtype=dtype, device=device)  # (1,)
        scale = torch.tensor([self.scale], dtype=dtype, device=device)  # (1,)
        return Independent(Normal(loc, scale, validate_args=False), 1, validate_args=False)

    def _draw(self, shape, generator, dtype, device) -> Tensor:
        noise = torch.randn((*shape, 1), generator=generator, dtype=dtype, device=device)
        return self.loc + self.scale * noise  # (*shape, 1)


class Uniform1d(_Target):
    r"""The uniform distribution on :math:`[a, b)`, as a target of event shape ``(1,)``.

    .. math::

        p(x) = \frac{1}{b - a}, \quad a \le x < b; \qquad p(x) = 0 \text{ otherwise}.

    ``log_prob`` is torch's ``Uniform(low, high).log_prob``: :math:`-\log(b - a)` inside,
    :math:`-\infty` outside. The interval is half-open as in torch, so ``log_prob`` at
    :math:`x = b` is :math:`-\infty`; ``scipy.stats.uniform`` uses the closed interval and
    gives :math:`1/(b - a)` there, a difference on a set of probability 0. Samples are
    :math:`a + (b - a) u` with :math:`u` uniform on :math:`[0, 1)`, torch's formula, so, as in
    torch, floating-point rounding can in rare cases give exactly :math:`b`.

    Args:
        low: :math:`a`, finite.
        high: :math:`b > a`, finite.

    Attributes:
        low, high: :math:`a` and :math:`b`, floats.

    >>> p_data = Uniform1d(-1.0, 3.0)
    >>> p_data.sample((2, 5), generator=torch.Generator().manual_seed(0)).shape
    torch.Size([2, 5, 1])
    >>> p_data.log_prob(torch.tensor([[0.0], [3.0]], dtype=torch.float64))  # -log 4, outside
    tensor([-1.3863,    -inf], dtype=torch.float64)
    """

    arg_constraints: ClassVar[dict] = {
        "low": constraints.dependent(is_discrete=False, event_dim=0),
        "high": constraints.dependent(is_discrete=False, event_dim=0),
    }

    def __init__(self, low: float = 0.0, high: float = 1.0):
        self.low = _check_real("Uniform1d", "low", low, None, "low=0.0", "the lower end")
        self.high = _check_real("Uniform1d", "high", high, None, "high=1.0", "the upper end")
        if not self.low < self.high:
            raise ValueError(
                f"Uniform1d: low must be < high; got low={self.low!r} and high={self.high!r}. "
                "Pass the interval [low, high) with its lower end first."
            )
        super().__init__(1)

    def __repr__(self) -> str:
        return f"Uniform1d(low={self.low}, high={self.high})"

    @property
    def support(self) -> constraints.Constraint:
        return constraints.independent(constraints.half_open_interval(self.low, self.high), 1)

    def _torch(self, dtype, device) -> Distribution:
        low = torch.tensor([self.low], dtype=dtype, device=device)  # (1,)
        high = torch.tensor([self.high], dtype=dtype, device=device)  # (1,)
        return Independent(Uniform(low, high, validate_args=False), 1, validate_args=False)

    def _draw(self, shape, generator, dtype, device) -> Tensor:
        u = torch.rand((*shape, 1), generator=generator, dtype=dtype, device=device)
        return self.low + (self.high - self.low) * u  # (*shape, 1)


# -- Mixtures of Gaussians ------------------------------------------------------------------


class _GaussianMixture(_Target):
    r"""Sampling and density of :math:`\sum_k w_k \mathcal N(c_k, s_k^2 I)` for both mixtures.

    A subclass defines ``_components``: weights ``(K,)``, centres ``(K, d)``, scales ``(K,)``.
    """

    support = constraints.independent(constraints.real, 1)

    def _components(self) -> tuple[Tensor, Tensor, Tensor]:
        raise NotImplementedError

    def _torch(self, dtype, device) -> Distribution:
        weights, centres, scales = (t.to(dtype=dtype, device=device) for t in self._components())
        mixing = Categorical(probs=weights, validate_args=False)
        scales = scales[:, None].expand_as(centres)  # (K, d): the same s_k on every axis
        normal = Normal(centres, scales, validate_args=False)  # batch (K,) x (d,)
        component = Independent(normal, 1, validate_args=False)  # batch (K,), event (d,)
        return MixtureSameFamily(mixing, component, validate_args=False)

    def _draw(self, shape, generator, dtype, device) -> Tensor:
        weights, centres, scales = self._components()
        n, dim = shape.numel(), centres.shape[1]
        if n == 0:  # torch.multinomial refuses to draw 0 samples
            return torch.empty((*shape, dim), dtype=dtype, device=device)
        # First the component of each point (torch's Categorical sampler), then its noise,
        # both from the one generator.
        k = torch.multinomial(weights.to(device), n, replacement=True, generator=generator)
        noise = torch.randn((n, dim), generator=generator, dtype=dtype, device=device)
        centres = centres.to(dtype=dtype, device=device)[k]  # (n, d)
        scales = scales.to(dtype=dtype, device=device)[k, None]  # (n, 1)
        return (centres + scales * noise).reshape(*shape, dim)  # (*shape, d)


class GaussianMixture1d(_GaussianMixture):
    r"""A mixture of Gaussians on the line, as a target of event shape ``(1,)``.

    .. math::

        p(x) = \sum_{k=1}^{K} \frac{w_k}{\sigma_k\sqrt{2\pi}}
               \exp\!\left(-\frac{(x - \mu_k)^2}{2\sigma_k^2}\right),
        \qquad w_k \ge 0, \quad \sum_k w_k = 1.

    ``log_prob`` is torch's ``MixtureSameFamily(Categorical(w), Normal(mu, sigma))``, which
    sums in log space and stays finite far from every mode. Unlike torch's ``Categorical``,
    the weights must already sum to 1 (within 1e-6 in float64); they are not renormalised.
    A weight may be 0: that component is never sampled.

    Args:
        weights: :math:`w_k`, a 1-D tensor or list.
        means: :math:`\mu_k`, of the same length.
        scales: :math:`\sigma_k > 0`, standard deviations, of the same length.

    Attributes:
        weights, means, scales: float64 tensors of shape ``(K,)``.

    >>> p_data = GaussianMixture1d([0.25, 0.75], means=[-2.0, 2.0], scales=[0.5, 1.0])
    >>> p_data.sample((4,), generator=torch.Generator().manual_seed(0)).shape
    torch.Size([4, 1])
    >>> p_data.mean  # 0.25 * (-2) + 0.75 * 2
    tensor([1.], dtype=torch.float64)
    >>> p_data.log_prob(torch.tensor([[-2.0], [2.0]], dtype=torch.float64))
    tensor([-1.6116, -1.2066], dtype=torch.float64)
    """

    arg_constraints: ClassVar[dict] = {
        "weights": constraints.simplex,
        "means": constraints.real_vector,
        "scales": constraints.independent(constraints.positive, 1),
    }

    def __init__(
        self,
        weights: Tensor | list[float],
        means: Tensor | list[float],
        scales: Tensor | list[float],
    ):
        function = "GaussianMixture1d"
        w, given = _check_parameters(function, "weights", weights, ndim=1, example="[0.5, 0.5]")
        mu, _ = _check_parameters(function, "means", means, ndim=1, example="[-1.0, 1.0]")
        sigma, _ = _check_parameters(function, "scales", scales, ndim=1, example="[0.5, 0.5]")
        if not len(w) == len(mu) == len(sigma):
            raise ValueError(
                f"{function}: weights, means and scales must have the same length, one entry "
                f"per component; got {len(w)}, {len(mu)} and {len(sigma)}. Pass one weight, "
                "mean and scale for each component."
            )
        if bool((sigma <= 0).any()):
            raise ValueError(
                f"{function}: scales must be > 0; got minimum {float(sigma.min()):.6g}. "
                "Pass standard deviations, e.g. scales=[0.5, 0.5]."
            )
        self.weights, self.means, self.scales = _check_weights(function, w, given), mu, sigma
        super().__init__(1)

    def __repr__(self) -> str:
        return (
            f"GaussianMixture1d(weights={self.weights.tolist()}, means={self.means.tolist()}, "
            f"scales={self.scales.tolist()})"
        )

    def _components(self) -> tuple[Tensor, Tensor, Tensor]:
        return self.weights, self.means[:, None], self.scales  # (K,), (K, 1), (K,)


class IsotropicGaussianMixture(_GaussianMixture):
    r"""A mixture of isotropic Gaussians with one standard deviation, in any dimension :math:`d`.

    .. math::

        p(x) = \sum_{k=1}^{K} w_k\, (2\pi s^2)^{-d/2}
               \exp\!\left(-\frac{\lVert x - c_k \rVert^2}{2 s^2}\right),
        \qquad w_k \ge 0, \quad \sum_k w_k = 1,

    with equal weights :math:`w_k = 1/K` by default. The toy targets of the mode-collapse
    literature are of this kind; build them with :func:`ring_of_gaussians` and
    :func:`grid_of_gaussians`. ``centres`` and ``scale`` are public so that the metrics can
    measure which modes a generator covers.

    ``log_prob`` is torch's
    ``MixtureSameFamily(Categorical(w), Independent(Normal(c, s), 1))``, which sums in log
    space. At the centre of the default :func:`ring_of_gaussians`, 100 standard deviations
    from every mode, it gives :math:`-\log(2\pi s^2) - 1/(2 s^2) \approx -4993`, where the
    formula evaluated literally in float64 gives :math:`\log 0 = -\infty`. Unlike torch's
    ``Categorical``, the weights are not renormalised.

    Args:
        centres: :math:`c_k`, a tensor or list of lists of shape ``(K, d)``, one row per mode.
        scale: :math:`s > 0`, the standard deviation along every axis.
        weights: :math:`w_k`, shape ``(K,)``; ``None`` means :math:`1/K` each.

    Attributes:
        centres: float64 tensor ``(K, d)``. scale: :math:`s`, a float.
        weights: float64 tensor ``(K,)``.

    >>> p_data = IsotropicGaussianMixture([[0.0, 0.0], [3.0, 4.0]], scale=1.0)
    >>> p_data.sample((6,), generator=torch.Generator().manual_seed(0)).shape
    torch.Size([6, 2])
    >>> p_data.mean, p_data.weights
    (tensor([1.5000, 2.0000], dtype=torch.float64), tensor([0.5000, 0.5000], dtype=torch.float64))
    >>> p_data.log_prob(torch.zeros(1, 2, dtype=torch.float64))  # log(1/2 / (2 pi)) + tiny
    tensor([-2.5310], dtype=torch.float64)
    """

    arg_constraints: ClassVar[dict] = {
        "centres": constraints.real_vector,
        "scale": constraints.positive,
        "weights": constraints.simplex,
    }

    def __init__(
        self,
        centres: Tensor | list[list[float]],
        scale: float,
        weights: Tensor | list[float] | None = None,
    ):
        function = "IsotropicGaussianMixture"
        self.centres, _ = _check_parameters(
            function, "centres", centres, ndim=2, example="[[0.0, 0.0], [1.0, 1.0]]"
        )
        self.scale = _check_real(function, "scale", scale, ">0", "scale=0.05", _STD)
        modes = self.centres.shape[0]
        if weights is None:
            self.weights = torch.full((modes,), 1 / modes, dtype=torch.float64)
        else:
            w, given = _check_parameters(function, "weights", weights, ndim=1, example="None")
            if len(w) != modes:
                raise ValueError(
                    f"{function}: weights must have one entry per row of centres ({modes}); "
                    f"got {len(w)}. Pass one weight per mode, or None for equal weights."
                )
            self.weights = _check_weights(function, w, given)
        super().__init__(self.centres.shape[1])

    def __repr__(self) -> str:
        modes, dim = self.centres.shape
        return f"IsotropicGaussianMixture(<{modes} modes in {dim}-D>, scale={self.scale})"

    def _components(self) -> tuple[Tensor, Tensor, Tensor]:
        scales = torch.full_like(self.weights, self.scale)
        return self.weights, self.centres, scales  # (K,), (K, d), (K,)


def ring_of_gaussians(
    modes: int = 8, radius: float = 1.0, scale: float = 0.01
) -> IsotropicGaussianMixture:
    r"""The ring of Gaussians of the mode-collapse literature: equal modes on a circle.

    An :class:`IsotropicGaussianMixture` with equal weights :math:`1/K` and centres

    .. math::

        c_k = r \left(\cos\frac{2\pi k}{K},\ \sin\frac{2\pi k}{K}\right),
        \qquad k = 0, \dots, K - 1,

    each with standard deviation :math:`s`. The defaults are the benchmark's: :math:`K = 8`
    modes on the unit circle, :math:`s = 0.01`. Neighbouring centres are
    :math:`2r\sin(\pi/K) \approx 0.765` apart, about 77 standard deviations, so modes do not
    overlap. Within 3 standard deviations of its centre (the "high quality" radius of the
    metrics) lies a fraction :math:`1 - e^{-9/2} \approx 0.989` of each 2-D mode, not the
    0.997 of one dimension. Not to be confused with :class:`GaussianRing`, one continuous band.

    Args:
        modes: :math:`K \ge 1`.
        radius: :math:`r > 0`.
        scale: :math:`s > 0`.

    >>> p_data = ring_of_gaussians()
    >>> p_data.centres[:3].round(decimals=4) + 0.0  # + 0.0 turns -0.0 into 0.0
    tensor([[1.0000, 0.0000],
            [0.7071, 0.7071],
            [0.0000, 1.0000]], dtype=torch.float64)
    >>> p_data.scale, p_data.sample((2500,), generator=torch.Generator().manual_seed(0)).shape
    (0.01, torch.Size([2500, 2]))
    """
    function = "ring_of_gaussians"
    modes = _check_count(function, "modes", modes, "modes=8", "the number of modes")
    radius = _check_real(function, "radius", radius, ">0", "radius=1.0", "the ring's radius")
    scale = _check_real(function, "scale", scale, ">0", "scale=0.01", _STD)
    angles = [2 * math.pi * k / modes for k in range(modes)]
    centres = [[radius * math.cos(a), radius * math.sin(a)] for a in angles]  # (K, 2)
    return IsotropicGaussianMixture(centres, scale)


def grid_of_gaussians(
    side: int = 5, spacing: float = 2.0, scale: float = 0.05
) -> IsotropicGaussianMixture:
    r"""The grid of Gaussians of the mode-collapse literature: equal modes on a square grid.

    An :class:`IsotropicGaussianMixture` with :math:`K = n^2` equal weights and centres

    .. math::

        c_{in + j} = h \left(i - \frac{n - 1}{2},\ j - \frac{n - 1}{2}\right),
        \qquad i, j = 0, \dots, n - 1,

    a grid of side :math:`n` and spacing :math:`h` centred on the origin (the first
    coordinate varies slowest), each mode with standard deviation :math:`s`. The defaults are
    the benchmark's: 25 modes at :math:`\{-4, -2, 0, 2, 4\}^2`, :math:`s = 0.05`.

    Args:
        side: :math:`n \ge 1`, modes per row.
        spacing: :math:`h > 0`, the distance between neighbouring modes.
        scale: :math:`s > 0`.

    >>> p_data = grid_of_gaussians()
    >>> p_data.centres.shape, p_data.centres[:6].tolist()
    (torch.Size([25, 2]),
     [[-4.0, -4.0], [-4.0, -2.0], [-4.0, 0.0], [-4.0, 2.0], [-4.0, 4.0], [-2.0, -4.0]])
    >>> p_data.scale
    0.05
    """
    function = "grid_of_gaussians"
    side = _check_count(function, "side", side, "side=5", "the number of modes per row")
    spacing = _check_real(function, "spacing", spacing, ">0", "spacing=2.0", "the mode spacing")
    scale = _check_real(function, "scale", scale, ">0", "scale=0.05", _STD)
    axis = [spacing * (i - (side - 1) / 2) for i in range(side)]
    centres = [[a, b] for a in axis for b in axis]  # (side^2, 2), first coordinate slowest
    return IsotropicGaussianMixture(centres, scale)
