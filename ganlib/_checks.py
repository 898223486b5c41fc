r"""Validation of user input, shared by ganlib's modules.

Every check raises with the message format of the style guide,
``"{function}: {argument} must {constraint}; got {value}. {how to fix}"``: ``TypeError`` for
a wrong type, ``ValueError`` for a wrong value, never a silent repair. Checks that read tensor
values synchronise with the host; they live here so that the mathematics stays free of them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from numbers import Integral, Real
from pathlib import Path

import torch
from torch import Tensor

__all__ = [
    "FIND_THE_STEP",
    "GRID_TOLERANCE",
    "SUM_TOLERANCE",
    "check_alike",
    "check_base",
    "check_callable",
    "check_choice",
    "check_device",
    "check_distributions",
    "check_dtype",
    "check_dx",
    "check_finite",
    "check_int",
    "check_logits",
    "check_module",
    "check_path",
    "check_points",
    "check_real",
    "check_sample_shape",
    "check_sampler",
    "check_tensor",
    "check_text",
    "check_torch_generator",
    "check_type",
    "device_available",
    "shown",
    "sum_tolerance",
]

FIND_THE_STEP = "Find the step that produced them (a log of 0, a division by 0, an overflow)."
"""The usual fix for non-finite entries: they come from a computation upstream."""

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


def _is_real_number(value: object) -> bool:
    # bool is a Real to Python, but base=True is a bug, not a base; tensors are refused so
    # that no option ever hides a device-to-host copy.
    return isinstance(value, Real) and not isinstance(value, bool)


def check_base(function: str, base: object) -> float | None:
    """Validate scipy's ``base`` (None means nats); return log(base), or None for nats."""
    fix = "Use base=None for nats or base=2 for bits."
    if base is None:
        return None
    if not _is_real_number(base):
        raise _type_error(function, "base", base, "a real number or None", fix)
    if not (math.isfinite(base) and base > 0 and base != 1):
        raise ValueError(
            f"{function}: base must be a finite positive number other than 1; got {base!r}. {fix}"
        )
    return math.log(base)


def check_dx(function: str, dx: object) -> float | None:
    """Validate a grid spacing (None means probability vectors); return it as a float."""
    if dx is None:
        return None
    if not _is_real_number(dx):
        fix = "Pass the grid spacing as a float, e.g. dx=float(x[1] - x[0])."
        raise _type_error(function, "dx", dx, "a real number or None", fix)
    if not (math.isfinite(dx) and dx > 0):
        raise ValueError(
            f"{function}: dx must be a positive finite number; got {dx!r}. "
            "Pass the spacing of the uniform grid the densities are evaluated on."
        )
    return float(dx)


