r"""Sample-based evaluation of generators: mode coverage, divergence estimates, Parzen windows.

A GAN gives samples, not a density, so every metric here takes sets of points, a 2-D tensor
``(points, dimensions)`` each (flatten images with ``x.flatten(1)``):

* :func:`mode_coverage` counts the modes of a mixture with known centres that the samples
  reach (modes captured, high-quality fraction, reverse KL of the mode histogram), as the
  mode-collapse literature does on the ring of 8 and grid of 25 Gaussians;
* :func:`kl_divergence_estimate` and :func:`js_divergence_estimate` estimate KL and JS between
  the distributions behind two sample sets from k-nearest-neighbour distances;
* :func:`parzen_log_likelihood` is the GAN paper's evaluation (Table 1): the log-likelihood of
  test points under a Gaussian kernel density of the samples, with the bandwidth chosen by
  :func:`select_parzen_bandwidth` on a validation split.

Everything runs on the inputs' dtype and device, in blocks of at most ``chunk_elements``
pairwise entries (rows times columns; default :data:`CHUNK_ELEMENTS` :math:`= 2^{22}`), so that
memory stays bounded for :math:`10^6` samples: the largest intermediate is a few such blocks,
about 128 MiB in float64 (see :func:`parzen_log_likelihood`). Validation reads each input once
(a host synchronisation, as the finiteness check needs); the mathematics runs without one, and
results that are Python floats synchronise at the end. No value is clamped or repaired.

>>> from ganlib import ring_of_gaussians
>>> ring = ring_of_gaussians()
>>> fake = ring.centres[:3]  # a generator that found 3 of the 8 modes, exactly
>>> coverage = mode_coverage(fake, ring.centres, ring.scale)
>>> coverage.modes_captured, round(coverage.reverse_kl, 6)  # log(8 / 3)
(3, 0.980829)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real

import torch
from torch import Tensor

from ganlib._checks import _check_tensor, check_alike, check_base

__all__ = [
    "CHUNK_ELEMENTS",
    "ModeCoverage",
    "ParzenLogLikelihood",
    "js_divergence_estimate",
    "kl_divergence_estimate",
    "mode_coverage",
    "parzen_log_likelihood",
    "select_parzen_bandwidth",
]

CHUNK_ELEMENTS = 2**22
"""The most pairwise entries (rows x columns) in one block: 32 MiB per block in float64."""


# --- validation -------------------------------------------------------------------------------


def _check_points(function: str, name: str, x: Tensor, rows: int = 1) -> None:
    """A finite 2-D tensor with at least ``rows`` points of at least one dimension."""
    if x.ndim != 2:
        raise ValueError(
            f"{function}: {name} must be 2-D (points, dimensions); got shape {tuple(x.shape)}. "
            f"Flatten each point with {name}.flatten(1), or use {name}[:, None] for 1-D points."
        )
    if x.shape[0] < rows or x.shape[1] == 0:
        raise ValueError(
            f"{function}: {name} must have at least {rows} point(s) of at least one dimension; "
            f"got shape {tuple(x.shape)}. Pass a non-empty set of points."
        )
    with torch.no_grad():
        finite = torch.isfinite(x)
        if not bool(finite.all()):
            n_nan = int(torch.isnan(x).sum())
            raise ValueError(
                f"{function}: {name} must have finite entries; got {n_nan} NaN and "
                f"{int((~finite).sum()) - n_nan} inf. Drop those points or find the step that "
                "produced them (a diverging generator, a division by 0)."
            )


def _check_sets(function: str, sets: dict[str, object], rows: dict[str, int]) -> None:
    """Point sets on one dtype and device, in the same number of dimensions."""
    check_alike(function, sets, same_shape=False)
    for name, x in sets.items():
        _check_points(function, name, x, rows.get(name, 1))
    (first, x), (second, y) = sets.items()
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"{function}: {first} and {second} must have the same number of dimensions "
            f"(columns); got {x.shape[1]} and {y.shape[1]}. Pass points of the same space."
        )


def _check_positive(function: str, name: str, value: object, fix: str) -> float:
    # bool is a Real to Python, and tensors are refused so that no option hides a host copy.
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"{function}: {name} must be a real number; got {type(value).__name__} {value!r}. {fix}"
        )
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{function}: {name} must be positive and finite; got {value!r}. {fix}")
    return float(value)


def _check_int(function: str, name: str, value: object, limit: float, why: str, fix: str) -> int:
    """An int in [1, limit]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"{function}: {name} must be an int; got {type(value).__name__} {value!r}. {fix}"
        )
    if not 1 <= value <= limit:
        bounds = "at least 1" if limit == math.inf else f"in [1, {limit}]"
        raise ValueError(f"{function}: {name} must be {bounds} ({why}); got {value}. {fix}")
    return value


