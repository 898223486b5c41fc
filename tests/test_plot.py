"""Tests of ganlib.plot's argument checks (the figures themselves are exercised by the CLI)."""

from __future__ import annotations

import math

import pytest
import torch

from ganlib import Gaussian1d
from ganlib.plot import samples_1d, samples_2d, tile_images


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: samples_2d([[0.0, 1.0]]), TypeError,
         r"^samples_2d: samples must be a torch\.Tensor; got list\."),
        (lambda: samples_2d(torch.zeros(3, 3)), ValueError,
         r"^samples_2d: samples must have shape \(\.\.\., 2\), one point of the plane per row"),
        (lambda: samples_2d(torch.zeros(0, 2)), ValueError,
         r"^samples_2d: samples must have at least 1 point\(s\); got shape \(0, 2\)\."),
        (lambda: samples_2d(torch.tensor([[math.nan, 0.0]])), ValueError,
         r"^samples_2d: samples must have finite entries; got 1 NaN and 0 inf\."),
        (lambda: samples_2d(torch.zeros(2, 2), centres=torch.zeros(2, 1)), ValueError,
         r"^samples_2d: centres must have shape \(\.\.\., 2\)"),
        (lambda: samples_2d(torch.zeros(2, 2), ax=1), TypeError,
         r"^plot: ax must be a matplotlib Axes or None; got int 1\. Pass e\.g\. "),
        (lambda: samples_1d(Gaussian1d(), torch.zeros(4, 2)), ValueError,
         r"^samples_1d: samples must have shape \(\.\.\., 1\)"),
        (lambda: tile_images(torch.zeros(2, 4), (2, 2), 0), ValueError,
         r"^tile_images: columns must be >= 1; got 0\. Pass e\.g\. 10\.$"),
        (lambda: tile_images(torch.zeros(2, 5), (2, 2), 2), ValueError,
         r"^tile_images: samples must have shape \(\.\.\., 4\)"),
    ],
)  # fmt: skip
def test_bad_arguments_are_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_one_dimensional_samples_may_be_flat():
    generator = torch.Generator().manual_seed(0)
    samples = Gaussian1d().sample((50,), generator)[:, 0]  # (50,)
    assert samples_1d(Gaussian1d(), samples).axes[0].get_xlabel() == "x"
