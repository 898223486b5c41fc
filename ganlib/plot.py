r"""Figures for the chapters and the command line, with matplotlib.

Each function returns a ``matplotlib.figure.Figure`` built without pyplot, so nothing here
changes global state: importing the module sets no ``rcParams`` and opens no window, and a
figure is not kept alive by pyplot's registry. In a notebook a returned figure displays
itself; save one with ``figure.savefig(path)``. Pass ``ax=`` to draw into a panel of your
own figure instead (then that panel's figure is returned).

The package imports this module only where a figure is drawn (:mod:`ganlib.recipes`, when
asked for one), so that ``import ganlib`` does not load matplotlib.

>>> import torch
>>> from ganlib import Gaussian1d
>>> samples = Gaussian1d(4.0, 0.5).sample((500,), torch.Generator().manual_seed(0))
>>> figure = samples_1d(Gaussian1d(4.0, 0.5), samples)
>>> [axis.get_xlabel() for axis in figure.axes]
['x']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from ganlib._checks import check_int, check_points, check_tensor, check_type

__all__ = ["densities_1d", "samples_1d", "samples_2d", "training_curves"]

# The paper's Figure 1 colours: p_data black dotted, p_g green solid, D blue dashed.
DATA_STYLE = {"color": "black", "linestyle": ":", "linewidth": 2.0}
MODEL_COLOR = "tab:green"
DISCRIMINATOR_STYLE = {"color": "tab:blue", "linestyle": "--"}


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is None:
        figure = Figure(figsize=figsize, layout="constrained")
        return figure, figure.add_subplot()
    fix = "Pass e.g. figure.add_subplot(), or None for a new figure."
    check_type("plot", "ax", ax, Axes, "a matplotlib Axes or None", fix=fix)
    return ax.get_figure(), ax


def _points(function: str, samples: object, dim: int, name: str = "samples") -> np.ndarray:
    """At least one point of shape (..., dim) (or (n,) when dim is 1), as float64 (n, dim)."""
    check_tensor(function, name, samples)
    if dim == 1 and samples.ndim == 1:  # type: ignore[union-attr]
        samples = samples[:, None]  # type: ignore[index]
    x = check_points(function, name, samples.detach(), dim, rows=1)  # type: ignore[union-attr]
    return x.to("cpu", torch.float64).reshape(-1, dim).numpy()


def densities_1d(
    x: Tensor,
    p_data: Tensor,
    p_g: Tensor,
    d: Tensor | None = None,
    *,
    d_label: str = r"$D^*$",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    r"""Two densities and a discriminator on a 1-D grid, in the style of the paper's Figure 1.

    Draws :math:`p_{data}(x)` black dotted, :math:`p_g(x)` green solid and, if given,
    :math:`D(x) \in [0, 1]` blue dashed (labelled ``d_label``), all against the grid points
    ``x``, on one shared y axis: D is drawn unscaled, so it reads off the same axis as
    densities of height about 1. ``x``, ``p_data``, ``p_g`` and ``d`` are floating-point
    tensors of the same shape ``(points,)``, e.g. ``grid.x`` and densities from
    :meth:`ganlib.Grid.density`. Entries of ``d`` that are NaN are left out of the line (a
    way to show where D is undefined, as D* is where both densities vanish). Limits and the
    legend are left to the caller.

    >>> import torch
    >>> from ganlib import Grid, optimal_discriminator
    >>> grid = Grid(-4.0, 4.0, 81)
    >>> p_data, p_g = grid.normal_density(0.0), grid.normal_density(1.0, 0.5)
    >>> figure = densities_1d(grid.x, p_data, p_g, optimal_discriminator(p_data, p_g))
    >>> [line.get_label() for line in figure.axes[0].get_lines()]
    ['$p_{data}$', '$p_g$', '$D^*$']
    """
    function = "densities_1d"
    check_tensor(function, "x", x)
    if x.ndim != 1:
        raise ValueError(
            f"{function}: x must have shape (points,); got {tuple(x.shape)}. Pass the grid's "
            "points, e.g. grid.x."
        )
    curves = {"x": x, "p_data": p_data, "p_g": p_g}
    if d is not None:
        curves["d"] = d
    for name, values in curves.items():
        check_tensor(function, name, values)
        if values.shape != x.shape:
            raise ValueError(
                f"{function}: {name} must have the shape of x, (points,); got "
                f"{tuple(values.shape)} and x {tuple(x.shape)}. Pass one value per grid point."
            )
    arrays = {name: v.detach().to("cpu", torch.float64).numpy() for name, v in curves.items()}
    figure, ax = _axes(ax, (6.0, 3.5))
    ax.plot(arrays["x"], arrays["p_data"], **DATA_STYLE, label=r"$p_{data}$")
    ax.plot(arrays["x"], arrays["p_g"], color=MODEL_COLOR, linewidth=1.5, label=r"$p_g$")
    if d is not None:
        ax.plot(arrays["x"], arrays["d"], **DISCRIMINATOR_STYLE, linewidth=1.5, label=d_label)
    if title:
        ax.set_title(title)
    return figure


def samples_1d(
    p_data: Any,
    samples: Tensor,
    *,
    discriminator: Any = None,
    bins: int = 60,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    r"""A histogram of 1-D samples (p_g, green) over the target density (p_data, dotted).

    ``p_data`` is a 1-D ganlib target (its ``log_prob`` takes points of shape ``(n, 1)``).
    ``discriminator``, a network returning logits, adds :math:`D(x) = \sigma(\text{logit})`
    dashed in blue, in the paper's Figure 1 style; it is evaluated without gradients, in
    float32 on the device of its parameters. The x range covers the samples and the target.
    """
    x = _points("samples_1d", samples, 1)[:, 0]
    mean, std = float(p_data.mean.reshape(-1)[0]), float(p_data.variance.reshape(-1)[0]) ** 0.5
    low = min(float(x.min()), mean - 4 * std)
    high = max(float(x.max()), mean + 4 * std)
    grid = torch.linspace(low, high, 501, dtype=torch.float64)[:, None]  # (501, 1)
    density = p_data.log_prob(grid).exp().numpy()
    figure, ax = _axes(ax, (6.0, 3.5))
    ax.hist(
        x,
        bins=bins,
        range=(low, high),
        density=True,
        color=MODEL_COLOR,
        alpha=0.45,
        label=r"$p_g$ (generated samples)",
    )
    ax.plot(grid[:, 0].numpy(), density, **DATA_STYLE, label=r"$p_{data}$")
    if discriminator is not None:
        parameter = next(discriminator.parameters())
        with torch.no_grad():
            logits = discriminator(grid.to(parameter.device, parameter.dtype))
        d = torch.sigmoid(logits).reshape(-1).double().cpu().numpy()
        scale = max(float(density.max()), 1e-12)  # D in [0, 1], drawn on the density's scale
        ax.plot(
            grid[:, 0].numpy(),
            d * scale,
            **DISCRIMINATOR_STYLE,
            label=rf"$D(x)$ (scaled by {scale:.3g})",
        )
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.legend(loc="upper right", fontsize="small")
    if title:
        ax.set_title(title)
    return figure


def samples_2d(
    samples: Tensor,
    *,
    centres: Tensor | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """A scatter of 2-D samples (green), with the target's mode ``centres`` (black crosses)."""
    x = _points("samples_2d", samples, 2)
    figure, ax = _axes(ax, (4.5, 4.5))
    ax.scatter(x[:, 0], x[:, 1], s=4, color=MODEL_COLOR, alpha=0.5, label="generated samples")
    if centres is not None:
        c = _points("samples_2d", centres, 2, "centres")
        ax.scatter(c[:, 0], c[:, 1], marker="x", s=50, color="black", label="mode centres")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper right", fontsize="small")
    if title:
        ax.set_title(title)
    return figure