def check_tensor(function: str, name: str, x: object, *, floating: bool = True) -> Tensor:
    """A ``torch.Tensor``, of a floating-point dtype unless ``floating=False``."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{function}: {name} must be a torch.Tensor; got {type(x).__name__}. "
            f"Convert it with torch.as_tensor({name}, dtype=torch.float64)."
        )
    if floating and not x.is_floating_point():
        raise TypeError(
            f"{function}: {name} must have a floating-point dtype; got {x.dtype}. "
            f"Convert it with {name}.to(torch.float64)."
        )
    return x


_check_tensor = check_tensor  # the name under which the mathematical modules import it


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
    check_finite(function, name, x)
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
            f"for {x.dtype}; got {what} {shown(bad.tolist(), numbers=5)}. {fix}"
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


def shown(value: object, limit: int = 60, *, numbers: int | None = None) -> str:
    """``repr(value)``, cut to ``limit`` characters for an error message.

    With ``numbers``, ``value`` is a sequence of numbers: the first ``numbers`` of them are
    shown to 6 significant digits, e.g. ``[1.1, 0.9, ... (12 in all)]``.

    >>> shown("x" * 100, 10), shown([1 / 3, 2.0, 3.0], numbers=2)
    ("'xxxxxx...", '[0.333333, 2, ... (3 in all)]')
    """
    if numbers is not None:
        values = list(value)  # type: ignore[call-overload]
        head = ", ".join(f"{number:.6g}" for number in values[:numbers])
        more = f", ... ({len(values)} in all)" if len(values) > numbers else ""
        return f"[{head}{more}]"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _type_error(function: str, name: str, value: object, what: str, fix: str) -> TypeError:
    """The one wording of a wrong type: ``f: name must be what; got type value. fix``."""
    tail = f" {fix}" if fix else ""
    return TypeError(
        f"{function}: {name} must be {what}; got {type(value).__name__} {shown(value)}.{tail}"
    )


def check_type(
    function: str, name: str, value: object, types: type | tuple, what: str, *, fix: str = ""
) -> object:
    """``isinstance(value, types)``, where a bool passes only when ``types`` is ``bool``.

    ``what`` names the types in the message, e.g. ``"a str or os.PathLike"``.
    """
    if not isinstance(value, types) or (isinstance(value, bool) and types is not bool):
        raise _type_error(function, name, value, what, fix)
    return value


def check_text(function: str, name: str, value: object, *, fix: str = "") -> str:
    """A ``str`` with at least one character other than white space."""
    check_type(function, name, value, str, "a str", fix=fix)
    if not value.strip():  # type: ignore[union-attr]
        tail = f" {fix}" if fix else ""
        raise ValueError(f"{function}: {name} must be a non-empty str; got {value!r}.{tail}")
    return value  # type: ignore[return-value]


def check_path(function: str, name: str, value: object, *, fix: str = "Pass a path.") -> Path:
    """A ``str`` or ``os.PathLike``, returned as a ``pathlib.Path``."""
    check_type(function, name, value, (str, os.PathLike), "a str or os.PathLike", fix=fix)
    return Path(value)  # type: ignore[arg-type]


def check_int(
    function: str,
    name: str,
    value: object,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    fix: str = "",
) -> int:
    """An int (not a bool), in ``[minimum, maximum]`` where given; returned as a Python int."""
    tail = f" {fix}" if fix else ""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise _type_error(function, name, value, "an int", fix)
    low = minimum is None or value >= minimum
    high = maximum is None or value <= maximum
    if not (low and high):
        if maximum is None:
            constraint = f">= {minimum}"
        elif minimum is None:
            constraint = f"<= {maximum}"
        else:
            constraint = f"in [{minimum}, {maximum}]"
        raise ValueError(f"{function}: {name} must be {constraint}; got {value!r}.{tail}")
    return int(value)


def check_real(
    function: str,
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    brackets: str = "[]",
    finite: bool = True,
    optional: bool = False,
    tensor: bool = False,
    fix: str = "",
) -> float | None:
    """A real number (not a bool), finite, within ``low`` and ``high`` where given.

    ``brackets`` says whether each end is included: ``"[]"`` both, ``"()"`` neither, ``"(]"``
    and ``"[)"`` one. ``finite=False`` also allows the infinities (never NaN) within the bounds.
    ``optional=True`` lets None through (returned as None). ``tensor=True`` also takes a 0-d
    real tensor (read once, a host synchronisation); other tensors are refused, so that no
    option hides a device-to-host copy.
    """
    tail = f" {fix}" if fix else ""
    if value is None and optional:
        return None
    if tensor and isinstance(value, Tensor) and value.ndim == 0:
        if value.dtype != torch.bool and not value.is_complex():
            value = value.item()
    if not _is_real_number(value):
        what = "a real number or None" if optional else "a real number"
        raise _type_error(function, name, value, what, fix)
    above = low is None or (value > low if brackets[0] == "(" else value >= low)
    below = high is None or (value < high if brackets[1] == ")" else value <= high)
    if not ((math.isfinite(value) or not finite) and above and below) or math.isnan(value):
        number = "a finite number" if finite else "a number"
        if low is not None and high is not None:
            constraint = f"{number} in {brackets[0]}{low:g}, {high:g}{brackets[1]}"
        elif low is not None:
            constraint = f"{number} {'>' if brackets[0] == '(' else '>='} {low:g}"
        elif high is not None:
            constraint = f"{number} {'<' if brackets[1] == ')' else '<='} {high:g}"
        else:
            constraint = number
        raise ValueError(f"{function}: {name} must be {constraint}; got {value!r}.{tail}")
    return float(value)


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


@torch.no_grad()
def check_finite(function: str, name: str, x: Tensor, *, fix: str = FIND_THE_STEP) -> Tensor:
    """No NaN and no infinity among the entries of the tensor ``x`` (a host synchronisation)."""
    finite = torch.isfinite(x)
    if not bool(finite.all()):
        n_nan = int(torch.isnan(x).sum())
        n_inf = int((~finite).sum()) - n_nan
        raise ValueError(
            f"{function}: {name} must have finite entries; got {n_nan} NaN and {n_inf} inf. {fix}"
        )
    return x


def check_points(
    function: str, name: str, x: object, dim: int, *, rows: int = 0, fix: str = FIND_THE_STEP
) -> Tensor:
    """A floating-point tensor of shape ``(..., dim)``, one point per row, with finite entries.

    ``rows`` is the least number of points (rows of every batch together); ``fix`` is the fix
    for non-finite entries.
    """
    x = check_tensor(function, name, x)
    if x.ndim == 0 or x.shape[-1] != dim:
        where = {1: "the line", 2: "the plane"}.get(dim, f"R^{dim}")
        raise ValueError(
            f"{function}: {name} must have shape (..., {dim}), one point of {where} per row; "
            f"got shape {tuple(x.shape)}. Reshape it, e.g. {name}.reshape(-1, {dim})."
        )
    if x.numel() // dim < rows:
        raise ValueError(
            f"{function}: {name} must have at least {rows} point(s); got shape "
            f"{tuple(x.shape)}. Pass a non-empty set of points."
        )
    return check_finite(function, name, x, fix=fix)


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
    function: str,
    name: str,
    value: object,
    *,
    cpu: bool = False,
    required: bool = False,
    fix: str = "Pass torch.Generator().manual_seed(seed).",
) -> torch.Generator | None:
    """A ``torch.Generator`` (on the CPU if ``cpu``), or None for torch's global one.

    None is refused where ``cpu`` or ``required`` says a generator of the caller's is needed.
    """
    if value is None and not (cpu or required):
        return None
    if not isinstance(value, torch.Generator) or (cpu and value.device.type != "cpu"):
        if cpu:
            what = "a CPU torch.Generator"
        else:
            what = "a torch.Generator" if required else "a torch.Generator or None"
        raise TypeError(f"{function}: {name} must be {what}; got {shown(value)}. {fix}")
    return value


def check_dtype(
    function: str,
    name: str,
    value: object,
    *,
    fix: str = "Pass dtype=torch.float64 or dtype=torch.float32.",
) -> torch.dtype:
    """A floating-point ``torch.dtype``."""
    if not isinstance(value, torch.dtype) or not value.is_floating_point:
        raise TypeError(
            f"{function}: {name} must be a floating-point torch.dtype; got {shown(value)}. {fix}"
        )
    return value


def device_available(device: torch.device) -> bool:
    """Whether this machine has ``device``: the CPU, a CUDA device by index, Apple's MPS, or
    torch's ``meta`` device (shapes without values, which every machine has)."""
    if device.type in ("cpu", "meta"):
        return True
    if device.type == "cuda":
        if not torch.cuda.is_available():
            return False
        return device.index is None or device.index < torch.cuda.device_count()
    if device.type == "mps":
        return torch.backends.mps.is_available()
    return False


