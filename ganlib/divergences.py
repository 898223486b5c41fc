r"""Entropy, cross-entropy and the divergences between distributions that GANs minimise.

Every function takes torch tensors and returns a tensor on their dtype and device,
differentiable, reduced along ``dim`` (the other dimensions are batch dimensions).

Two kinds of input, chosen with ``dx``:

* ``dx=None``: ``p`` and ``q`` are probability vectors along ``dim`` (non-negative, summing to 1
  within :data:`ganlib._checks.SUM_TOLERANCE` of their dtype).
* ``dx`` a positive float: ``p`` and ``q`` are density values on a uniform grid of spacing ``dx``
  along ``dim``, and every sum becomes the rectangle rule :math:`\sum_i (\cdot)\,dx`, so
  :func:`entropy` is the differential entropy and the divergences are their integral forms.
  :math:`\sum_i p_i\,dx` must be 1 within :data:`ganlib._checks.GRID_TOLERANCE` (``1e-3``): the
  grid must cover the mass. For smooth densities that decay at the grid's ends the rule is
  accurate far beyond that tolerance (spectrally, like the trapezoid rule).

``base`` means what it means in scipy: ``None`` for nats, ``2`` for bits.

Conventions at 0 and infinity are those of information theory: :math:`0 \log 0 = 0`, a term
with :math:`p > 0 = q` makes KL and cross-entropy :math:`+\infty` (an answer, not an error), and
JS stays finite. Invalid input (a tensor that is not a distribution) raises instead; unlike
``scipy.stats.entropy``, nothing is normalised silently.

Gradients are exact wherever both arguments are positive. At an entry where ``p = 0`` (or
``q = 0`` in the symmetric JS and BC), the derivative of the :math:`p \log p`-like or
:math:`\sqrt{p q}` part, infinite or undefined there, is returned as 0, so that a gradient
flowing back through a softmax that underflowed to 0 stays finite instead of becoming
:math:`0 \cdot \infty = \mathrm{NaN}`. Where a result is :math:`+\infty`, so may its gradient be.

>>> import torch
>>> fair = torch.tensor([0.5, 0.5], dtype=torch.float64)
>>> biased = torch.tensor([0.95, 0.05], dtype=torch.float64)
>>> round(float(kl_divergence(fair, biased, base=2)), 4)
1.198
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import torch
from torch import Tensor

from ganlib._checks import check_base, check_distributions, check_dx, check_real, check_text

__all__ = [
    "F_GENERATORS",
    "FGenerator",
    "bhattacharyya_coefficient",
    "bhattacharyya_distance",
    "cross_entropy",
    "entropy",
    "f_divergence",
    "js_distance",
    "js_divergence",
    "kl_divergence",
]

LOG_2 = math.log(2.0)


# --- small pieces shared by the functions below -----------------------------------------------


def _validated(
    function: str, tensors: dict[str, object], dim: int, base: object, dx: object
) -> tuple[float | None, float | None]:
    """Check every argument; return (log of base or None, dx as float or None)."""
    log_base = check_base(function, base)
    dx = check_dx(function, dx)
    check_distributions(function, tensors, dim=dim, dx=dx)
    return log_base, dx


def _total(terms: Tensor, dim: int, dx: float | None) -> Tensor:
    """Sum over outcomes, or the rectangle rule for densities on a grid."""
    total = terms.sum(dim)
    return total if dx is None else total * dx


def _in_base(value: Tensor, log_base: float | None) -> Tensor:
    return value if log_base is None else value / log_base


def _xlogy(x: Tensor, y: Tensor) -> Tensor:
    """x log y with 0 log y = 0 for every y >= 0, and no NaN in the gradient at x = y = 0."""
    # torch.xlogy has the right value, but its derivative in y is x / y = 0 / 0 at x = y = 0.
    # Replacing y by 1 there changes no value and makes both derivatives 0.
    return torch.xlogy(x, torch.where((x == 0) & (y == 0), torch.ones_like(y), y))


def _clamp_value(x: Tensor, low: float, high: float) -> Tensor:
    """Clamp the value of x to its mathematical range [low, high], keeping x's gradient."""
    # A value outside the range is rounding error (a few ulps), which is no reason to zero the
    # gradient the way torch.clamp does. Near the bounds x + (c - x) == c exactly (Sterbenz).
    return x + (x.clamp(low, high) - x).detach()


