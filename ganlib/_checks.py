r"""Validation of user input, shared by ganlib's modules.

Every check raises with the message format of the style guide,
``"{function}: {argument} must {constraint}; got {value}. {how to fix}"``: ``TypeError`` for
a wrong type, ``ValueError`` for a wrong value, never a silent repair. Checks that read tensor
values synchronise with the host; they live here so that the mathematics stays free of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import torch
from torch import Tensor

__all__ = [
    "GRID_TOLERANCE",
    "SUM_TOLERANCE",
    "check_base",
    "check_choice",
    "check_distributions",
    "check_dx",
    "check_int",
    "check_sample_shape",
    "check_torch_generator",
    "shown",
    "sum_tolerance",
]

SUM_TOLERANCE: dict[torch.dtype, float] = {
    torch.float64: 1e-6,
    torch.float32: 1e-4,
    torch.float16: 1e-2,
    torch.bfloat16: 1e-2,
}
"""How far from 1 a probability vector's sum may be, per dtype. Generous next to the rounding of
normalising in that dtype (about n * eps), strict enough to catch a forgotten normalisation."""

GRID_TOLERANCE = 1e-3
"""How far from 1 ``sum(p) * dx`` may be for densities on a grid: the part of the mass that the
grid misses (tails beyond its ends) plus the error of the rectangle rule."""


def sum_tolerance(dtype: torch.dtype) -> float:
    """The tolerance on sums to 1 for ``dtype``; formats not in the table get the loosest."""
    return SUM_TOLERANCE.get(dtype, max(SUM_TOLERANCE.values()))


def _preview(values: Sequence[float], limit: int = 5) -> str:
    """Format a few numbers as ``[1.1, 0.9, ...]`` for an error message."""
    shown = ", ".join(f"{value:.6g}" for value in values[:limit])
    more = f", ... ({len(values)} in all)" if len(values) > limit else ""
    return f"[{shown}{more}]"


def _is_real_number(value: object) -> bool:
    # bool is a Real to Python, but base=True is a bug, not a base; tensors are refused so
    # that no option ever hides a device-to-host copy.
    return isinstance(value, Real) and not isinstance(value, bool)


def check_base(function: str, base: object) -> float | None:
    """Validate scipy's ``base`` (None means nats); return log(base), or None for nats."""
    if base is None:
        return None
    if not _is_real_number(base):
        raise TypeError(
            f"{function}: base must be a real number or None; got {type(base).__name__} "
            f"{base!r}. Use base=None for nats or base=2 for bits."
        )
    if not (math.isfinite(base) and base > 0 and base != 1):
        raise ValueError(
            f"{function}: base must be a finite positive number other than 1; got {base!r}. "
            "Use base=None for nats or base=2 for bits."
        )
    return math.log(base)


def check_dx(function: str, dx: object) -> float | None:
    """Validate a grid spacing (None means probability vectors); return it as a float."""
    if dx is None:
        return None
    if not _is_real_number(dx):
        raise TypeError(
            f"{function}: dx must be a real number or None; got {type(dx).__name__} {dx!r}. "
            "Pass the grid spacing as a float, e.g. dx=float(x[1] - x[0])."
        )
    if not (math.isfinite(dx) and dx > 0):
        raise ValueError(
            f"{function}: dx must be a positive finite number; got {dx!r}. "
            "Pass the spacing of the uniform grid the densities are evaluated on."
        )
    return float(dx)


def _check_tensor(function: str, name: str, x: object) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{function}: {name} must be a torch.Tensor; got {type(x).__name__}. "
            f"Convert it with torch.as_tensor({name}, dtype=torch.float64)."
        )
    if not x.is_floating_point():
        raise TypeError(
            f"{function}: {name} must have a floating-point dtype; got {x.dtype}. "
            f"Convert it with {name}.to(torch.float64)."
        )
    return x


def _check_dim(function: str, name: str, x: Tensor, dim: object) -> int:
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(
            f"{function}: dim must be an int; got {type(dim).__name__} {dim!r}. "
            "Pass the axis that indexes the outcomes, e.g. dim=-1."
        )
    if x.ndim == 0:
        raise ValueError(
            f"{function}: {name} must have at least one dimension (the one dim sums over); "
            f"got a 0-d tensor. Reshape it, e.g. {name}.reshape(1)."
        )
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(
            f"{function}: dim must be in [{-x.ndim}, {x.ndim - 1}] for {name} of shape "
            f"{tuple(x.shape)}; got {dim}. Pass the axis that indexes the outcomes."
        )
    return dim % x.ndim


def _check_values(
    function: str, name: str, x: Tensor, dim: int, shown_dim: object, dx: float | None
) -> None:
    if x.shape[dim] == 0:
        raise ValueError(
            f"{function}: {name} must have at least one entry along dim={shown_dim}; got shape "
            f"{tuple(x.shape)}. Pass a non-empty distribution."
        )
    finite = torch.isfinite(x)
    if not bool(finite.all()):
        n_nan = int(torch.isnan(x).sum())
        n_inf = int((~finite).sum()) - n_nan
        raise ValueError(
            f"{function}: {name} must have finite entries; got {n_nan} NaN and {n_inf} inf. "
            "Find the step that produced them (a log of 0, a division by 0, an overflow)."
        )
    if bool((x < 0).any()):
        raise ValueError(
            f"{function}: {name} must be non-negative; got minimum {float(x.min()):.6g}. "
            "Probabilities and densities cannot be negative; fix what produced them."
        )
    # Sums in float64 so that the check itself adds no rounding to what it measures.
    sums = x.sum(dim, dtype=torch.float64)
    if dx is None:
        total, tolerance = sums, sum_tolerance(x.dtype)
        constraint, what = "sum to 1", "sums"
        fix = f"Normalise with {name} / {name}.sum({shown_dim}, keepdim=True)."
    else:
        total, tolerance = sums * dx, max(GRID_TOLERANCE, sum_tolerance(x.dtype))
        constraint, what = "integrate to 1 (sum * dx)", "integrals"
        fix = (
            "Widen the grid so that it covers the mass, or refine it; values must be "
            "densities (probabilities divided by dx)."
        )
    bad = total[(total - 1).abs() > tolerance]
    if bad.numel() > 0:
        raise ValueError(
            f"{function}: {name} must {constraint} along dim={shown_dim} within {tolerance:g} "
            f"for {x.dtype}; got {what} {_preview(bad.tolist())}. {fix}"
        )


