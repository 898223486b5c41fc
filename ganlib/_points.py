r"""Validation of the point sets that ganlib's sample-based metrics take, and their block size.

A point set is a finite 2-D tensor ``(points, dimensions)``; options are checked to be real,
positive and finite (tensors refused, so that no option hides a host copy).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ganlib._checks import check_alike, check_finite, check_int, check_real

__all__ = ["CHUNK_ELEMENTS"]

CHUNK_ELEMENTS = 2**22
"""The most pairwise entries (rows x columns) in one block: 32 MiB per block in float64."""


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
    fix = "Drop those points or find the step that produced them (a diverging generator)."
    with torch.no_grad():
        check_finite(function, name, x, fix=fix)


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
    """A real option > 0 and finite (tensors refused, so that no option hides a host copy)."""
    return check_real(function, name, value, low=0.0, brackets="(]", fix=fix)


def _check_int(function: str, name: str, value: object, limit: float, why: str, fix: str) -> int:
    """An int in [1, limit] (``why`` says what it counts)."""
    value = check_int(function, name, value, fix=fix)
    if not 1 <= value <= limit:
        bounds = "at least 1" if limit == math.inf else f"in [1, {limit}]"
        raise ValueError(f"{function}: {name} must be {bounds} ({why}); got {value}. {fix}")
    return value


def _check_chunk(function: str, chunk_elements: object) -> int:
    why, fix = "pairwise entries per block", "Keep the default CHUNK_ELEMENTS = 2**22 or lower it."
    return _check_int(function, "chunk_elements", chunk_elements, math.inf, why, fix)