# --- entropy, cross-entropy, KL ---------------------------------------------------------------


def entropy(
    p: Tensor, *, dim: int = -1, base: float | None = None, dx: float | None = None
) -> Tensor:
    r"""Shannon entropy :math:`H(p) = -\sum_x p(x) \log p(x)`.

    With ``dx`` it is the differential entropy :math:`-\int p(x) \log p(x)\,dx` by the
    rectangle rule, which can be negative. Convention :math:`0 \log 0 = 0`.

    Unlike ``scipy.stats.entropy(p)``, which divides ``p`` by its sum without a word, a ``p``
    that does not sum to 1 is an error.

    >>> fair = torch.tensor([0.5, 0.5], dtype=torch.float64)
    >>> float(entropy(fair, base=2))
    1.0
    >>> round(float(entropy(torch.tensor([0.95, 0.05], dtype=torch.float64), base=2)), 4)
    0.2864
    """
    log_base, dx = _validated("entropy", {"p": p}, dim, base, dx)
    return _in_base(_total(-_xlogy(p, p), dim, dx), log_base)


def cross_entropy(
    p: Tensor, q: Tensor, *, dim: int = -1, base: float | None = None, dx: float | None = None
) -> Tensor:
    r"""Cross-entropy :math:`H(p, q)`.

    .. math:: H(p, q) = -\sum_x p(x) \log q(x) = H(p) + \mathrm{KL}(p \,\|\, q)

    Terms with :math:`p(x) = 0` contribute 0; a term with :math:`p(x) > 0 = q(x)` makes it
    :math:`+\infty`. Unlike ``torch.nn.functional.cross_entropy``, which takes logits and class
    indices, both arguments are probability vectors (or densities with ``dx``).

    >>> fair = torch.tensor([0.5, 0.5], dtype=torch.float64)
    >>> biased = torch.tensor([0.95, 0.05], dtype=torch.float64)
    >>> round(float(cross_entropy(fair, biased, base=2)), 3)
    2.198
    """
    log_base, dx = _validated("cross_entropy", {"p": p, "q": q}, dim, base, dx)
    return _in_base(_total(-_xlogy(p, q), dim, dx), log_base)


def kl_divergence(
    p: Tensor, q: Tensor, *, dim: int = -1, base: float | None = None, dx: float | None = None
) -> Tensor:
    r"""Kullback-Leibler divergence :math:`\mathrm{KL}(p \,\|\, q)`.

    .. math:: \mathrm{KL}(p \,\|\, q) = \sum_x p(x) \log \frac{p(x)}{q(x)}

    Conventions: terms with :math:`p(x) = 0` contribute 0; a term with :math:`p(x) > 0 = q(x)`
    makes the divergence :math:`+\infty` (q cannot explain an outcome that p produces). KL is
    not symmetric.

    ``scipy.stats.entropy(p, q)`` computes the same quantity in the same order but normalises
    its arguments silently. ``torch.nn.functional.kl_div(input, target)`` takes the
    *log*-probabilities of the second distribution first: ``kl_div(q.log(), p,
    reduction="sum")`` is :math:`\mathrm{KL}(p \,\|\, q)`.

    >>> fair = torch.tensor([0.5, 0.5], dtype=torch.float64)
    >>> biased = torch.tensor([0.95, 0.05], dtype=torch.float64)
    >>> round(float(kl_divergence(fair, biased, base=2)), 3)
    1.198
    >>> kl_divergence(fair, torch.tensor([1.0, 0.0], dtype=torch.float64))
    tensor(inf, dtype=torch.float64)
    """
    log_base, dx = _validated("kl_divergence", {"p": p, "q": q}, dim, base, dx)
    # p log p - p log q rather than p log(p / q): the ratio overflows for tiny q in float32.
    return _in_base(_total(_xlogy(p, p) - _xlogy(p, q), dim, dx), log_base)


