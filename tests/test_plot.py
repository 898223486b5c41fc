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


def test_densities_1d_draws_the_figure_1_styles():
    from ganlib import Grid, optimal_discriminator
    from ganlib.plot import DATA_STYLE, MODEL_COLOR, densities_1d

    grid = Grid(-4.0, 4.0, 81)
    p_data, p_g = grid.normal_density(0.0), grid.normal_density(1.0, 0.5)
    d = optimal_discriminator(p_data, p_g)
    d[:3] = math.nan  # undefined there: left out of the line
    figure = densities_1d(grid.x, p_data, p_g, d, d_label="$D$", title="pair")
    data_line, model_line, d_line = figure.axes[0].get_lines()
    labels = [line.get_label() for line in (data_line, model_line, d_line)]
    assert labels == ["$p_{data}$", "$p_g$", "$D$"]
    assert data_line.get_linestyle() == DATA_STYLE["linestyle"]
    assert model_line.get_color() == MODEL_COLOR
    assert d_line.get_linestyle() == "--"
    assert torch.equal(torch.as_tensor(model_line.get_ydata()), p_g)
    assert math.isnan(d_line.get_ydata()[0])
    assert figure.axes[0].get_title() == "pair"


def test_densities_1d_draws_into_a_given_axes_and_d_is_optional():
    from matplotlib.figure import Figure

    from ganlib import Grid
    from ganlib.plot import densities_1d

    grid = Grid(-1.0, 1.0, 5)
    mine = Figure()
    ax = mine.add_subplot()
    assert densities_1d(grid.x, grid.normal_density(), grid.normal_density(0.5), ax=ax) is mine
    assert len(ax.get_lines()) == 2


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((torch.zeros(3), [0.0, 0.0, 0.0], torch.zeros(3)), TypeError,
         r"^densities_1d: p_data must be a torch\.Tensor; got list\."),
        ((torch.zeros(3), torch.zeros(3), torch.zeros(4)), ValueError,
         r"^densities_1d: p_g must have the shape of x, \(points,\); got \(4,\) and x \(3,\)\."),
        ((torch.zeros(3, 1), torch.zeros(3, 1), torch.zeros(3, 1)), ValueError,
         r"^densities_1d: x must have shape \(points,\); got \(3, 1\)\. Pass the grid's "),
        ((torch.zeros(3), torch.zeros(3), torch.zeros(3), torch.zeros(3, dtype=torch.int64)),
         TypeError, r"^densities_1d: d must have a floating-point dtype; got torch\.int64\."),
    ],
)  # fmt: skip
def test_densities_1d_bad_arguments_are_errors(arguments, error, message):
    from ganlib.plot import densities_1d

    with pytest.raises(error, match=message):
        densities_1d(*arguments)
