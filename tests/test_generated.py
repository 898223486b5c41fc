"""Tests of ganlib.generated: the push-forward density against closed forms (affine, monotone,
folding generators), its docstring equation evaluated literally, its convergence in the number
of z points, a Kolmogorov-Smirnov comparison with samples, sampling behaviour (seeding, eval
mode, dtype) and every error message. Float64 throughout, except where a test is about the
float32 networks ganlib builds; every random draw comes from a seeded torch.Generator."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from ganlib.generated import GeneratorDistribution, pushforward_density
from ganlib.nets import generator
from ganlib.noise import Noise
from ganlib.theory import Grid

F64 = torch.float64
SQRT3 = math.sqrt(3.0)
UNIFORM = Noise(1, "uniform")


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


class Elementwise(nn.Module):
    """G(z) = f(z) for a torch function f, with no parameters (float64 throughout)."""

    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, z):
        return self.f(z.to(F64))


def affine(a: float, b: float) -> nn.Module:
    layer = nn.Linear(1, 1).to(F64)
    with torch.no_grad():
        layer.weight.fill_(a)
        layer.bias.fill_(b)
    return layer


def tanh_mlp(seed: int) -> nn.Module:
    """The 1-D generator of the training chapter: 32 tanh units, weights drawn from one seed."""
    return generator(1, 1, (32,), activation="tanh", output=None, rng=seeded(seed))


def edges_of(grid: Grid) -> torch.Tensor:
    return torch.cat([grid.x - grid.dx / 2, grid.x[-1:] + grid.dx / 2])  # (points + 1,)


def cdf_at_edges(grid: Grid, density: torch.Tensor) -> torch.Tensor:
    return torch.cat([density.new_zeros(1), density.cumsum(0) * grid.dx])  # (points + 1,)


def cell_averages(grid: Grid, cdf) -> torch.Tensor:
    """The exact cell averages of a density whose CDF is cdf."""
    return cdf(edges_of(grid)).diff() / grid.dx


GRID = Grid(-6.0, 10.0, 1601)  # dx = 0.01


# --- closed forms -----------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [(0.7, 2.0), (-0.7, 2.0), (1.3, -0.004)])
def test_an_affine_generator_of_uniform_noise_is_uniform(a, b):
    # G(z) = a z + b of U(-sqrt 3, sqrt 3) is U(b - |a| sqrt 3, b + |a| sqrt 3): each piece is
    # linear, so the cell averages are exact up to rounding.
    low, high = b - abs(a) * SQRT3, b + abs(a) * SQRT3
    expected = cell_averages(GRID, lambda e: ((e - low) / (high - low)).clamp(0, 1))
    density = GeneratorDistribution(affine(a, b), UNIFORM).density(GRID, z_points=201)
    torch.testing.assert_close(density, expected, rtol=0, atol=1e-9)
    assert float(GRID.integrate(density)) == pytest.approx(1.0, abs=1e-12)


def test_a_monotone_generator_with_a_known_inverse_converges_as_one_over_n_squared():
    # G(z) = exp(z): F(x) = (log x + sqrt 3) / (2 sqrt 3) on [exp(-sqrt 3), exp(sqrt 3)].
    exact_cdf = ((edges_of(GRID).clamp_min(1e-300).log() + SQRT3) / (2 * SQRT3)).clamp(0, 1)
    p_g = GeneratorDistribution(Elementwise(torch.exp), UNIFORM)
    errors = []
    for n in (201, 401, 801):
        cdf = cdf_at_edges(GRID, p_g.density(GRID, z_points=n))
        errors.append(float((cdf - exact_cdf).abs().max()))
    # Linear interpolation of G between z points: a CDF error of O(h^2), h = 2 sqrt 3 / (n - 1).
    assert errors[2] < 2e-6
    assert errors[0] / errors[1] > 3.5 and errors[1] / errors[2] > 3.5


def test_a_folding_generator_adds_both_branches():
    # G(z) = z^2 folds at 0: p_g(x) = 2 * (1 / (2 sqrt 3)) / (2 sqrt x), F(x) = sqrt(x / 3).
    grid = Grid(-0.995, 3.995, 500)  # cells of width 0.01 with edges on multiples of 0.01
    expected = cell_averages(grid, lambda e: (e.clamp(0, 3) / 3).sqrt())
    density = GeneratorDistribution(Elementwise(torch.square), UNIFORM).density(grid, z_points=4001)
    cdf_error = (cdf_at_edges(grid, density) - cdf_at_edges(grid, expected)).abs().max()
    assert float(cdf_error) < 1e-6  # z = 0 is a grid point: the fold is resolved exactly
    assert float(grid.integrate(density)) == pytest.approx(1.0, abs=1e-12)


def test_pushforward_density_docstring_equation():
    grid = Grid(-1.0, 2.0, 31)
    z = torch.linspace(-SQRT3, SQRT3, 9, dtype=F64)
    x_of_z = torch.sin(2 * z) * 0.8 + 0.5  # folds twice
    density = pushforward_density(grid, x_of_z)
    edges = edges_of(grid)
    low, high = torch.minimum(x_of_z[:-1], x_of_z[1:]), torch.maximum(x_of_z[:-1], x_of_z[1:])
    cdf = torch.zeros(len(edges), dtype=F64)
    for i, e in enumerate(edges.tolist()):  # F(e_i) = mean_j clamp((e_i - l_j) / (h_j - l_j))
        cdf[i] = sum(
            min(max((e - lo) / max(hi - lo, 1e-12), 0.0), 1.0)
            for lo, hi in zip(low.tolist(), high.tolist(), strict=True)
        ) / (len(z) - 1)
    torch.testing.assert_close(density, cdf.diff() / grid.dx, rtol=1e-12, atol=1e-12)


def test_many_z_points_are_processed_in_blocks_with_the_same_result():
    grid = Grid(-1.0, 1.0, 101)  # 102 edges x 50,000 pieces: more than one block
    z = torch.linspace(-SQRT3, SQRT3, 50_001, dtype=F64)
    x_of_z = torch.tanh(2 * z) * 0.9
    low, high = torch.minimum(x_of_z[:-1], x_of_z[1:]), torch.maximum(x_of_z[:-1], x_of_z[1:])
    share = (edges_of(grid)[:, None] - low) / (high - low).clamp_min(1e-12)  # all at once
    expected = share.clamp(0, 1).mean(1).diff() / grid.dx
    torch.testing.assert_close(pushforward_density(grid, x_of_z), expected, rtol=0, atol=1e-10)


def test_a_flat_generator_is_a_point_mass_in_one_cell():
    density = pushforward_density(GRID, torch.full((11,), 2.003, dtype=F64))
    assert int((density > 0).sum()) == 1
    assert float(density[800]) == pytest.approx(1 / GRID.dx)  # the cell [1.995, 2.005)


# --- the training chapter's generators --------------------------------------------------------


@pytest.mark.parametrize("seed", range(10))
def test_tanh_generators_at_801_z_points_are_within_5e_6_of_a_fine_reference(seed):
    # Measured for seeds 0..9: a CDF error of 0.6-4.7e-6 at 801 points, about 16 times less
    # with 4 times the points (O(N^-2)); the float32 network adds nothing visible.
    p_g = GeneratorDistribution(tanh_mlp(seed), UNIFORM)
    reference = GeneratorDistribution(tanh_mlp(seed).double(), UNIFORM)
    fine = cdf_at_edges(GRID, reference.density(GRID, z_points=50_001))
    density = p_g.density(GRID)
    assert float(GRID.integrate(density)) == pytest.approx(1.0, abs=1e-12)
    assert float((cdf_at_edges(GRID, density) - fine).abs().max()) < 1e-5


@pytest.mark.parametrize("seed", [0, 4, 8])  # a broad, a narrow and the tallest peak (19.7)
def test_the_density_agrees_with_samples_by_a_kolmogorov_smirnov_comparison(seed):
    # The cell averages give the CDF exactly at the cell *edges* (up to the 1e-5 above), so the
    # empirical CDF is compared there; the supremum over edges is at most the KS statistic,
    # whose 1% critical value for n samples is 1.628 / sqrt(n) (Kolmogorov's distribution).
    # Comparing at the grid points instead is off by half a cell's mass, up to p_g dx / 2.
    n = 100_000
    p_g = GeneratorDistribution(tanh_mlp(seed), UNIFORM)
    cdf = cdf_at_edges(GRID, p_g.density(GRID))
    x = p_g.sample((n,), seeded(100 + seed)).reshape(-1).sort().values
    empirical = torch.searchsorted(x, edges_of(GRID), right=True).to(F64) / n
    assert float((empirical - cdf).abs().max()) < 1.628 / math.sqrt(n) + 1e-5


# --- sampling ---------------------------------------------------------------------------------


def test_sample_is_the_generator_of_seeded_noise_in_eval_mode_and_float64():
    network = tanh_mlp(0)
    p_g = GeneratorDistribution(network, UNIFORM)
    x = p_g.sample((4, 3), seeded(7))
    assert x.shape == (4, 3, 1) and x.dtype == F64 and not x.requires_grad
    z = Noise(1, "uniform").sample((12,), seeded(7))
    with torch.no_grad():
        expected = network(z).to(F64).reshape(4, 3, 1)
    assert torch.equal(x, expected)
    assert torch.equal(p_g.sample((4, 3), seeded(7)), x)  # reproducible
    assert p_g.sample((5,), seeded(7), dtype=torch.float32).dtype == torch.float32


def test_sample_runs_in_eval_mode_and_restores_the_training_flag():
    network = nn.Sequential(nn.Linear(1, 64), nn.Dropout(0.5), nn.Linear(64, 1))
    network.train()
    p_g = GeneratorDistribution(network, UNIFORM)
    first, second = p_g.sample((50,), seeded(1)), p_g.sample((50,), seeded(1))
    assert torch.equal(first, second)  # no dropout in eval mode
    assert network.training
    network.eval()
    p_g.density(Grid(-50.0, 50.0, 101))
    assert not network.training


def test_sample_leaves_the_global_rng_alone():
    before = torch.random.get_rng_state()
    GeneratorDistribution(tanh_mlp(0), UNIFORM).sample((10,), seeded(0))
    assert torch.equal(torch.random.get_rng_state(), before)


# --- errors -----------------------------------------------------------------------------------


def test_the_grid_must_cover_the_generators_range():
    narrow = Grid(-1.0, 1.0, 201)  # cells cover [-1.005, 1.005]
    p_g = GeneratorDistribution(affine(1.0, 0.5), UNIFORM)  # U(0.5 - sqrt 3, 0.5 + sqrt 3)
    message = (
        r"pushforward_density: the grid must cover the generator's range; got G\(z\) in "
        r"\[-1.23205, 2.23205\] and grid cells covering \[-1.005, 1.005\]"
    )
    with pytest.raises(ValueError, match=message):
        p_g.density(narrow)


def test_errors():
    p_g = GeneratorDistribution(tanh_mlp(0), UNIFORM)
    with pytest.raises(TypeError, match=r"GeneratorDistribution: generator must be a torch\.nn"):
        GeneratorDistribution(lambda z: z, UNIFORM)
    with pytest.raises(TypeError, match=r"GeneratorDistribution: noise must be a ganlib\.Noise"):
        GeneratorDistribution(tanh_mlp(0), "uniform")
    with pytest.raises(TypeError, match=r"GeneratorDistribution.sample: sample_shape must be"):
        p_g.sample(5)
    with pytest.raises(TypeError, match=r"GeneratorDistribution.sample: generator must be a CPU"):
        p_g.sample((5,), 0)
    with pytest.raises(TypeError, match=r"GeneratorDistribution.sample: dtype must be a float"):
        p_g.sample((5,), seeded(0), dtype=torch.int64)
    with pytest.raises(TypeError, match=r"GeneratorDistribution.density: grid must be a ganlib"):
        p_g.density(torch.linspace(0, 1, 11))
    with pytest.raises(ValueError, match=r"GeneratorDistribution.density: z_points must be >= 2"):
        p_g.density(GRID, z_points=1)
    with pytest.raises(ValueError, match=r"GeneratorDistribution.density: noise must be 1-D"):
        GeneratorDistribution(tanh_mlp(0), Noise(1, "normal")).density(GRID)
    with pytest.raises(ValueError, match=r"GeneratorDistribution.density: generator must map one"):
        GeneratorDistribution(nn.Linear(1, 2), UNIFORM).density(GRID)
    with pytest.raises(ValueError, match=r"pushforward_density: x_of_z must be 1-D with at least"):
        pushforward_density(GRID, torch.zeros(5, 1, dtype=F64))
    with pytest.raises(ValueError, match=r"pushforward_density: x_of_z must be finite; got 1 "):
        pushforward_density(GRID, torch.tensor([0.0, math.nan], dtype=F64))
    with pytest.raises(TypeError, match=r"pushforward_density: x_of_z must have a floating"):
        pushforward_density(GRID, torch.zeros(5, dtype=torch.int64))
    assert repr(p_g) == "GeneratorDistribution(Sequential, Noise(latent_dim=1, kind='uniform'))"