def _check_k(function: str, k: object, limit: int, why: str) -> int:
    return _check_int(function, "k", k, limit, why, "Use a smaller k or more samples.")


def _check_chunk(function: str, chunk_elements: object) -> int:
    why, fix = "pairwise entries per block", "Keep the default CHUNK_ELEMENTS = 2**22 or lower it."
    return _check_int(function, "chunk_elements", chunk_elements, math.inf, why, fix)


def _in_base(value: Tensor, log_base: float | None) -> Tensor:
    return value if log_base is None else value / log_base


# --- mode coverage ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ModeCoverage:
    """What :func:`mode_coverage` measures; ``counts`` is an int64 tensor on the samples'
    device, the other fields are Python numbers."""

    modes_captured: int  # modes that are the nearest mode of at least one high-quality sample
    n_modes: int  # K
    high_quality_fraction: float  # samples within threshold * scale of their nearest mode
    reverse_kl: float  # KL(histogram of high-quality samples || uniform), nats; NaN if none
    counts: Tensor  # (K,) high-quality samples per nearest mode


def mode_coverage(
    samples: Tensor,
    centres: Tensor,
    scale: float,
    *,
    threshold: float = 3.0,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> ModeCoverage:
    r"""Mode coverage of samples from a mixture with known centres (the ring and grid benchmarks).

    With :math:`K` centres :math:`c_k`, scale :math:`s` and threshold :math:`t` (3 by default),
    sample :math:`x_i` has nearest mode :math:`k_i = \arg\min_k \lVert x_i - c_k \rVert` and

    .. math::

        \text{high quality}_i = \bigl[\lVert x_i - c_{k_i} \rVert \le t s\bigr], \qquad
        n_k = \#\{i : \text{high quality}_i,\ k_i = k\}, \qquad
        \text{captured} = \#\{k : n_k > 0\},

    .. math::

        \mathrm{KL}(q \,\|\, u) = \sum_{k=1}^{K} q_k \log \frac{q_k}{1/K}, \qquad
        q_k = \frac{n_k}{\sum_j n_j},

    with :math:`0 \log 0 = 0`, so :math:`0 \le \mathrm{KL} \le \log K`: 0 when the high-quality
    samples spread evenly, :math:`\log K` when they all sit in one mode. When no sample is high
    quality, :math:`q = 0/0` is undefined and ``reverse_kl`` is NaN, not :math:`+\infty`: inf
    would claim a value beyond :math:`\log K`, while NaN makes every comparison (a claim such as
    ``reverse_kl < 0.1``) false. Ties go to the lower-numbered mode.

    A perfect sampler is *not* high quality with probability 0.997 (the one-dimensional 3-sigma
    rule): in :math:`d = 2` the distance to the centre of an isotropic Gaussian is Rayleigh, so
    the fraction is :math:`1 - e^{-t^2/2} \approx 0.989` for :math:`t = 3`.

    Args:
        samples: ``(n, d)`` points.
        centres: ``(K, d)``, e.g. ``p_data.centres`` of an
            :class:`~ganlib.IsotropicGaussianMixture`; moved to the samples' dtype and device.
        scale: :math:`s > 0`, e.g. ``p_data.scale``.
        threshold: :math:`t > 0`, in standard deviations.
        chunk_elements: samples are processed ``chunk_elements // K`` at a time.

    >>> centres = torch.tensor([[0.0, 0.0], [10.0, 0.0]], dtype=torch.float64)
    >>> samples = torch.tensor([[0.1, 0.0], [0.0, 0.2], [9.0, 0.0]], dtype=torch.float64)
    >>> coverage = mode_coverage(samples, centres, 0.1)  # 3 standard deviations: 0.3
    >>> coverage.modes_captured, coverage.high_quality_fraction, coverage.counts.tolist()
    (1, 0.6666666666666666, [2, 0])
    >>> round(coverage.reverse_kl, 6)  # log 2: both high-quality samples are in one mode
    0.693147
    """
    function = "mode_coverage"
    samples = _check_tensor(function, "samples", samples)
    centres = _check_tensor(function, "centres", centres)
    _check_points(function, "samples", samples)
    _check_points(function, "centres", centres)
    if centres.shape[1] != samples.shape[1]:
        raise ValueError(
            f"{function}: centres must have as many columns as samples ({samples.shape[1]}); "
            f"got {centres.shape[1]}. Pass the centres of the target the samples imitate."
        )
    scale = _check_positive(function, "scale", scale, "Pass the modes' standard deviation.")
    fix = "Pass the high-quality radius in standard deviations, e.g. 3.0."
    radius = _check_positive(function, "threshold", threshold, fix) * scale
    chunk = max(1, _check_chunk(function, chunk_elements) // len(centres))
    centres = centres.to(samples)
    counts = torch.zeros(len(centres), dtype=torch.int64, device=samples.device)  # (K,)
    with torch.no_grad():
        for start in range(0, len(samples), chunk):
            x = samples[start : start + chunk]  # (c, d)
            distance = torch.cdist(x, centres, compute_mode="donot_use_mm_for_euclid_dist")
            nearest_distance, nearest = distance.min(1)  # (c,), (c,); ties: lowest index
            counts.index_add_(0, nearest, (nearest_distance <= radius).long())  # no host sync
    q = counts.to(torch.float64) / counts.sum()  # (K,); 0/0 = NaN when none is high quality
    reverse_kl = torch.xlogy(q, q * len(centres)).sum()
    return ModeCoverage(
        modes_captured=int((counts > 0).sum()),
        n_modes=len(centres),
        high_quality_fraction=int(counts.sum()) / len(samples),
        reverse_kl=float(reverse_kl),
        counts=counts,
    )


# --- k-nearest-neighbour divergence estimates -------------------------------------------------


def _nearest(x: Tensor, y: Tensor, k: int, chunk_elements: int, *, self_excluded: bool) -> Tensor:
    """The k smallest distances from each row of x to the rows of y, ascending: (n, k).

    With ``self_excluded``, x is y and each point's distance to itself is left out."""
    chunk = max(1, chunk_elements // len(y))
    out = []
    for start in range(0, len(x), chunk):
        block = x[start : start + chunk]  # (c, d)
        # Differences, not |x|^2 + |y|^2 - 2 x.y, whose cancellation ruins small distances.
        distance = torch.cdist(block, y, compute_mode="donot_use_mm_for_euclid_dist")  # (c, m)
        if self_excluded:
            rows = torch.arange(len(block), device=x.device)
            inf = torch.tensor(math.inf, dtype=x.dtype, device=x.device)
            distance = distance.index_put((rows, rows + start), inf)  # out of place: autograd
        out.append(distance.topk(k, dim=1, largest=False).values)  # (c, k), ascending
    return torch.cat(out)  # (n, k)


def kl_divergence_estimate(
    p_samples: Tensor,
    q_samples: Tensor,
    *,
    k: int = 1,
    base: float | None = None,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> Tensor:
    r"""k-nearest-neighbour estimate of :math:`\mathrm{KL}(P \,\|\, Q)` from samples of each.

    Wang, Kulkarni and Verdú (2009), from :math:`n` points :math:`x_i \sim P` and :math:`m`
    points :math:`y_j \sim Q` in :math:`\mathbb R^d`:

    .. math::

        \widehat{\mathrm{KL}}(P \,\|\, Q) = \frac{d}{n} \sum_{i=1}^{n}
            \log \frac{\nu_k(i)}{\rho_k(i)} + \log \frac{m}{n - 1},

    :math:`\rho_k(i)` the distance from :math:`x_i` to its k-th nearest neighbour among the
    other :math:`x`, :math:`\nu_k(i)` to its k-th nearest among the :math:`y`. It compares the
    k-NN density estimates :math:`\hat p(x_i) \propto k / ((n-1) \rho_k^d)` and
    :math:`\hat q(x_i) \propto k / (m \nu_k^d)`; the ball volumes and the :math:`k`-dependent
    bias of their logs cancel, so it is consistent for every fixed k as :math:`n, m \to \infty`.
    At finite sizes it is biased (the densities vary over a k-NN ball) and noisy, and can be
    negative: for the Gaussian pairs of the tests at :math:`n = m = 3000` in 1-D and 2-D, the
    bias is within 0.015 and the standard deviation 0.05 for k = 1, 0.025-0.03 for k = 5
    (larger k: less noise, more bias). Points must be distinct, as samples of a continuous
    distribution are: a repeated :math:`x` gives :math:`+\infty`, an :math:`x` equal to a
    :math:`y` gives :math:`-\infty`. Needs :math:`1 \le k \le \min(n - 1, m)`.

    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.randn(2000, 1, generator=g, dtype=torch.float64)  # N(0, 1)
    >>> y = torch.randn(2000, 1, generator=g, dtype=torch.float64) + 1  # N(1, 1)
    >>> abs(float(kl_divergence_estimate(x, y)) - 0.5) < 0.15  # the closed form is 0.5
    True
    """
    function = "kl_divergence_estimate"
    _check_sets(function, {"p_samples": p_samples, "q_samples": q_samples}, {"p_samples": 2})
    (n, d), m = p_samples.shape, len(q_samples)
    why = f"n - 1 = {n - 1} other p_samples and m = {m} q_samples"
    k = _check_k(function, k, min(n - 1, m), why)
    chunk_elements = _check_chunk(function, chunk_elements)
    log_base = check_base(function, base)
    rho = _nearest(p_samples, p_samples, k, chunk_elements, self_excluded=True)[:, -1]  # (n,)
    nu = _nearest(p_samples, q_samples, k, chunk_elements, self_excluded=False)[:, -1]  # (n,)
    estimate = d * (torch.log(nu) - torch.log(rho)).mean() + math.log(m / (n - 1))
    return _in_base(estimate, log_base)


def js_divergence_estimate(
    p_samples: Tensor,
    q_samples: Tensor,
    *,
    k: int = 1,
    base: float | None = None,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> Tensor:
    r"""k-nearest-neighbour estimate of :math:`\mathrm{JS}(P \,\|\, Q)` from :math:`n` samples
    of each.

    :math:`\mathrm{JS} = H(M) - \frac12 H(P) - \frac12 H(Q)` with :math:`M = \frac12 (P + Q)`,
    each entropy by the Kozachenko-Leonenko estimator
    :math:`\hat H = \psi(N) - \psi(k) + \log V_d + \frac{d}{N} \sum \log(\text{k-NN distance})`
    over :math:`N` points; the pooled :math:`2n` points are a sample of :math:`M`, which is why
    both sets must have the same size. :math:`\psi(k)` and the unit-ball volume :math:`V_d`
    cancel:

    .. math::

        \widehat{\mathrm{JS}} = \psi(2n) - \psi(n) + \frac{d}{2n} \sum_{z}
            \log \frac{r_k(z)}{\rho_k(z)},

    summed over the :math:`2n` pooled points :math:`z`, with :math:`\rho_k(z)` the distance to
    the k-th nearest other point of :math:`z`'s own set and :math:`r_k(z)` of the pooled set.
    Consistent for fixed k. At finite n it is biased by the densities' variation over a k-NN
    ball (growing with k and d) and by the pooled set holding exactly n points of each: for
    disjoint, far-apart supports :math:`r_k = \rho_k` and the estimate is
    :math:`\psi(2n) - \psi(n) = \sum_{j=n}^{2n-1} 1/j \approx \log 2 + 1/(4n)`, just above
    :math:`\log 2`. For the Gaussian pairs of the tests at :math:`n = 3000` the bias is within
    0.006 and the standard deviation 0.015 for k = 1, 0.007-0.010 for k = 5; so it may leave
    :math:`[0, \log 2]`, and it is not clamped.
    Plugging k-NN density ratios into JS's integrand instead would be biased by
    :math:`\log 2 + \psi(k) - \psi(2k)` at :math:`P = Q` (-0.31 nats for k = 1), because the
    integrand is nonlinear in a noisy ratio. Points must be distinct, as for
    :func:`kl_divergence_estimate`.

    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.randn(2000, 1, generator=g, dtype=torch.float64)  # N(0, 1)
    >>> far = torch.randn(2000, 1, generator=g, dtype=torch.float64) + 100  # N(100, 1)
    >>> round(float(js_divergence_estimate(x, far, base=2)), 3)  # disjoint: 1 bit
    1.0
    """
    function = "js_divergence_estimate"
    _check_sets(function, {"p_samples": p_samples, "q_samples": q_samples}, {"p_samples": 2})
    (n, d), m = p_samples.shape, len(q_samples)
    if m != n:
        raise ValueError(
            f"{function}: q_samples must have as many points as p_samples ({n}), so that the "
            f"pooled set is a sample of (P + Q) / 2; got {m}. Use the first min(n, m) of each."
        )
    k = _check_k(function, k, n - 1, f"n - 1 = {n - 1} other points per set")
    chunk_elements = _check_chunk(function, chunk_elements)
    log_base = check_base(function, base)
    total = p_samples.new_zeros(())
    for own, other in ((p_samples, q_samples), (q_samples, p_samples)):
        own_k = _nearest(own, own, k, chunk_elements, self_excluded=True)  # (n, k)
        other_k = _nearest(own, other, k, chunk_elements, self_excluded=False)  # (n, k)
        pooled = torch.cat([own_k, other_k], 1).topk(k, 1, largest=False).values[:, -1]  # (n,)
        total = total + (torch.log(pooled) - torch.log(own_k[:, -1])).sum()
    psi = torch.special.digamma(torch.tensor([2.0 * n, n], dtype=torch.float64))
    return _in_base(float(psi[0] - psi[1]) + d * total / (2 * n), log_base)


# --- Parzen windows ---------------------------------------------------------------------------


def _parzen_log_densities(
    samples: Tensor, points: Tensor, sigmas: Sequence[float], chunk_elements: int
) -> Tensor:
    """log p_hat(x) for each sigma and point: (S, n_points), in blocks of (rows, cols)."""
    (n, d), dtype, device = samples.shape, samples.dtype, samples.device
    cols = min(n, chunk_elements)  # samples per block
    rows = max(1, chunk_elements // cols)  # points per block
    sample_norms = samples.square().sum(1)  # (n,)
    out = []
    for start in range(0, len(points), rows):
        x = points[start : start + rows]  # (a, d)
        x_norms = x.square().sum(1)  # (a,)
        running = None  # (S, a): log sum_i exp(-|x - s_i|^2 / (2 sigma^2)) so far
        for first in range(0, n, cols):
            s = samples[first : first + cols]  # (b, d)
            norms = x_norms[:, None] + sample_norms[None, first : first + cols]  # (a, b)
            squared = torch.addmm(norms, x, s.T, alpha=-2).clamp_min(0)  # (a, b) |x - s|^2
            block = torch.stack(
                [torch.logsumexp(squared * (-0.5 / sigma**2), 1) for sigma in sigmas]
            )
            running = block if running is None else torch.logaddexp(running, block)  # (S, a)
        out.append(running)
    log_sums = torch.cat(out, 1)  # (S, n_points)
    constants = [math.log(n) + d / 2 * math.log(2 * math.pi * sigma**2) for sigma in sigmas]
    return log_sums - torch.tensor(constants, dtype=dtype, device=device)[:, None]


@dataclass(frozen=True)
class ParzenLogLikelihood:
    """What :func:`parzen_log_likelihood` measures (nats, higher is better)."""

    mean: float  # mean over test points of log p_hat(x)
    standard_error: float  # sample standard deviation / sqrt(points); NaN for one point
    sigma: float  # the bandwidth used
    log_densities: Tensor  # (points,) log p_hat(x) per test point, on the inputs' device


def parzen_log_likelihood(
    samples: Tensor, points: Tensor, sigma: float, *, chunk_elements: int = CHUNK_ELEMENTS
) -> ParzenLogLikelihood:
    r"""Parzen-window log-likelihood of test points under samples (the GAN paper's Table 1).

    The kernel density estimate of :math:`n` samples :math:`s_i \in \mathbb R^d` with an
    isotropic Gaussian window of standard deviation :math:`\sigma`, evaluated at each point:

    .. math::

        \log \hat p(x) = \log \frac1n \sum_{i=1}^{n} \mathcal N(x; s_i, \sigma^2 I)
            = \operatorname{logsumexp}_i\!\left(-\frac{\lVert x - s_i \rVert^2}{2\sigma^2}
              \right) - \log n - \frac d2 \log(2\pi\sigma^2).

    Returns the mean over points and its standard error (sample standard deviation over
    :math:`\sqrt{\text{points}}`, the paper's ± figure). The log-mean-exp stays finite where
    every :math:`\exp` underflows (a point 1,000 bandwidths from every sample), so a bad
    sampler scores very negative, never :math:`-\infty`. Squared distances are
    :math:`\lVert x\rVert^2 + \lVert s\rVert^2 - 2 x \cdot s` (a matrix product, fast for
    :math:`d = 784`), clamped at 0; their rounding, about :math:`\epsilon (\lVert x\rVert^2 +
    \lVert s\rVert^2) / (2\sigma^2)` in the log, is negligible in float64.

    Memory: blocks of ``rows x cols <= chunk_elements`` (all samples per block while they
    fit); a block holds at most four ``(rows, cols)`` temporaries at once (the norms, the
    squared distances, and the shifted and exponentiated terms inside ``logsumexp``), so the
    peak is about ``4 * chunk_elements * itemsize``: 128 MiB in float64, 64 MiB in float32
    with the default :data:`CHUNK_ELEMENTS`, whatever the sizes (10,000 samples against 10,000
    points of dimension 784 is 24 blocks of 419 points). Under autograd every block is kept.

    Caveats (Theis et al., 2016): in high dimensions the estimate is far from the true
    log-likelihood, depends strongly on sigma, and rewards a sampler that memorises the
    training set. Choose sigma on a validation split with :func:`select_parzen_bandwidth`.

    >>> one = torch.zeros(1, 1, dtype=torch.float64)
    >>> round(parzen_log_likelihood(one, one, 1.0).mean, 6)  # log N(0; 0, 1) = -log(2 pi) / 2
    -0.918939
    """
    function = "parzen_log_likelihood"
    _check_sets(function, {"samples": samples, "points": points}, {})
    sigma = _check_positive(function, "sigma", sigma, "Choose it with select_parzen_bandwidth.")
    chunk_elements = _check_chunk(function, chunk_elements)
    log_densities = _parzen_log_densities(samples, points, [sigma], chunk_elements)[0]
    mean = float(log_densities.detach().mean())
    count = len(log_densities)
    spread = float(log_densities.detach().std()) if count > 1 else math.nan  # correction = 1
    return ParzenLogLikelihood(mean, spread / math.sqrt(count), sigma, log_densities)


def select_parzen_bandwidth(
    samples: Tensor,
    validation: Tensor,
    sigmas: Sequence[float],
    *,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> tuple[float, Tensor]:
    r"""The Parzen bandwidth that maximises the mean log-likelihood of validation points.

    .. math:: \sigma^* = \arg\max_{\sigma \in \text{sigmas}} \frac1{|V|} \sum_{x \in V}
        \log \hat p_\sigma(x)

    with :math:`\hat p_\sigma` the kernel density of :func:`parzen_log_likelihood`. Returns
    :math:`\sigma^*` (the first of equal maxima) and the mean validation log-likelihood for
    every sigma, a tensor in the given order. The squared distances are computed once and
    shared by all sigmas.

    The validation points must be held out from the samples' training data and be distinct from
    the samples: a validation point that is also a sample contributes
    :math:`\ge -\log n - \frac d2 \log(2\pi\sigma^2) \to +\infty` as :math:`\sigma \to 0`, so the
    smallest sigma always wins (and a memorising generator looks perfect).

    >>> one = torch.zeros(1, 1, dtype=torch.float64)
    >>> select_parzen_bandwidth(one, one, [0.5, 1.0])[0]  # the pitfall: the smallest wins
    0.5
    """
    function = "select_parzen_bandwidth"
    _check_sets(function, {"samples": samples, "validation": validation}, {})
    if hasattr(sigmas, "tolist"):  # a tensor or a NumPy array
        sigmas = sigmas.tolist()
    if isinstance(sigmas, str | bytes) or not isinstance(sigmas, Sequence):
        raise TypeError(
            f"{function}: sigmas must be a sequence of real numbers; got "
            f"{type(sigmas).__name__}. Pass candidate bandwidths, e.g. [0.05, 0.1, 0.2]."
        )
    if len(sigmas) == 0:
        raise ValueError(
            f"{function}: sigmas must have at least one candidate; got []. Pass candidate "
            "bandwidths, e.g. torch.logspace(-2, 0, 10).tolist()."
        )
    fix = "Pass candidate bandwidths, e.g. [0.05, 0.1, 0.2]."
    sigmas = [_check_positive(function, f"sigmas[{i}]", s, fix) for i, s in enumerate(sigmas)]
    chunk_elements = _check_chunk(function, chunk_elements)
    scores = _parzen_log_densities(samples, validation, sigmas, chunk_elements).mean(1)  # (S,)
    return sigmas[int(scores.argmax())], scores