def tile_images(samples: Tensor, image_shape: tuple[int, int], columns: int) -> np.ndarray:
    """Flattened images (n, pixels) as one 2-D array of tiles, ``columns`` per row, with a
    NaN gap of one pixel between tiles (drawn blank by ``imshow``)."""
    columns = check_int("tile_images", "columns", columns, minimum=1, fix="Pass e.g. 10.")
    rows_px, cols_px = image_shape
    x = _points("tile_images", samples, rows_px * cols_px).reshape(-1, rows_px, cols_px)
    rows = -(-x.shape[0] // columns)  # ceiling division
    canvas = np.full((rows * (rows_px + 1) - 1, columns * (cols_px + 1) - 1), np.nan)
    for i, image in enumerate(x):
        top, left = (i // columns) * (rows_px + 1), (i % columns) * (cols_px + 1)
        canvas[top : top + rows_px, left : left + cols_px] = image
    return canvas


def image_grid(
    samples: Tensor,
    image_shape: tuple[int, int],
    *,
    columns: int = 10,
    title: str | None = None,
) -> Figure:
    """Flattened images in [-1, 1] (the generator's tanh range) tiled in a grid, gray scale."""
    canvas = tile_images(samples, image_shape, columns)
    figure = Figure(figsize=(0.05 * canvas.shape[1], 0.05 * canvas.shape[0]))
    ax = figure.add_subplot()
    ax.imshow(canvas, cmap="gray_r", vmin=-1.0, vmax=1.0, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return figure


def _smooth(values: np.ndarray, window: int) -> np.ndarray:
    """The running mean over ``window`` steps (shorter at the start)."""
    sums = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    return (sums[1:] - sums[np.arange(1, len(values) + 1) - counts]) / counts


def training_curves(history: Any, *, window: int | None = None) -> Figure:
    r"""Two panels over the iterations: the two losses, and mean D(x) and D(G(z)).

    ``history`` is a :class:`ganlib.History`. Per-step values are drawn faintly and their
    running mean over ``window`` steps (default: a 50th of the run, at least 1) boldly. The
    dotted lines mark the equilibrium of Theorem 1: D = 1/2, where the discriminator's loss
    is :math:`\log 4` (and the minimax generator loss :math:`-\log 2`).
    """
    steps = len(history)
    if steps == 0:
        raise ValueError("training_curves: history must hold at least one step; got 0.")
    fix = "Pass a number of steps, e.g. 50, or None for a 50th of the run."
    window = (
        max(1, steps // 50)
        if window is None
        else check_int("training_curves", "window", window, minimum=1, fix=fix)
    )
    t = np.arange(steps)
    figure = Figure(figsize=(9.0, 3.5), layout="constrained")
    losses, means = figure.subplots(1, 2)
    curves = (
        (losses, history.discriminator_loss, "discriminator loss", "tab:blue"),
        (losses, history.generator_loss, "generator loss", MODEL_COLOR),
        (means, history.d_real, "mean $D(x)$", "black"),
        (means, history.d_fake, "mean $D(G(z))$", MODEL_COLOR),
    )
    for ax, values, label, color in curves:
        y = values.detach().double().cpu().numpy()
        ax.plot(t, y, color=color, alpha=0.25, linewidth=0.8)
        ax.plot(t, _smooth(y, window), color=color, label=label)
    losses.axhline(np.log(4), color="0.5", linestyle=":", linewidth=1)
    means.axhline(0.5, color="0.5", linestyle=":", linewidth=1)
    means.set_ylim(-0.02, 1.02)
    for ax, name in ((losses, "loss"), (means, "D")):
        ax.set_xlabel("iteration")
        ax.set_ylabel(name)
        ax.legend(fontsize="small")
    return figure