# --- Jensen-Shannon ---------------------------------------------------------------------------


def _js_nats(p: Tensor, q: Tensor, dim: int, dx: float | None) -> Tensor:
    r"""JS in nats as :math:`\frac12 \sum p \log\frac{p}{m} + q \log\frac{q}{m}`, accurately."""
    # Where p + q is below the smallest normal number, both terms are below it too (each is at
    # most x log 2): they are zero at this precision, and differentiating through a subnormal
    # 1 / (p + q) would overflow to inf and then to NaN gradients. Such entries count as p = q = 0.
    total = p + q
    significant = total >= torch.finfo(total.dtype).tiny
    total = torch.where(significant, total, torch.ones_like(total))
    r = (p - q) / total  # in [-1, 1]; p / m = 1 + r and q / m = 1 - r for m = (p + q) / 2

    def x_log_x_over_m(x: Tensor, rx: Tensor) -> Tensor:  # rx = r for x = p, -r for x = q
        # log1p(rx) is accurate where x is near m, where JS is near 0 and js_distance needs
        # relative accuracy; where x << m, rx rounds to -1 (log1p(-1) = -inf for x = 1e-300,
        # m = 0.5) and log(2x / (p + q)) is the accurate form. x = 0 contributes 0. The safe
        # stand-ins keep the branches that torch.where discards free of inf, hence of NaN
        # gradients.
        positive = (x > 0) & significant
        x, rx = torch.where(positive, x, 1.0), torch.where(positive, rx, 0.0)
        near = rx > -0.5
        # log(2x / (p + q)) as a sum of logs: the quotient underflows to 0 for subnormal x.
        # Where the near form is used, 1 stands in for x so that this branch's log stays finite.
        far = LOG_2 + torch.log(torch.where(near, 1.0, x)) - torch.log(total)
        log_ratio = torch.where(near, torch.log1p(rx.clamp_min(-0.5)), far)
        return torch.where(positive, x * log_ratio, 0.0)

    js = 0.5 * _total(x_log_x_over_m(p, r) + x_log_x_over_m(q, -r), dim, dx)
    return _clamp_value(js, 0.0, LOG_2)


def js_divergence(
    p: Tensor, q: Tensor, *, dim: int = -1, base: float | None = None, dx: float | None = None
) -> Tensor:
    r"""Jensen-Shannon divergence :math:`\mathrm{JS}(p \,\|\, q)`.

    .. math:: \mathrm{JS}(p \,\|\, q) = \tfrac12 \mathrm{KL}(p \,\|\, m)
        + \tfrac12 \mathrm{KL}(q \,\|\, m), \qquad m = \tfrac12 (p + q)

    The divergence of the GAN paper's Theorem 1, :math:`C(G) = -\log 4 + 2\,\mathrm{JS}`.
    Symmetric, and finite even for disjoint supports: :math:`0 \le \mathrm{JS} \le \log 2`
    (1 in bits), with :math:`\log 2` exactly when the supports are disjoint. Computed values
    are clamped to that range, because rounding can push them a few ulps outside.

    scipy has no JS divergence, only its square root:
    ``scipy.spatial.distance.jensenshannon(p, q, base) ** 2`` (see :func:`js_distance`).

    >>> heads = torch.tensor([1.0, 0.0], dtype=torch.float64)
    >>> tails = torch.tensor([0.0, 1.0], dtype=torch.float64)
    >>> float(js_divergence(heads, tails, base=2))
    1.0
    """
    log_base, dx = _validated("js_divergence", {"p": p, "q": q}, dim, base, dx)
    return _in_base(_js_nats(p, q, dim, dx), log_base)