def check_device(
    function: str,
    name: str,
    value: object,
    *,
    fix: str = "Pass e.g. device='cpu', or device=ganlib.device() for the best one available.",
) -> torch.device:
    """A ``str`` or ``torch.device`` naming a device this machine has; as a ``torch.device``."""
    check_type(function, name, value, (str, torch.device), "a str or torch.device", fix=fix)
    try:
        device = torch.device(value)  # type: ignore[arg-type]
    except RuntimeError as error:
        raise ValueError(
            f"{function}: {name} must name a torch device such as 'cpu' or 'cuda:1'; got "
            f"{value!r}. {fix}"
        ) from error
    if not device_available(device):
        raise ValueError(f"{function}: {name} must be one this machine has; got {device}. {fix}")
    return device


def check_callable(function: str, name: str, value: object, call: str) -> None:
    """None, or something callable as ``call`` (e.g. ``"snapshot(generator, step)"``)."""
    if value is not None and not callable(value):
        raise TypeError(
            f"{function}: {name} must be callable as {call} or None; got {type(value).__name__}. "
            "Pass a function, or None."
        )


def check_module(function: str, name: str, value: object, example: str) -> None:
    """A ``torch.nn.Module``; ``example`` says how to build one."""
    if not isinstance(value, torch.nn.Module):
        raise TypeError(
            f"{function}: {name} must be a torch.nn.Module; got {type(value).__name__}. "
            f"Build one with {example}."
        )


def check_sampler(function: str, name: str, sampler: object) -> None:
    """Anything with ``sample(sample_shape, generator, dtype=...)``, as ganlib's distributions."""
    if not callable(getattr(sampler, "sample", None)):
        raise TypeError(
            f"{function}: {name} must have a sample(sample_shape, generator, dtype=...) "
            f"method; got {type(sampler).__name__}. Pass a ganlib distribution."
        )
