r"""The paper's theory on a grid: the value function, the optimal discriminator and C(G).

For a fixed generator the game is a question about two densities, :math:`p_{data}` and the
generator's :math:`p_g`, and every quantity of Section 4 of the paper is an integral over x.
In one dimension those integrals are sums over a uniform :class:`Grid` (the rectangle rule),
accurate to far better than 1e-6 for the smooth densities of the book:

* :func:`value_function` is :math:`V(D, G)` for a discriminator given by its values on the grid;
* :func:`optimal_discriminator` is Proposition 1's :math:`D^*_G`, and
  :func:`optimal_discriminator_logit` the same in log space;
* :func:`virtual_training_criterion` is :math:`C(G) = \max_D V(D, G) = V(D^*_G, G)`, which
  Theorem 1 says equals :math:`-\log 4 + 2\,\mathrm{JS}(p_{data} \,\|\, p_g)`. It is computed
  here from V, independently of :func:`ganlib.divergences.js_divergence`, so that comparing the
  two checks the theorem rather than restating it;
* :func:`value_function_estimate` is the Monte-Carlo estimate of V that training computes from
  the discriminator's logits on samples.

Densities on a grid follow :mod:`ganlib.divergences`: values along the last dimension with
spacing ``dx`` (``dx=None`` for probability vectors), each integrating to 1 within
:data:`ganlib._checks.GRID_TOLERANCE`; other dimensions are batch dimensions.

>>> grid = Grid(-10.0, 10.0, 2001)
>>> p_data = grid.density(torch.distributions.Normal(0.0, 1.0))
>>> round(float(virtual_training_criterion(p_data, p_data, dx=grid.dx)), 6)  # -log 4
-1.386294
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral, Real

import torch
from torch import Tensor
from torch.distributions import Distribution

from ganlib._checks import (
    _check_tensor,
    check_alike,
    check_device,
    check_distributions,
    check_dx,
    check_logits,
    check_real,
    shown,
)
from ganlib.divergences import _xlogy
from ganlib.losses import minimax_discriminator_loss

__all__ = [
    "Grid",
    "optimal_discriminator",
    "optimal_discriminator_logit",
    "value_function",
    "value_function_estimate",
    "virtual_training_criterion",
]


# --- validation (elementwise values; _checks covers distributions along a dim) ----------------


@torch.no_grad()
def _check_range(
    function: str, name: str, x: Tensor, interval: tuple[float, float, str], fix: str
) -> None:
    """Entries of x in ``interval`` = (low, high, brackets), e.g. (0, inf, "[)"); no NaN."""
    low, high, brackets = interval
    too_high = x > high if brackets[1] == "]" else x >= high
    bad = torch.isnan(x) | (x < low) | too_high
    if bool(bad.any()):
        n_nan = int(torch.isnan(x).sum())
        shown = ", ".join(f"{value:.6g}" for value in x[bad][:5].tolist())
        raise ValueError(
            f"{function}: {name} must have entries in {brackets[0]}{low:g}, {high:g}"
            f"{brackets[1]}; got {int(bad.sum())} outside ({n_nan} NaN), e.g. [{shown}]. {fix}"
        )


_DENSITY = (0.0, math.inf, "[)")  # finite, non-negative
_LOG_DENSITY = (-math.inf, math.inf, "[)")  # -inf allowed (density 0), +inf not
_PROBABILITY = (0.0, 1.0, "[]")


def _check_where_both_zero(function: str, value: object) -> float:
    fix = "Any value of D is optimal where both densities vanish; 0.5 is the default."
    return check_real(function, "where_both_zero", value, low=0.0, high=1.0, fix=fix)


# --- quadrature -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    r"""A uniform grid of ``points`` values from ``low`` to ``high`` (both included).

    :attr:`x` is ``torch.linspace(low, high, points)`` in ``dtype`` on ``device``, :attr:`dx`
    the spacing :math:`(high - low) / (points - 1)`, and :meth:`integrate` the rectangle rule
    :math:`\int f\,dx \approx \sum_i f(x_i)\,dx`, which differs from the trapezoid rule only by
    :math:`(f(low) + f(high))\,dx / 2`, nothing for a density that has decayed at the ends.
    For smooth, decaying integrands both rules are accurate far beyond their :math:`O(dx^2)`
    bound: :math:`\int \mathcal N(x; 0, 1)\,dx` is 1 to 1e-15 even with ``dx = 0.5``. A density
    that jumps (a uniform) is counted point by point, so its integral is off by up to its height
    times ``dx`` unless its ends fall between grid points: choose the grid so that they do.

    >>> grid = Grid(-8.0, 8.0, 33)
    >>> grid.dx
    0.5
    >>> normal = torch.distributions.Normal(0.0, 1.0)
    >>> round(float(grid.integrate(grid.density(normal))), 12)
    1.0
    """

    low: float
    high: float
    points: int
    dtype: torch.dtype = field(default=torch.float64, kw_only=True)  # float64: 1e-6 claims
    device: torch.device | str | None = field(default=None, kw_only=True)  # None: the CPU
    # A device is checked when the grid is built, and kept as a torch.device: a name torch does
    # not know, or a device this machine lacks ('cuda' without CUDA), is a ValueError.

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real):
                raise TypeError(
                    f"Grid: {name} must be a real number; got {type(value).__name__} {value!r}. "
                    "Pass the grid's ends as floats, e.g. Grid(-10.0, 10.0, 2001)."
                )
            if not math.isfinite(value):
                raise ValueError(
                    f"Grid: {name} must be finite; got {value!r}. Choose ends far enough out "
                    "that the densities have decayed there."
                )
            object.__setattr__(self, name, float(value))
        if not self.low < self.high:
            raise ValueError(
                f"Grid: low must be less than high; got low={self.low!r}, high={self.high!r}. "
                "Pass the left end first, e.g. Grid(-10.0, 10.0, 2001)."
            )
        if isinstance(self.points, bool) or not isinstance(self.points, Integral):
            raise TypeError(
                f"Grid: points must be an int; got {type(self.points).__name__} "
                f"{self.points!r}. Pass the number of grid points, e.g. 2001."
            )
        if self.points < 2:
            raise ValueError(
                f"Grid: points must be at least 2; got {self.points}. A grid needs a spacing; "
                "use enough points to resolve the densities, e.g. 2001."
            )
        object.__setattr__(self, "points", int(self.points))
        if not (isinstance(self.dtype, torch.dtype) and self.dtype.is_floating_point):
            raise TypeError(
                f"Grid: dtype must be a floating-point torch.dtype; got {self.dtype!r}. "
                "Use torch.float64 (the default) for quadrature to 1e-6."
            )
        if self.device is not None:
            fix = "Pass e.g. device='cpu', device=ganlib.device(), or None for the CPU."
            object.__setattr__(self, "device", check_device("Grid", "device", self.device, fix=fix))

    @property
    def dx(self) -> float:
        """The spacing between neighbouring points."""
        return (self.high - self.low) / (self.points - 1)

    @property
    def x(self) -> Tensor:
        """The points, ``torch.linspace(low, high, points)``."""
        return torch.linspace(
            self.low, self.high, self.points, dtype=self.dtype, device=self.device
        )

    def integrate(self, values: Tensor) -> Tensor:
        r""":math:`\int f(x)\,dx \approx \sum_i f(x_i)\,dx` along the last dimension of
        ``values``, which holds :math:`f` at :attr:`x`."""
        values = _check_tensor("Grid.integrate", "values", values)
        if values.ndim == 0 or values.shape[-1] != self.points:
            raise ValueError(
                f"Grid.integrate: values must have {self.points} entries along the last "
                f"dimension (one per grid point); got shape {tuple(values.shape)}. Evaluate "
                "the integrand at this grid's x."
            )
        return values.sum(-1) * self.dx  # (...,)

    def log_density(self, distribution: Distribution) -> Tensor:
        r""":math:`\log p(x)` at :attr:`x` for a univariate ``torch.distributions`` object;
        :math:`-\infty` outside its support (where ``log_prob`` would refuse the point)."""
        if not isinstance(distribution, Distribution):
            raise TypeError(
                f"Grid.log_density: distribution must be a torch.distributions.Distribution; "
                f"got {type(distribution).__name__}. Wrap the density, e.g. "
                "torch.distributions.Normal(0.0, 1.0)."
            )
        if distribution.batch_shape != () or distribution.event_shape not in ((), (1,)):
            raise ValueError(
                "Grid.log_density: distribution must be univariate with no batch dimensions; "
                f"got batch_shape {tuple(distribution.batch_shape)} and event_shape "
                f"{tuple(distribution.event_shape)}. Evaluate one 1-D distribution per call."
            )
        x = self.x  # (points,)
        # torch's univariate distributions take points of shape (n,); ganlib's 1-D targets,
        # whose samples are (n, 1) like a generator's output, take (n, 1).
        points = x if distribution.event_shape == () else x.unsqueeze(-1)
        inside = distribution.support.check(points)  # (points,) bool
        inside = inside.reshape(inside.shape[0], -1).all(-1)  # (points,) bool
        log_p = torch.full_like(x, -math.inf)
        values = distribution.log_prob(points[inside]).to(x.dtype)  # (n_inside,)
        return log_p.masked_scatter(inside, values)  # (points,)

    def density(self, distribution: Distribution) -> Tensor:
        r""":math:`p(x) = \exp(\log p(x))` at :attr:`x`, 0 outside the support."""
        return self.log_density(distribution).exp()  # (points,)

    def _parameter(
        self, function: str, name: str, value: object, *, positive: bool = False
    ) -> Tensor:
        """A float or a tensor of them, as a tensor on the grid's dtype and device; finite
        (and positive if asked)."""
        if isinstance(value, Tensor):
            _check_tensor(function, name, value)
            if value.dtype != self.dtype or value.device != self.x.device:
                raise TypeError(
                    f"{function}: {name} must be on the grid's dtype and device ({self.dtype}, "
                    f"{self.x.device}); got {value.dtype}, {value.device}. Convert it, e.g. "
                    f"{name}.to(grid.x)."
                )
        elif isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(
                f"{function}: {name} must be a real number or a tensor of them; got "
                f"{type(value).__name__} {shown(value)}. Pass e.g. 0.0 or "
                "torch.tensor([0.0, 1.0], dtype=torch.float64)."
            )
        value = torch.as_tensor(value, dtype=self.dtype, device=self.device)
        with torch.no_grad():
            bad = ~torch.isfinite(value) | (value <= 0 if positive else False)
            if bool(bad.any()):
                constraint = "positive and finite" if positive else "finite"
                shown_values = ", ".join(f"{v:.6g}" for v in value[bad][:5].tolist())
                raise ValueError(
                    f"{function}: {name} must be {constraint}; got {int(bad.sum())} entries "
                    f"that are not, e.g. [{shown_values}]. Pass {constraint} parameters."
                )
        return value

    def normal_density(self, mean: float | Tensor = 0.0, std: float | Tensor = 1.0) -> Tensor:
        r""":math:`\mathcal N(x; \mu, \sigma^2)` at :attr:`x`, for every mean and standard
        deviation at once.

        .. math:: p(x_i) = \frac{1}{\sigma\sqrt{2\pi}}
            \exp\!\left(-\frac{(x_i - \mu)^2}{2\sigma^2}\right)

        ``mean`` and ``std`` are floats or tensors on the grid's dtype and device; they
        broadcast, and the result has shape ``(*broadcast(mean, std).shape, points)``: one
        density per row. Computed as ``Normal(mean[..., None], std[..., None]).log_prob(x)
        .exp()``, differentiable in both, and not renormalised on the grid (its sum times
        :attr:`dx` misses the tails beyond the ends). :meth:`density` takes one distribution
        of any kind; this takes many normals.

        >>> grid = Grid(-8.0, 8.0, 33)
        >>> p = grid.normal_density(torch.tensor([0.0, 1.0], dtype=torch.float64))
        >>> p.shape, [round(float(mass), 12) for mass in grid.integrate(p)]
        (torch.Size([2, 33]), [1.0, 1.0])
        """
        function = "Grid.normal_density"
        mean = self._parameter(function, "mean", mean)
        std = self._parameter(function, "std", std, positive=True)
        normal = torch.distributions.Normal(mean[..., None], std[..., None])
        return normal.log_prob(self.x).exp()  # (..., points)

    def uniform_density(self, low: float | Tensor, high: float | Tensor) -> Tensor:
        r"""The density of :math:`U[a, b)` at :attr:`x`, for every interval at once.

        .. math:: p(x_i) = \frac{[a \le x_i < b]}{b - a}

        half-open as in ``torch.distributions.Uniform`` (and :class:`ganlib.Uniform1d`, whose
        :meth:`density` this equals bit for bit: it is :math:`\exp(-\log(b - a))` inside).
        ``low`` and ``high`` are floats or tensors on the grid's dtype and device that
        broadcast; the result is ``(*broadcast(low, high).shape, points)``. Not renormalised:
        the grid counts the points inside, so the mass is off by up to the height times
        :attr:`dx` unless both ends fall between grid points.

        >>> grid = Grid(-0.05, 2.05, 22)  # points at -0.05, 0.05, ..., 2.05
        >>> p = grid.uniform_density(torch.tensor([0.0, 1.0], dtype=torch.float64), 2.0)
        >>> p.shape, [round(float(mass), 12) for mass in grid.integrate(p)]
        (torch.Size([2, 22]), [1.0, 1.0])
        """
        function = "Grid.uniform_density"
        low = self._parameter(function, "low", low)
        high = self._parameter(function, "high", high)
        low, high = torch.broadcast_tensors(low, high)
        if bool((low >= high).any()):
            at = tuple((low >= high).nonzero()[0].tolist())
            raise ValueError(
                f"{function}: low must be less than high; got low={float(low[at])!r}, "
                f"high={float(high[at])!r} at index {at}. Pass each interval's lower end first."
            )
        low, high = low[..., None], high[..., None]  # (..., 1)
        inside = (low <= self.x) & (self.x < high)  # (..., points)
        log_p = torch.where(inside, -torch.log(high - low), -math.inf)  # (..., points)
        return log_p.exp()


# --- Proposition 1 ----------------------------------------------------------------------------


def optimal_discriminator(p_data: Tensor, p_g: Tensor, *, where_both_zero: float = 0.5) -> Tensor:
    r"""Proposition 1: the optimal discriminator for a fixed generator, elementwise.

    .. math:: D^*_G(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}

    It maximises :math:`a \log y + b \log(1 - y)` pointwise, with :math:`a = p_{data}(x)`,
    :math:`b = p_g(x)`. Where both densities vanish, both terms of V carry weight 0, every value
    is optimal and the formula is 0/0: the result there is ``where_both_zero`` (default 1/2,
    the value D* takes wherever :math:`p_g = p_{data}`).

    ``p_data`` and ``p_g`` are density (or probability) values of any shape, non-negative and
    finite; they need not be normalised. Where the densities underflow, use
    :func:`optimal_discriminator_logit` on log-densities.

    >>> p_data = torch.tensor([3.0, 1.0, 0.0, 0.0])
    >>> p_g = torch.tensor([1.0, 1.0, 2.0, 0.0])
    >>> optimal_discriminator(p_data, p_g)
    tensor([0.7500, 0.5000, 0.0000, 0.5000])
    """
    function = "optimal_discriminator"
    check_alike(function, {"p_data": p_data, "p_g": p_g})
    where_both_zero = _check_where_both_zero(function, where_both_zero)
    for name, x in (("p_data", p_data), ("p_g", p_g)):
        _check_range(function, name, x, _DENSITY, "Densities are finite and non-negative.")
    total = p_data + p_g  # (...)
    defined = total > 0
    d_star = p_data / torch.where(defined, total, torch.ones_like(total))  # (...)
    return torch.where(defined, d_star, where_both_zero)


def optimal_discriminator_logit(
    log_p_data: Tensor, log_p_g: Tensor, *, where_both_zero: float = 0.5
) -> Tensor:
    r"""Proposition 1 in log space: the logit of the optimal discriminator, elementwise.

    .. math:: \operatorname{logit} D^*_G(x) = \log \frac{D^*_G(x)}{1 - D^*_G(x)}
        = \log p_{data}(x) - \log p_g(x)

    Stable where the densities themselves underflow (the tails of two Gaussians), and directly
    comparable with a discriminator's output, which is a logit. :math:`-\infty` where only
    :math:`p_{data}` vanishes, :math:`+\infty` where only :math:`p_g` does; where both are
    :math:`-\infty` the result is :math:`\operatorname{logit}(\text{where\_both\_zero})`
    (0 for the default 1/2), as in :func:`optimal_discriminator`.

    >>> optimal_discriminator_logit(torch.tensor([-800.0, 0.0]), torch.tensor([-801.0, -math.inf]))
    tensor([1., inf])
    """
    function = "optimal_discriminator_logit"
    check_alike(function, {"log_p_data": log_p_data, "log_p_g": log_p_g})
    where_both_zero = _check_where_both_zero(function, where_both_zero)
    for name, x in (("log_p_data", log_p_data), ("log_p_g", log_p_g)):
        _check_range(function, name, x, _LOG_DENSITY, "Log-densities may be -inf, never +inf.")
    both_zero = (log_p_data == -math.inf) & (log_p_g == -math.inf)
    if where_both_zero in (0.0, 1.0):
        fill = math.inf if where_both_zero else -math.inf
    else:
        fill = math.log(where_both_zero) - math.log1p(-where_both_zero)
    difference = torch.where(both_zero, 0.0, log_p_data) - torch.where(both_zero, 0.0, log_p_g)
    return torch.where(both_zero, fill, difference)  # (...)


# --- the value function and Theorem 1 ---------------------------------------------------------


def value_function(d: Tensor, p_data: Tensor, p_g: Tensor, *, dx: float | None) -> Tensor:
    r"""The value function :math:`V(D, G)` of the minimax game, by quadrature.

    .. math:: V(D, G) = \int p_{data}(x) \log D(x) + p_g(x) \log(1 - D(x))\,dx
        \approx \sum_i \big[p_{data}(x_i) \log D(x_i) + p_g(x_i) \log(1 - D(x_i))\big]\,dx

    ``d`` holds the discriminator's probabilities :math:`D(x_i) \in [0, 1]` (not logits) at the
    grid points where ``p_data`` and ``p_g`` hold density values; with ``dx=None`` they are
    probability vectors and the integral is a sum. ``dx`` has no default: say which.

    Conventions: a term whose density is 0 contributes 0, even where its log is
    :math:`-\infty` (:math:`0 \log 0 = 0`); a positive :math:`p_{data}` where :math:`D = 0`,
    or a positive :math:`p_g` where :math:`D = 1`, makes V :math:`-\infty`, as the integral
    says. V is at most 0 and, for fixed G, at most :func:`virtual_training_criterion`.
    For D* itself use that function: near :math:`D^* = 1` (where :math:`p_g \ll p_{data}`)
    ``1 - d`` rounds to 0 and this function correctly reports :math:`-\infty` for the rounded D.

    >>> grid = Grid(-10.0, 10.0, 2001)
    >>> p = grid.density(torch.distributions.Normal(0.0, 1.0))
    >>> round(float(value_function(torch.full_like(p, 0.5), p, p, dx=grid.dx)), 6)  # -log 4
    -1.386294
    """
    function = "value_function"
    check_alike(function, {"d": d, "p_data": p_data, "p_g": p_g})
    dx = check_dx(function, dx)
    check_distributions(function, {"p_data": p_data, "p_g": p_g}, dim=-1, dx=dx)
    _check_range(function, "d", d, _PROBABILITY, "D is a probability: pass torch.sigmoid(logits).")
    terms = _xlogy(p_data, d) + _xlogy(p_g, 1 - d)  # (..., points)
    total = terms.sum(-1)  # (...)
    return total if dx is None else total * dx


def virtual_training_criterion(p_data: Tensor, p_g: Tensor, *, dx: float | None) -> Tensor:
    r"""Theorem 1: the virtual training criterion :math:`C(G) = \max_D V(D, G) = V(D^*_G, G)`.

    .. math:: C(G) = \int p_{data} \log \frac{p_{data}}{p_{data} + p_g}
        + p_g \log \frac{p_g}{p_{data} + p_g}\,dx
        = -\log 4 + 2\,\mathrm{JS}(p_{data} \,\|\, p_g)

    Computed as the first expression, the value function at Proposition 1's D*, with
    :math:`1 - D^* = p_g / (p_{data} + p_g)` formed directly rather than by subtraction, so
    that it does not round to 0 where :math:`p_g \ll p_{data}`. The second expression is the
    theorem, which the book checks against :func:`ganlib.js_divergence`.
    :math:`C(G) \ge -\log 4`, with equality if and only if :math:`p_g = p_{data}`; C is 0 for
    disjoint supports. Conventions and arguments as in :func:`value_function`; gradients in
    :math:`p_g` are :math:`\log(1 - D^*)`, the function-space gradient of Proposition 2.

    >>> grid = Grid(-1.0, 4.0, 501)
    >>> uniform = lambda a, b: grid.density(torch.distributions.Uniform(a, b))
    >>> float(virtual_training_criterion(uniform(0.0, 1.0), uniform(2.0, 3.0), dx=grid.dx))
    0.0
    """
    function = "virtual_training_criterion"
    dx = check_dx(function, dx)
    check_distributions(function, {"p_data": p_data, "p_g": p_g}, dim=-1, dx=dx)
    total = p_data + p_g  # (..., points)
    safe_total = torch.where(total > 0, total, torch.ones_like(total))
    d_star = p_data / safe_total  # D*, 0 where both vanish (weight 0 there)
    one_minus_d_star = p_g / safe_total  # 1 - D*, without the cancellation of 1 - d_star
    terms = _xlogy(p_data, d_star) + _xlogy(p_g, one_minus_d_star)  # (..., points)
    criterion = terms.sum(-1)  # (...)
    return criterion if dx is None else criterion * dx


def value_function_estimate(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    r"""The Monte-Carlo estimate of :math:`V(D, G)` from the discriminator's logits on samples.

    .. math:: \hat V = \frac1m \sum_i \log D(x_i) + \frac1n \sum_j \log(1 - D(G(z_j)))
        = -\frac1m \sum_i \operatorname{softplus}(-l_i)
          - \frac1n \sum_j \operatorname{softplus}(l'_j)

    with :math:`D = \sigma(l)`, ``real_logits`` :math:`l_i` on data samples and ``fake_logits``
    :math:`l'_j` on generated ones (any real numbers, any shapes, one dtype and device). The
    softplus form uses :math:`\log \sigma(l) = -\operatorname{softplus}(-l)` and
    :math:`\log(1 - \sigma(l)) = -\operatorname{softplus}(l)`, which stay finite where
    :math:`\sigma` rounds to 0 or 1 (float32 logits beyond about ±90). It is
    ``-minimax_discriminator_loss(real_logits, fake_logits)``, the one implementation of the
    discriminator's loss. Values are not inspected, so no host synchronisation happens; NaN
    logits give NaN.

    >>> float(value_function_estimate(torch.zeros(3), torch.zeros(5)))  # D = 1/2: -log 4
    -1.3862943...
    """
    check_logits(
        "value_function_estimate", {"real_logits": real_logits, "fake_logits": fake_logits}
    )
    return -minimax_discriminator_loss(real_logits, fake_logits)  # ()