def js_distance(
    p: Tensor, q: Tensor, *, dim: int = -1, base: float | None = None, dx: float | None = None
) -> Tensor:
    r"""Jensen-Shannon distance :math:`\sqrt{\mathrm{JS}(p \,\|\, q)}`, a metric on distributions.

    The square root of :func:`js_divergence` in the given base, which is what
    ``scipy.spatial.distance.jensenshannon`` returns. It satisfies the triangle inequality.
    At :math:`p = q` the square root has no derivative; the gradient there is 0, as for
    ``torch.linalg.vector_norm`` at 0.

    >>> fair = torch.tensor([0.5, 0.5], dtype=torch.float64)
    >>> biased = torch.tensor([0.95, 0.05], dtype=torch.float64)
    >>> round(float(js_distance(fair, biased, base=2)), 4)
    0.4532
    """
    log_base, dx = _validated("js_distance", {"p": p, "q": q}, dim, base, dx)
    js = _in_base(_js_nats(p, q, dim, dx), log_base)
    positive = js > 0
    # js * 0 rather than 0: a NaN (which valid input never produces) must not become 0.
    return torch.where(positive, torch.where(positive, js, 1.0).sqrt(), js * 0.0)


# --- Bhattacharyya ----------------------------------------------------------------------------


def _bc(p: Tensor, q: Tensor, dim: int, dx: float | None) -> Tensor:
    both = (p > 0) & (q > 0)
    # sqrt(p) sqrt(q) rather than sqrt(p q): the product underflows first.
    root = torch.where(both, p, 1.0).sqrt() * torch.where(both, q, 1.0).sqrt()
    return _clamp_value(_total(torch.where(both, root, 0.0), dim, dx), 0.0, 1.0)


def bhattacharyya_coefficient(
    p: Tensor, q: Tensor, *, dim: int = -1, dx: float | None = None
) -> Tensor:
    r"""Bhattacharyya coefficient :math:`\mathrm{BC}(p, q) = \sum_x \sqrt{p(x)\, q(x)}`.

    The overlap of two distributions: 1 when they are equal, 0 when their supports are
    disjoint. Computed values are clamped to [0, 1], the range the Cauchy-Schwarz inequality
    guarantees, because rounding can push them a few ulps outside.

    >>> fair = torch.tensor([0.5, 0.5], dtype=torch.float64)
    >>> biased = torch.tensor([0.95, 0.05], dtype=torch.float64)
    >>> round(float(bhattacharyya_coefficient(fair, biased)), 4)
    0.8473
    """
    _, dx = _validated("bhattacharyya_coefficient", {"p": p, "q": q}, dim, None, dx)
    return _bc(p, q, dim, dx)


def bhattacharyya_distance(
    p: Tensor, q: Tensor, *, dim: int = -1, base: float | None = None, dx: float | None = None
) -> Tensor:
    r"""Bhattacharyya distance :math:`D_B(p, q) = -\log \mathrm{BC}(p, q)`.

    0 for equal distributions, :math:`+\infty` for disjoint supports (where its gradient is
    returned as 0). Symmetric, but not a metric: it breaks the triangle inequality.

    >>> heads = torch.tensor([1.0, 0.0], dtype=torch.float64)
    >>> bhattacharyya_distance(heads, torch.tensor([0.0, 1.0], dtype=torch.float64))
    tensor(inf, dtype=torch.float64)
    """
    log_base, dx = _validated("bhattacharyya_distance", {"p": p, "q": q}, dim, base, dx)
    bc = _bc(p, q, dim, dx)
    overlap = bc > 0
    distance = torch.where(overlap, -torch.where(overlap, bc, 1.0).log(), math.inf)
    return _in_base(distance, log_base)


