r"""The targets on the line: :class:`Gaussian1d`, :class:`Uniform1d`, :class:`GaussianMixture1d`.

The :math:`p_\text{data}` of the book's first GANs. Each has event shape ``(1,)``: samples
have shape ``(*sample_shape, 1)``, the shape of a generator's output for 1-D data, and
``log_prob`` maps ``(..., 1)`` to ``(...)`` (a value of shape ``(n,)`` is refused rather than
broadcast). The conventions they share with the planar targets are stated in
:mod:`ganlib.distributions`, which exports all of them.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor
from torch.distributions import Distribution, Independent, Normal, Uniform, constraints

from ganlib._checks import check_real
from ganlib._target import GaussianMixtureTarget, Target, check_parameters, check_weights
from ganlib.noise import _fill_rows

__all__ = ["Gaussian1d", "GaussianMixture1d", "Uniform1d"]

_POSITIVE = {"low": 0.0, "brackets": "()", "tensor": True}  # a finite number > 0


class Gaussian1d(Target):
    r"""The Gaussian :math:`\mathcal N(\mu, \sigma^2)` on the line, with event shape ``(1,)``.

    .. math::

        p(x) = \frac{1}{\sigma\sqrt{2\pi}}
               \exp\!\left(-\frac{(x - \mu)^2}{2\sigma^2}\right).

    The p_data of the book's first GAN. ``log_prob`` is torch's
    ``Normal(loc, scale).log_prob``; the differences from ``torch.distributions.Normal`` are
    the event shape ``(1,)`` (samples ``(n, 1)``, not ``(n,)``; see
    :mod:`ganlib.distributions`) and a ``sample`` that takes a ``torch.Generator``. As in
    torch and scipy, ``scale`` is the standard deviation, not the variance.

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
        self.loc = check_real(
            "Gaussian1d", "loc", loc, tensor=True, fix="Pass the mean, e.g. loc=0.0."
        )
        self.scale = check_real(
            "Gaussian1d",
            "scale",
            scale,
            **_POSITIVE,
            fix="Pass a standard deviation, e.g. scale=1.0.",
        )
        super().__init__(1)

    def __repr__(self) -> str:
        return f"Gaussian1d(loc={self.loc}, scale={self.scale})"

    def _torch(self, dtype, device) -> Distribution:
        loc = torch.tensor([self.loc], dtype=dtype, device=device)  # (1,)
        scale = torch.tensor([self.scale], dtype=dtype, device=device)  # (1,)
        return Independent(Normal(loc, scale, validate_args=False), 1, validate_args=False)

    def _draw(self, shape, generator, dtype, device) -> Tensor:
        noise = torch.randn((*shape, 1), generator=generator, dtype=dtype, device=device)
        return self._from_standard(noise)  # (*shape, 1)

    def _from_standard(self, noise: Tensor) -> Tensor:
        """Standard normal draws to draws of this Gaussian: one map for one draw or many."""
        return self.loc + self.scale * noise

    def _draw_members(self, generators: list[torch.Generator], n: int, dtype) -> Tensor:
        """``(E, n, 1)``: row i is ``_draw((n,), generators[i], dtype, cpu)``, bit for bit,
        drawn into one tensor and mapped once (for :class:`ganlib.Ensemble`)."""
        return self._from_standard(_fill_rows(torch.randn, generators, (n, 1), dtype))


class Uniform1d(Target):
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
        self.low = check_real(
            "Uniform1d", "low", low, tensor=True, fix="Pass the lower end, e.g. low=0.0."
        )
        self.high = check_real(
            "Uniform1d", "high", high, tensor=True, fix="Pass the upper end, e.g. high=1.0."
        )
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


class GaussianMixture1d(GaussianMixtureTarget):
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
        w, given = check_parameters(function, "weights", weights, ndim=1, example="[0.5, 0.5]")
        mu, _ = check_parameters(function, "means", means, ndim=1, example="[-1.0, 1.0]")
        sigma, _ = check_parameters(function, "scales", scales, ndim=1, example="[0.5, 0.5]")
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
        self.weights, self.means, self.scales = check_weights(function, w, given), mu, sigma
        super().__init__(1)

    def __repr__(self) -> str:
        return (
            f"GaussianMixture1d(weights={self.weights.tolist()}, means={self.means.tolist()}, "
            f"scales={self.scales.tolist()})"
        )

    def _components(self) -> tuple[Tensor, Tensor, Tensor]:
        return self.weights, self.means[:, None], self.scales  # (K,), (K, 1), (K,)
