r"""The plumbing that every target distribution of :mod:`ganlib.distributions` shares.

:class:`Target` is a ``torch.distributions.Distribution`` of batch shape ``()`` and event
shape ``(data_dim,)`` whose ``sample`` takes a ``torch.Generator`` and a ``dtype``;
:class:`GaussianMixtureTarget` samples and evaluates a mixture of isotropic Gaussians for the
1-D and the d-dimensional mixtures. :func:`check_parameters` and :func:`check_weights` read the
constructors' parameters: real tensors or lists, finite, stored as float64 on the CPU, and
mixture weights that already sum to 1 (never renormalised). The conventions themselves are
stated in :mod:`ganlib.distributions`.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.distributions import (
    Categorical,
    Distribution,
    Independent,
    MixtureSameFamily,
    Normal,
    constraints,
)

from ganlib._checks import (
    _is_real_number,
    check_dtype,
    check_finite,
    check_points,
    check_sample_shape,
    check_torch_generator,
    shown,
    sum_tolerance,
)

__all__ = ["GaussianMixtureTarget", "Target", "check_parameters", "check_weights"]


def check_parameters(function: str, name: str, value: object, *, ndim: int, example: str):
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
                f"{shown(value)}. Pass e.g. {example}, or convert with torch.as_tensor."
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
    check_finite(function, name, x, fix="Pass finite parameters.")
    return x, given


def check_weights(function: str, w: Tensor, given: torch.dtype) -> Tensor:
    """Mixture weights (parsed by :func:`check_parameters`): >= 0 and sum to 1, not renormalised."""
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


class Target(Distribution):
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
        shape = check_sample_shape(function, sample_shape)
        check_torch_generator(function, "generator", generator)
        check_dtype(function, "dtype", dtype)
        device = generator.device if generator is not None else None
        with torch.no_grad():
            return self._draw(shape, generator, dtype, device)

    def log_prob(self, value: Tensor) -> Tensor:
        """The log density at ``value`` of shape ``(..., data_dim)``; the result is ``(...)``."""
        x = check_points(f"{type(self).__name__}.log_prob", "value", value, self.event_shape[0])
        return self._torch(x.dtype, x.device).log_prob(x)


class GaussianMixtureTarget(Target):
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