# --- f-divergences ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FGenerator:
    r"""A convex generator :math:`f` with :math:`f(1) = 0`, defining :math:`D_f(p \,\|\, q)`.

    ``f`` maps a tensor of ratios :math:`t = p / q > 0` to :math:`f(t)` elementwise;
    ``f_at_zero`` is :math:`f(0) = \lim_{t \to 0^+} f(t)` and ``slope_at_infinity`` is
    :math:`\lim_{t \to \infty} f(t) / t`; either may be ``math.inf``.

    ``f`` is called once when the generator is built, at a float64 tensor ``t = [1.0]``: it
    must return a tensor of that shape with :math:`|f(1)| \le 10^{-9}`, so
    that :math:`D_f(p \,\|\, p) = 0`. An ``f`` with :math:`f(1) = c \ne 0` defines the same
    divergence plus ``c``; pass :math:`f(t) - c` instead. The limits are not checked against
    ``f``: they are the caller's statement.

    >>> FGenerator("shifted", lambda t: (t - 1) ** 2 + 1, 1.0, math.inf)
    Traceback (most recent call last):
    ...
    ValueError: FGenerator: f must have f(1) = 0 (within 1e-09); got f(1) = 1. ...
    """

    name: str
    f: Callable[[Tensor], Tensor]
    f_at_zero: float
    slope_at_infinity: float

    def __post_init__(self) -> None:
        check_text("FGenerator", "name", self.name, fix="Name the divergence, e.g. 'kl'.")
        if not callable(self.f):
            raise TypeError(
                f"FGenerator: f must be callable; got {type(self.f).__name__}. "
                "Pass a function of a tensor t, e.g. lambda t: (t - 1) ** 2."
            )
        _check_f_at_one(self.f)
        fix = "Give the limit as a float, math.inf where f grows without bound."
        for field in ("f_at_zero", "slope_at_infinity"):
            value = getattr(self, field)
            # A convex f has these limits in (-inf, inf]; NaN is refused.
            bounds = {"low": -math.inf, "high": math.inf, "brackets": "(]", "finite": False}
            check_real("FGenerator", field, value, **bounds, fix=fix)


_F_AT_ONE_TOLERANCE = 1e-9
"""How far from 0 an :class:`FGenerator`'s f(1) may be, evaluated in float64: far above the
rounding of a formula that is 0 at t = 1 in exact arithmetic, far below a forgotten constant."""


@torch.no_grad()
def _check_f_at_one(f: Callable[[Tensor], Tensor]) -> None:
    """f maps a tensor of ratios to a tensor of their shape, and f(1) = 0."""
    fix = "Pass a function of a tensor t, e.g. lambda t: (t - 1) ** 2."
    one = torch.ones(1, dtype=torch.float64)
    value = f(one)
    if not isinstance(value, Tensor) or value.shape != one.shape:
        got = f"shape {tuple(value.shape)}" if isinstance(value, Tensor) else type(value).__name__
        raise TypeError(
            "FGenerator: f must map a tensor of ratios t to a tensor of its shape, elementwise; "
            f"got {got} for t = torch.ones(1, dtype=torch.float64). {fix}"
        )
    at_one = float(value.reshape(()))
    if not abs(at_one) <= _F_AT_ONE_TOLERANCE:  # NaN fails too
        raise ValueError(
            f"FGenerator: f must have f(1) = 0 (within {_F_AT_ONE_TOLERANCE:g}); got f(1) = "
            f"{at_one:.6g}. Subtract the constant, i.e. use f(t) - f(1), so that "
            "D_f(p || p) = 0."
        )


def _kl_f(t: Tensor) -> Tensor:
    return torch.xlogy(t, t)


def _reverse_kl_f(t: Tensor) -> Tensor:
    return -torch.log(t)


def _js_f(t: Tensor) -> Tensor:
    return 0.5 * (torch.xlogy(t, t) - torch.xlogy(t + 1, (t + 1) / 2))


def _total_variation_f(t: Tensor) -> Tensor:
    return 0.5 * (t - 1).abs()


def _squared_hellinger_f(t: Tensor) -> Tensor:
    return 0.5 * (t.sqrt() - 1) ** 2


def _pearson_chi2_f(t: Tensor) -> Tensor:
    return (t - 1) ** 2


