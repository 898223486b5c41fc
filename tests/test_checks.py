"""Tests of ganlib._checks: the shared validation vocabulary and its messages."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from ganlib import _checks as c


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: c.check_type("f", "x", 1, str, "a str", fix="Fix."), TypeError,
         r"^f: x must be a str; got int 1\. Fix\.$"),
        (lambda: c.check_type("f", "x", True, int, "an int"), TypeError,
         r"^f: x must be an int; got bool True\.$"),
        (lambda: c.check_text("f", "x", "  "), ValueError,
         r"^f: x must be a non-empty str; got '  '\.$"),
        (lambda: c.check_text("f", "x", None), TypeError,
         r"^f: x must be a str; got NoneType None\.$"),
        (lambda: c.check_path("f", "root", 3), TypeError,
         r"^f: root must be a str or os\.PathLike; got int 3\. Pass a path\.$"),
        (lambda: c.check_int("f", "n", 2.0), TypeError, r"^f: n must be an int; got float 2\.0\.$"),
        (lambda: c.check_int("f", "n", 0, minimum=1), ValueError, r"^f: n must be >= 1; got 0\.$"),
        (lambda: c.check_int("f", "n", 9, maximum=8), ValueError, r"^f: n must be <= 8; got 9\.$"),
        (lambda: c.check_int("f", "n", 9, minimum=1, maximum=8, fix="Fix."), ValueError,
         r"^f: n must be in \[1, 8\]; got 9\. Fix\.$"),
        (lambda: c.check_real("f", "r", "1"), TypeError,
         r"^f: r must be a real number; got str '1'\.$"),
        (lambda: c.check_real("f", "r", [1], optional=True), TypeError,
         r"^f: r must be a real number or None; got list \[1\]\.$"),
        (lambda: c.check_real("f", "r", torch.tensor(1.0)), TypeError,
         r"^f: r must be a real number; got Tensor tensor\(1\.\)\.$"),
        (lambda: c.check_real("f", "r", math.inf), ValueError,
         r"^f: r must be a finite number; got inf\.$"),
        (lambda: c.check_real("f", "r", 0.0, low=0.0, brackets="()"), ValueError,
         r"^f: r must be a finite number > 0; got 0\.0\.$"),
        (lambda: c.check_real("f", "r", 2.0, high=1.0), ValueError,
         r"^f: r must be a finite number <= 1; got 2\.0\.$"),
        (lambda: c.check_real("f", "r", 1.0, low=0.0, high=1.0, brackets="[)"), ValueError,
         r"^f: r must be a finite number in \[0, 1\); got 1\.0\.$"),
        (lambda: c.check_real("f", "r", math.nan, finite=False), ValueError,
         r"^f: r must be a number; got nan\.$"),
        (lambda: c.check_choice("f", "k", "c", ("a", "b")), ValueError,
         r"^f: k must be one of \['a', 'b'\]; got 'c'\.$"),
        (lambda: c.check_finite("f", "x", torch.tensor([math.nan, math.inf, -math.inf])),
         ValueError, r"^f: x must have finite entries; got 1 NaN and 2 inf\. Find the step"),
        (lambda: c.check_points("f", "x", torch.ones(3), 2), ValueError,
         r"^f: x must have shape \(\.\.\., 2\), one point of the plane per row; got shape \(3,\)"),
        (lambda: c.check_points("f", "x", torch.ones(0, 2), 2, rows=1), ValueError,
         r"^f: x must have at least 1 point\(s\); got shape \(0, 2\)\. Pass a non-empty set"),
        (lambda: c.check_tensor("f", "x", [1.0]), TypeError,
         r"^f: x must be a torch\.Tensor; got list\."),
        (lambda: c.check_tensor("f", "x", torch.ones(1, dtype=torch.int64)), TypeError,
         r"^f: x must have a floating-point dtype; got torch\.int64\."),
        (lambda: c.check_torch_generator("f", "g", None, required=True), TypeError,
         r"^f: g must be a torch\.Generator; got None\. Pass torch\.Generator\(\)"),
        (lambda: c.check_torch_generator("f", "g", 0, fix="Fix."), TypeError,
         r"^f: g must be a torch\.Generator or None; got 0\. Fix\.$"),
        (lambda: c.check_dtype("f", "dtype", torch.int32), TypeError,
         r"^f: dtype must be a floating-point torch\.dtype; got torch\.int32\. Pass dtype="),
        (lambda: c.check_device("f", "device", 0), TypeError,
         r"^f: device must be a str or torch\.device; got int 0\. Pass e\.g\. device='cpu'"),
        (lambda: c.check_device("f", "device", "gpu"), ValueError,
         r"^f: device must name a torch device such as 'cpu' or 'cuda:1'; got 'gpu'\."),
        (lambda: c.check_device("f", "device", "cuda:99"), ValueError,
         r"^f: device must be one this machine has; got cuda:99\."),
    ],
)  # fmt: skip
def test_messages(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_values_come_back_normalised():
    assert c.check_int("f", "n", 3, minimum=1) == 3
    assert c.check_real("f", "r", 2) == 2.0 and isinstance(c.check_real("f", "r", 2), float)
    assert c.check_real("f", "r", torch.tensor(0.5), tensor=True) == 0.5
    assert c.check_real("f", "r", None, optional=True) is None
    assert c.check_real("f", "r", math.inf, low=0.0, finite=False) == math.inf
    assert c.check_path("f", "p", "a/b") == Path("a/b")
    assert c.check_device("f", "d", "cpu") == torch.device("cpu")
    assert c.check_device("f", "d", "meta") == torch.device("meta")  # every machine has it
    assert c.check_torch_generator("f", "g", None) is None
    x = torch.ones(2, 3, 2)
    assert c.check_points("f", "x", x, 2, rows=6) is x


def test_shown_cuts_long_values_and_lists_numbers():
    assert c.shown("x" * 100, 10) == "'xxxxxx..."
    assert c.shown([1 / 3, 2.0], numbers=5) == "[0.333333, 2]"
    assert c.shown(list(range(12)), numbers=2) == "[0, 1, ... (12 in all)]"


def test_device_available_knows_the_cpu_meta_and_missing_devices():
    assert c.device_available(torch.device("cpu")) and c.device_available(torch.device("meta"))
    assert not c.device_available(torch.device("cuda", torch.cuda.device_count()))