def check_distributions(
    function: str,
    tensors: dict[str, object],
    *,
    dim: object,
    dx: float | None,
) -> None:
    """Validate probability vectors (``dx is None``) or grid densities along ``dim``.

    ``tensors`` maps argument names to values, e.g. ``{"p": p, "q": q}``: each must be a
    floating-point tensor; all must share dtype, device and shape (no broadcasting); each must
    be non-empty along ``dim``, finite, non-negative and sum (times ``dx``) to 1.
    """
    check_alike(function, tensors)
    (first_name, first), *_ = tensors.items()
    axis = _check_dim(function, first_name, first, dim)
    with torch.no_grad():
        for name, x in tensors.items():
            _check_values(function, name, x.detach(), axis, dim, dx)


def check_alike(function: str, tensors: dict[str, object], *, same_shape: bool = True) -> None:
    """Floating-point tensors sharing dtype, device and (if asked) shape, with no broadcasting."""
    checked = {name: _check_tensor(function, name, x) for name, x in tensors.items()}
    (first_name, first), *others = checked.items()
    for name, x in others:
        if x.dtype != first.dtype:
            raise TypeError(
                f"{function}: {first_name} and {name} must have the same dtype; got "
                f"{first.dtype} and {x.dtype}. Convert one, e.g. {name}.to({first_name}.dtype)."
            )
        if x.device != first.device:
            raise ValueError(
                f"{function}: {first_name} and {name} must be on the same device; got "
                f"{first.device} and {x.device}. Move one, e.g. {name}.to({first_name}.device)."
            )
        if same_shape and x.shape != first.shape:
            raise ValueError(
                f"{function}: {first_name} and {name} must have the same shape (no "
                f"broadcasting); got {tuple(first.shape)} and {tuple(x.shape)}. Expand them "
                "explicitly, e.g. with torch.broadcast_tensors, if that is what you mean."
            )


def check_logits(function: str, tensors: dict[str, object]) -> None:
    """Non-empty floating-point tensors on one dtype and device, of any shapes. No value is
    read, so there is no host synchronisation (a training step can call it freely)."""
    check_alike(function, tensors, same_shape=False)
    for name, x in tensors.items():
        if x.numel() == 0:
            raise ValueError(
                f"{function}: {name} must have at least one entry; got shape {tuple(x.shape)}. "
                "It is averaged over samples; pass a non-empty batch."
            )


# --- the vocabulary every module uses ---------------------------------------------------------


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_int(
    function: str, name: str, value: object, *, minimum: int | None = None, fix: str = ""
) -> int:
    """An int (not a bool), ``>= minimum`` when given; returned as a Python int."""
    tail = f" {fix}" if fix else ""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            f"{function}: {name} must be an int; got {type(value).__name__} {shown(value)}.{tail}"
        )
    if minimum is not None and value < minimum:
        raise ValueError(f"{function}: {name} must be >= {minimum}; got {value!r}.{tail}")
    return int(value)


def check_choice(
    function: str, name: str, value: object, choices: Sequence[str], *, fix: str = ""
) -> str:
    """One of the names in ``choices``."""
    if value not in choices:
        tail = f" {fix}" if fix else ""
        raise ValueError(
            f"{function}: {name} must be one of {list(choices)}; got {shown(value)}.{tail}"
        )
    return value  # type: ignore[return-value]


def check_sample_shape(function: str, sample_shape: object) -> torch.Size:
    """A tuple (or list, or torch.Size) of non-negative ints, as torch's ``sample`` takes."""
    if isinstance(sample_shape, (tuple, list, torch.Size)) and all(
        isinstance(n, int) and not isinstance(n, bool) for n in sample_shape
    ):
        if all(n >= 0 for n in sample_shape):
            return torch.Size(sample_shape)
        raise ValueError(
            f"{function}: sample_shape must have non-negative sizes; got "
            f"{tuple(sample_shape)}. Pass e.g. (300,)."
        )
    hint = f" ({sample_shape},)" if isinstance(sample_shape, int) else " (300,)"
    raise TypeError(
        f"{function}: sample_shape must be a tuple of ints or a torch.Size; got "
        f"{shown(sample_shape)}. Pass e.g.{hint} for that many draws."
    )


def check_torch_generator(
    function: str, name: str, value: object, *, cpu: bool = False
) -> torch.Generator | None:
    """A ``torch.Generator`` (on the CPU if ``cpu``), or None for torch's global one."""
    if value is None and not cpu:
        return None
    if not isinstance(value, torch.Generator) or (cpu and value.device.type != "cpu"):
        what = "a CPU torch.Generator" if cpu else "a torch.Generator or None"
        raise TypeError(
            f"{function}: {name} must be {what}; got {shown(value)}. "
            "Pass torch.Generator().manual_seed(seed)."
        )
    return value