F_GENERATORS: Mapping[str, FGenerator] = MappingProxyType(
    {
        generator.name: generator
        for generator in (
            FGenerator("kl", _kl_f, 0.0, math.inf),  # t log t
            FGenerator("reverse_kl", _reverse_kl_f, math.inf, 0.0),  # -log t
            FGenerator("js", _js_f, LOG_2 / 2, LOG_2 / 2),  # (t log t - (t+1) log((t+1)/2)) / 2
            FGenerator("total_variation", _total_variation_f, 0.5, 0.5),  # |t - 1| / 2
            FGenerator("squared_hellinger", _squared_hellinger_f, 0.5, 0.5),  # (√t - 1)² / 2
            FGenerator("pearson_chi2", _pearson_chi2_f, 1.0, math.inf),  # (t - 1)²
        )
    }
)
r"""The common generators by name (read-only). With :math:`t = p / q`:
``"kl"`` :math:`t \log t` (:func:`kl_divergence`), ``"reverse_kl"`` :math:`-\log t`
(:math:`\mathrm{KL}(q \,\|\, p)`), ``"js"`` :math:`\frac12 (t \log t - (t+1) \log \frac{t+1}{2})`
(:func:`js_divergence` in nats), ``"total_variation"`` :math:`\frac12 |t - 1|`
(:math:`\frac12 \sum |p - q|`), ``"squared_hellinger"`` :math:`\frac12 (\sqrt t - 1)^2`
(:math:`1 - \mathrm{BC}`; some authors omit the :math:`\frac12`), ``"pearson_chi2"``
:math:`(t - 1)^2` (:math:`\sum (p - q)^2 / q`)."""


def _resolve_generator(f: object) -> FGenerator:
    if isinstance(f, FGenerator):
        return f
    if isinstance(f, str):
        if f not in F_GENERATORS:
            raise ValueError(
                f"f_divergence: f must be one of {sorted(F_GENERATORS)} or an FGenerator; "
                f"got {f!r}. Check the spelling, or build an FGenerator for your own f."
            )
        return F_GENERATORS[f]
    raise TypeError(
        f"f_divergence: f must be a str or an FGenerator; got {type(f).__name__}. "
        f"Pass a name from {sorted(F_GENERATORS)} or an FGenerator."
    )


def f_divergence(
    p: Tensor, q: Tensor, f: str | FGenerator, *, dim: int = -1, dx: float | None = None
) -> Tensor:
    r"""f-divergence :math:`D_f(p \,\|\, q)`, in nats.

    .. math:: D_f(p \,\|\, q) = \sum_x q(x)\, f\!\left(\frac{p(x)}{q(x)}\right)

    ``f`` is a name from :data:`F_GENERATORS` or an :class:`FGenerator`. Conventions for the
    terms where the ratio is undefined:

    * :math:`q(x) = 0 < p(x)`: :math:`p(x) \lim_{t\to\infty} f(t)/t`, i.e.
      ``p * slope_at_infinity`` (:math:`+\infty` if the slope is);
    * :math:`p(x) = 0 < q(x)`: :math:`q(x) f(0)`, i.e. ``q * f_at_zero`` (:math:`+\infty` for
      ``"reverse_kl"``);
    * :math:`p(x) = q(x) = 0`: 0.

    ``f`` is evaluated at :math:`t = p/q`, which overflows when q is tiny next to p (below
    about 1e-38 in float32); the dedicated functions (:func:`kl_divergence`,
    :func:`js_divergence`, ...) work in log space and do not.

    >>> fair = torch.tensor([0.5, 0.5], dtype=torch.float64)
    >>> biased = torch.tensor([0.95, 0.05], dtype=torch.float64)
    >>> round(float(f_divergence(fair, biased, "total_variation")), 4)
    0.45
    """
    generator = _resolve_generator(f)
    _, dx = _validated("f_divergence", {"p": p, "q": q}, dim, None, dx)
    both = (p > 0) & (q > 0)
    t = torch.where(both, p, 1.0) / torch.where(both, q, 1.0)  # 1 where the ratio is undefined
    terms = torch.where(both, q * generator.f(t), 0.0)

    def limit(x: Tensor, coefficient: float) -> Tensor:  # x * coefficient, with 0 * inf unused
        return x * coefficient if math.isfinite(coefficient) else torch.full_like(x, math.inf)

    terms = torch.where((p > 0) & (q == 0), limit(p, generator.slope_at_infinity), terms)
    terms = torch.where((p == 0) & (q > 0), limit(q, generator.f_at_zero), terms)
    return _total(terms, dim, dx)
