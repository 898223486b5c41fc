r"""The GAN paper's evaluation (Table 1): Parzen-window log-likelihood of test points.

:func:`parzen_log_likelihood` is the log-likelihood of test points under a Gaussian kernel
density of a generator's samples; :func:`select_parzen_bandwidth` chooses the bandwidth on a
validation split; :func:`parzen_score` is the paper's protocol, the two in turn. They run in
blocks of at most ``chunk_elements`` pairwise entries (see
:data:`ganlib.CHUNK_ELEMENTS`), on the inputs' dtype and device.

>>> one = torch.zeros(1, 1, dtype=torch.float64)
>>> round(parzen_log_likelihood(one, 2 + one, 1.0).mean, 6)  # log N(2; 0, 1)
-2.918939
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from ganlib._points import CHUNK_ELEMENTS, _check_chunk, _check_positive, _check_sets

__all__ = [
    "ParzenLogLikelihood",
    "parzen_log_likelihood",
    "parzen_score",
    "select_parzen_bandwidth",
]


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


def parzen_score(
    samples: Tensor,
    validation: Tensor,
    test: Tensor,
    sigmas: Sequence[float],
    *,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> tuple[ParzenLogLikelihood, Tensor]:
    r"""Table 1's protocol: the bandwidth chosen on a validation split, then the test score.

    .. math:: \sigma^* = \arg\max_{\sigma \in \text{sigmas}} \frac1{|V|} \sum_{x \in V}
        \log \hat p_\sigma(x), \qquad
        \text{score} = \frac1{|T|} \sum_{x \in T} \log \hat p_{\sigma^*}(x),

    :func:`select_parzen_bandwidth` on ``validation``, then :func:`parzen_log_likelihood` on
    ``test`` at :math:`\sigma^*`; the test points never influence :math:`\sigma^*`. Returns the
    test :class:`ParzenLogLikelihood` (its ``sigma`` is :math:`\sigma^*`) and the mean
    validation log-likelihood of every candidate, in the given order. All three point sets
    share one dtype and device (float64 is what the book uses); nothing is cast.

    >>> samples = torch.tensor([[0.0], [1.0]], dtype=torch.float64)
    >>> result, scores = parzen_score(samples, samples + 0.1, samples, [0.1, 1.0])
    >>> result.sigma, len(scores)
    (0.1, 2)
    """
    function = "parzen_score"
    _check_sets(function, {"samples": samples, "validation": validation}, {})
    _check_sets(function, {"samples": samples, "test": test}, {})
    sigma, scores = select_parzen_bandwidth(
        samples, validation, sigmas, chunk_elements=chunk_elements
    )
    return parzen_log_likelihood(samples, test, sigma, chunk_elements=chunk_elements), scores
