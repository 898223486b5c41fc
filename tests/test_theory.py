"""Tests of ganlib.theory: quadrature against closed forms, Proposition 1 and Theorem 1 as
properties over families of distributions, the log-space and sample-based forms, gradients and
every error message. Float64 throughout unless a test is about float32; every random draw comes
from a seeded torch.Generator."""

from __future__ import annotations

import math
from functools import partial
from itertools import pairwise

import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Categorical, MixtureSameFamily, Normal, Uniform

from ganlib.divergences import js_divergence, kl_divergence
from ganlib.theory import (
    Grid,
    optimal_discriminator,
    optimal_discriminator_logit,
    value_function,
    value_function_estimate,
    virtual_training_criterion,
)

F64 = torch.float64
LOG4 = math.log(4.0)
GRID = Grid(-16.0, 16.0, 3201)  # dx = 0.01; 8 standard deviations of the widest Gaussian (2)
# Uniforms jump at 0, 1, 2, 3: a grid whose points lie midway between multiples of 0.01 puts
# exactly 100 points per unit interval, so their densities integrate to 1 to rounding.
STEP_GRID = Grid(-1.995, 4.995, 700)


def t64(*values: float) -> torch.Tensor:
    return torch.tensor(values, dtype=F64)


def normal(mean: float, std: float) -> Normal:
    return Normal(torch.tensor(mean, dtype=F64), torch.tensor(std, dtype=F64))


def uniform(low: float, high: float) -> Uniform:
    return Uniform(torch.tensor(low, dtype=F64), torch.tensor(high, dtype=F64))


def mixture(weights, means, stds) -> MixtureSameFamily:
    return MixtureSameFamily(Categorical(probs=t64(*weights)), Normal(t64(*means), t64(*stds)))


GAUSSIAN_PAIRS = [(0.0, 1.0, 1.0, 1.0), (0.0, 1.0, 0.5, 1.5), (-1.0, 0.8, 1.0, 1.2)]
GAUSSIAN_PAIRS += [(0.5, 1.3, -0.5, 0.7), (0.0, 1.0, 3.0, 1.0), (2.0, 0.5, -2.0, 2.0)]
# (p_data, p_g) pairs on GRID, by name so that a failing case says which.
FAMILIES = {
    **{f"normal{pair}": (normal(*pair[:2]), normal(*pair[2:])) for pair in GAUSSIAN_PAIRS},
    "mixture vs normal": (mixture([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5]), normal(0.0, 1.5)),
    "mixture vs mixture": (
        mixture([0.2, 0.3, 0.5], [-3.0, 0.0, 3.0], [0.6, 0.8, 1.0]),
        mixture([0.6, 0.4], [-1.0, 2.5], [1.0, 0.5]),
    ),
    "one mode of two": (mixture([0.5, 0.5], [-3.0, 3.0], [0.5, 0.5]), normal(3.0, 0.5)),
}
# (p_data, p_g, closed-form C(G)) for uniforms on STEP_GRID.
UNIFORM_PAIRS = {
    "equal": (uniform(0.0, 2.0), uniform(0.0, 2.0), -LOG4),
    "half overlap": (uniform(0.0, 2.0), uniform(1.0, 3.0), -math.log(2.0)),  # JS = log(2) / 2
    "disjoint": (uniform(0.0, 1.0), uniform(2.0, 3.0), 0.0),
    # p_g = U(0, 2) inside p_data = U(-1, 3): D* = 1 off [0, 2) (weight 0 for p_g); on [0, 2)
    # D* = (1/4) / (1/4 + 1/2) = 1/3, where p_data has mass 1/2 and p_g mass 1.
    "nested": (
        uniform(-1.0, 3.0),
        uniform(0.0, 2.0),
        0.5 * math.log(1 / 3) + 1.0 * math.log(2 / 3),
    ),
}


def densities(name: str, grid: Grid = GRID):
    p_data, p_g = FAMILIES[name]
    return grid.density(p_data), grid.density(p_g)


# --- quadrature -------------------------------------------------------------------------------


def test_grid_points_and_spacing():
    grid = Grid(-1, 3, 5)
    assert grid.dx == 1.0
    torch.testing.assert_close(grid.x, t64(-1.0, 0.0, 1.0, 2.0, 3.0), rtol=0, atol=0)
    assert grid.x.dtype == F64 and Grid(0, 1, 3, dtype=torch.float32).x.dtype == torch.float32
    assert grid.x.device == torch.device("cpu")
    assert Grid(0.0, 1.0, 3, device="meta").x.device == torch.device("meta")
    assert (grid.low, grid.high, grid.points) == (-1.0, 3.0, 5) and isinstance(grid.low, float)


@pytest.mark.parametrize("grid", [GRID, Grid(-12.0, 12.0, 49)], ids=["dx=0.01", "dx=0.5"])
def test_quadrature_matches_closed_forms(grid):
    # The rectangle rule is spectrally accurate for Gaussians: even dx = 0.5 gives 1e-6.
    p, q = grid.density(normal(0.0, 1.0)), grid.density(normal(1.0, 1.0))
    assert grid.integrate(p).item() == pytest.approx(1.0, abs=1e-6)
    assert grid.integrate(grid.x**2 * p).item() == pytest.approx(1.0, abs=1e-6)  # E[x^2]
    assert kl_divergence(p, q, dx=grid.dx).item() == pytest.approx(0.5, abs=1e-6)


def test_rectangle_rule_is_the_trapezoid_rule_plus_the_end_values():
    grid = Grid(0.0, 1.0, 11)
    f = torch.exp(grid.x)  # does not vanish at the ends
    trapezoid = torch.trapezoid(f, dx=grid.dx)
    end_values = (f[0] + f[-1]) * grid.dx / 2
    torch.testing.assert_close(grid.integrate(f), trapezoid + end_values, rtol=1e-14, atol=0)
    torch.testing.assert_close(grid.integrate(f), f.sum() * grid.dx, rtol=0, atol=0)


def test_integrate_reduces_the_last_dimension():
    grid = Grid(0.0, 1.0, 11)
    values = torch.ones(2, 3, 11, dtype=F64)
    torch.testing.assert_close(grid.integrate(values), torch.full((2, 3), 1.1, dtype=F64))


def test_density_is_zero_outside_the_support():
    p = STEP_GRID.density(uniform(0.0, 2.0))
    x = STEP_GRID.x
    assert torch.equal(p, torch.where((x >= 0) & (x < 2), 0.5, 0.0).to(F64))
    assert STEP_GRID.integrate(p).item() == pytest.approx(1.0, abs=1e-12)
    log_p = STEP_GRID.log_density(uniform(0.0, 2.0))
    assert torch.equal(log_p.isneginf(), p == 0)


def test_density_matches_log_prob_and_keeps_gradients():
    loc = torch.tensor(0.3, dtype=F64, requires_grad=True)
    distribution = Normal(loc, torch.tensor(1.0, dtype=F64))
    p = GRID.density(distribution)
    torch.testing.assert_close(p, distribution.log_prob(GRID.x).exp(), rtol=1e-15, atol=0)
    (GRID.x * p).sum().mul(GRID.dx).backward()  # d/dloc E[x] = 1
    assert loc.grad.item() == pytest.approx(1.0, abs=1e-9)


# --- Proposition 1: the optimal discriminator -------------------------------------------------


@pytest.mark.parametrize(("m1", "s1", "m2", "s2"), GAUSSIAN_PAIRS)
def test_optimal_discriminator_of_two_gaussians(m1, s1, m2, s2):
    x = GRID.x
    log_ratio = math.log(s2 / s1) - (x - m1) ** 2 / (2 * s1**2) + (x - m2) ** 2 / (2 * s2**2)
    closed_form = torch.sigmoid(log_ratio)  # p / (p + q) = 1 / (1 + q / p)
    d_star = optimal_discriminator(GRID.density(normal(m1, s1)), GRID.density(normal(m2, s2)))
    torch.testing.assert_close(d_star, closed_form, rtol=1e-12, atol=1e-300)


def test_optimal_discriminator_is_one_half_where_the_densities_agree():
    p = GRID.density(mixture([0.3, 0.7], [-1.0, 2.0], [0.5, 1.0]))
    assert torch.equal(optimal_discriminator(p, p)[p > 0], torch.full_like(p, 0.5)[p > 0])
    assert torch.equal(optimal_discriminator(p, p), torch.full_like(p, 0.5))  # and where p = 0


def test_optimal_discriminator_where_both_densities_vanish():
    p_data, p_g = t64(2.0, 0.0, 0.0, 1.0), t64(0.0, 3.0, 0.0, 1.0)
    assert optimal_discriminator(p_data, p_g).tolist() == [1.0, 0.0, 0.5, 0.5]
    assert optimal_discriminator(p_data, p_g, where_both_zero=0.2).tolist() == [1.0, 0, 0.2, 0.5]
    # Any value there is optimal: V does not depend on it.
    p, q = STEP_GRID.density(uniform(0.0, 1.0)), STEP_GRID.density(uniform(2.0, 3.0))
    values = [
        value_function(optimal_discriminator(p, q, where_both_zero=w), p, q, dx=STEP_GRID.dx)
        for w in (0.0, 0.5, 1.0)
    ]
    assert values[0].item() == values[1].item() == values[2].item() == 0.0


def test_optimal_discriminator_keeps_shape_and_dtype():
    generator = torch.Generator().manual_seed(7)
    p, q = torch.rand(2, 2, 3, generator=generator).unbind()  # float32, shape (2, 3)
    d_star = optimal_discriminator(p, q)
    assert d_star.shape == (2, 3) and d_star.dtype == torch.float32
    assert optimal_discriminator(t64(1.0)[0], t64(3.0)[0]).item() == 0.25  # 0-d works


def test_no_perturbation_of_the_optimal_discriminator_raises_v():
    p, q = densities("mixture vs normal")  # D* stays inside (0, 1) on this grid
    d_star = optimal_discriminator(p, q)
    best = value_function(d_star, p, q, dx=GRID.dx)
    generator = torch.Generator().manual_seed(0)
    x, n = GRID.x, 100  # n perturbations of each kind, all evaluated as one batch

    def draw(*shape):
        return torch.randn(*shape, generator=generator, dtype=F64)

    centre = 3 * draw(n, 1)
    width = 0.1 + draw(n, 1).abs()
    deltas = torch.cat(
        [
            draw(n, x.numel()),  # independent noise at every point
            draw(n, 1).expand(n, x.numel()),  # a constant shift
            torch.exp(-((x - centre) ** 2) / (2 * width**2)),  # a smooth bump somewhere
        ]
    )  # (3n, points)
    scale = 10 ** (-4 + 4 * torch.rand(3 * n, 1, generator=generator, dtype=F64))  # 1e-4 to 1
    d = (d_star + scale * deltas).clamp(1e-12, 1 - 1e-12)  # (3n, points)
    values = value_function(d, p.expand_as(d), q.expand_as(d), dx=GRID.dx)  # (3n,)
    assert bool((values <= best + 1e-12).all()), values.max() - best
    # The gap is exactly the (p + q)-weighted Bernoulli KL(D* || D), which is >= 0.
    bernoulli_kl = d_star * torch.log(d_star / d) + (1 - d_star) * torch.log((1 - d_star) / (1 - d))
    gap = ((p + q) * bernoulli_kl).sum(-1) * GRID.dx  # (3n,)
    torch.testing.assert_close(best - values, gap, rtol=1e-6, atol=1e-12)


# --- Theorem 1: the virtual training criterion ------------------------------------------------


@pytest.mark.parametrize("name", FAMILIES)
def test_criterion_is_minus_log_4_plus_twice_js(name):
    p, q = densities(name)
    criterion = virtual_training_criterion(p, q, dx=GRID.dx)
    theorem = -LOG4 + 2 * js_divergence(p, q, dx=GRID.dx)
    assert criterion.item() == pytest.approx(theorem.item(), abs=1e-12)
    # C(G) is the value function at D* wherever D* is representable; where p_g << p_data it
    # rounds to 1 and V of the rounded D is -inf (see the test below).
    d_star = optimal_discriminator(p, q)
    at_d_star = value_function(d_star, p, q, dx=GRID.dx).item()
    rounded = bool(((d_star == 1) & (q > 0)).any())
    assert at_d_star == (-math.inf if rounded else pytest.approx(criterion.item(), abs=1e-12))
    assert criterion.item() > -LOG4 + 1e-3


@pytest.mark.parametrize("name", UNIFORM_PAIRS)
def test_criterion_of_uniforms_matches_closed_form(name):
    p_data, p_g, closed_form = UNIFORM_PAIRS[name]
    p, q = STEP_GRID.density(p_data), STEP_GRID.density(p_g)
    criterion = virtual_training_criterion(p, q, dx=STEP_GRID.dx).item()
    assert criterion == pytest.approx(closed_form, abs=1e-12)
    theorem = -LOG4 + 2 * js_divergence(p, q, dx=STEP_GRID.dx).item()
    assert criterion == pytest.approx(theorem, abs=1e-12)


@pytest.mark.parametrize("distribution", [normal(0.5, 1.5), mixture([0.4, 0.6], [-2, 1], [1, 0.3])])
def test_criterion_is_minus_log_4_at_p_g_equal_to_p_data(distribution):
    p = GRID.density(distribution)
    assert virtual_training_criterion(p, p, dx=GRID.dx).item() == pytest.approx(-LOG4, abs=1e-6)
    d_half = torch.full_like(p, 0.5)
    assert value_function(d_half, p, p, dx=GRID.dx).item() == pytest.approx(-LOG4, abs=1e-6)


def test_criterion_decreases_to_minus_log_4_as_p_g_approaches_p_data():
    p = GRID.density(normal(0.0, 1.0))
    gaps = [
        virtual_training_criterion(p, GRID.density(normal(mean, 1.0)), dx=GRID.dx).item() + LOG4
        for mean in (2.0, 1.0, 0.5, 0.1, 0.01)
    ]
    assert all(later < earlier for earlier, later in pairwise(gaps))
    assert all(gap > 0 for gap in gaps)


def test_criterion_stays_finite_where_d_star_rounds_to_one():
    # N(0, 1) vs N(4, 1) on [-16, 16]: at x = -16, p_g / p_data = exp(-72) and D* rounds to 1.
    p, q = GRID.density(normal(0.0, 1.0)), GRID.density(normal(4.0, 1.0))
    d_star = optimal_discriminator(p, q)
    assert bool(((d_star == 1) & (q > 0)).any())  # 1 - D* is 0 for the rounded D* ...
    assert value_function(d_star, p, q, dx=GRID.dx).item() == -math.inf  # ... so V says -inf,
    criterion = virtual_training_criterion(p, q, dx=GRID.dx)  # but C(G) uses p_g / (p + p_g)
    theorem = -LOG4 + 2 * js_divergence(p, q, dx=GRID.dx)
    assert criterion.item() == pytest.approx(theorem.item(), abs=1e-12)


def test_criterion_of_probability_vectors_and_batches():
    p = torch.tensor([[0.2, 0.3, 0.5], [0.5, 0.5, 0.0]], dtype=F64)
    q = torch.tensor([[0.4, 0.4, 0.2], [0.0, 0.5, 0.5]], dtype=F64)
    criterion = virtual_training_criterion(p, q, dx=None)
    assert criterion.shape == (2,)
    torch.testing.assert_close(criterion, -LOG4 + 2 * js_divergence(p, q), rtol=0, atol=1e-14)


def test_criterion_gradient_in_p_g_is_log_one_minus_d_star():
    p, q = densities("normal(0.0, 1.0, 0.5, 1.5)")
    q = q.clone().requires_grad_()
    virtual_training_criterion(p, q, dx=GRID.dx).backward()
    expected = torch.log(q.detach() / (p + q.detach())) * GRID.dx  # log(1 - D*) dx
    torch.testing.assert_close(q.grad, expected, rtol=1e-10, atol=1e-14)


# --- the value function: conventions ----------------------------------------------------------


def test_value_function_conventions_at_zero():
    dx = 0.5
    p_data, p_g = t64(2.0, 0.0), t64(0.0, 2.0)  # each integrates to 1 with dx = 0.5
    # Zero density times log 0 contributes 0: D = 1 where only data lives, D = 0 elsewhere.
    assert value_function(t64(1.0, 0.0), p_data, p_g, dx=dx).item() == 0.0
    # Positive p_data where D = 0, or positive p_g where D = 1: -inf, as the integral says.
    assert value_function(t64(0.0, 0.0), p_data, p_g, dx=dx).item() == -math.inf
    assert value_function(t64(1.0, 1.0), p_data, p_g, dx=dx).item() == -math.inf
    # dx=None: probability vectors, the integral is a sum.
    assert value_function(t64(0.5, 0.5), p_data / 2, p_g / 2, dx=None).item() == -LOG4


def test_value_function_gradient_is_finite_at_the_conventions():
    p_data, p_g = t64(2.0, 0.0), t64(0.0, 2.0)
    d = t64(1.0, 0.0).requires_grad_()
    value_function(d, p_data, p_g, dx=0.5).backward()
    assert torch.isfinite(d.grad).all()


def test_value_function_keeps_dtype_and_batch_dimensions():
    p = Grid(-10.0, 10.0, 2001, dtype=torch.float32).density(Normal(0.0, 1.0))
    p2 = torch.stack([p, p])  # (2, points)
    value = value_function(torch.full_like(p2, 0.5), p2, p2, dx=0.01)
    assert value.shape == (2,) and value.dtype == torch.float32
    torch.testing.assert_close(value, torch.full((2,), -LOG4), rtol=1e-5, atol=1e-5)


# --- log space --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["normal(0.0, 1.0, 0.5, 1.5)", "mixture vs mixture"])
def test_logit_agrees_with_the_density_version(name):
    p_data, p_g = FAMILIES[name]
    logit = optimal_discriminator_logit(GRID.log_density(p_data), GRID.log_density(p_g))
    d_star = optimal_discriminator(GRID.density(p_data), GRID.density(p_g))
    positive = (GRID.density(p_data) > 0) | (GRID.density(p_g) > 0)
    torch.testing.assert_close(torch.sigmoid(logit)[positive], d_star[positive], rtol=1e-12, atol=0)


def test_logit_stays_finite_where_densities_underflow():
    x = t64(40.0)
    for mean, expected in [(0.0, 0.0), (1.0, -39.5)]:  # log N(40; 0, 1) - log N(40; mean, 1)
        log_p, log_q = normal(0.0, 1.0).log_prob(x), normal(mean, 1.0).log_prob(x)
        assert log_p.exp().item() == log_q.exp().item() == 0.0  # both densities underflow
        assert optimal_discriminator_logit(log_p, log_q).item() == pytest.approx(expected, abs=1e-9)
    # The density version can only fall back to where_both_zero there.
    assert optimal_discriminator(log_p.exp(), log_q.exp()).item() == 0.5


def test_logit_at_zero_densities():
    inf = math.inf
    log_p, log_q = t64(0.0, -inf, -inf, -1.0), t64(-inf, 0.0, -inf, -1.0)
    assert optimal_discriminator_logit(log_p, log_q).tolist() == [inf, -inf, 0.0, 0.0]
    for w, expected in [(0.2, math.log(0.25)), (0.0, -inf), (1.0, inf)]:
        logit = optimal_discriminator_logit(log_p, log_q, where_both_zero=w)
        assert logit[2].item() == pytest.approx(expected)


def test_logit_gradient_is_finite_where_both_vanish():
    log_p = t64(0.0, -math.inf).requires_grad_()
    log_q = t64(-1.0, -math.inf).requires_grad_()
    optimal_discriminator_logit(log_p, log_q).sum().backward()
    assert log_p.grad.tolist() == [1.0, 0.0] and log_q.grad.tolist() == [-1.0, 0.0]


# --- the Monte-Carlo estimate -----------------------------------------------------------------


def test_estimate_equals_the_probability_space_formula():
    generator = torch.Generator().manual_seed(1)
    real = 3 * torch.randn(64, generator=generator, dtype=F64)
    fake = 3 * torch.randn(48, 1, generator=generator, dtype=F64)
    in_probability_space = torch.log(torch.sigmoid(real)).mean()
    in_probability_space = in_probability_space + torch.log(1 - torch.sigmoid(fake)).mean()
    estimate = value_function_estimate(real, fake)
    torch.testing.assert_close(estimate, in_probability_space, rtol=1e-12, atol=0)


def test_estimate_stays_finite_for_extreme_float32_logits():
    real = torch.tensor([-100.0, 100.0], requires_grad=True)
    fake = torch.tensor([-100.0, 100.0], requires_grad=True)
    naive = torch.log(torch.sigmoid(real)).mean() + torch.log(1 - torch.sigmoid(fake)).mean()
    assert naive.item() == -math.inf  # sigmoid rounds to 0 and 1 in float32
    estimate = value_function_estimate(real, fake)
    assert estimate.dtype == torch.float32
    assert estimate.item() == pytest.approx(-100.0, rel=1e-6)  # -(100 + 0)/2 - (0 + 100)/2
    estimate.backward()
    assert torch.isfinite(real.grad).all() and torch.isfinite(fake.grad).all()


def test_estimate_approaches_v_as_samples_grow():
    # D = sigmoid(logit) with logit = log p - log q is D*: the estimate approaches C(G).
    generator = torch.Generator().manual_seed(2)
    p_data, p_g = normal(0.0, 1.0), normal(1.0, 1.0)
    x = torch.randn(200_000, generator=generator, dtype=F64)
    fake = 1 + torch.randn(200_000, generator=generator, dtype=F64)

    def logit(s: torch.Tensor) -> torch.Tensor:
        return p_data.log_prob(s) - p_g.log_prob(s)

    estimate = value_function_estimate(logit(x), logit(fake)).item()
    exact = virtual_training_criterion(GRID.density(p_data), GRID.density(p_g), dx=GRID.dx)
    assert estimate == pytest.approx(exact.item(), abs=0.01)  # ~ 5 standard errors


# --- docstring equations, evaluated literally -------------------------------------------------


def test_docstring_equations():
    close = partial(torch.testing.assert_close, rtol=1e-12, atol=1e-14)
    grid = Grid(-12.0, 12.0, 1201)  # wide: the theorem needs sum(p) dx = sum(q) dx = 1
    p, q = densities("mixture vs normal", grid)
    dx = grid.dx
    # Proposition 1 and its logit.
    d_star = p / (p + q)
    close(optimal_discriminator(p, q), d_star)
    close(optimal_discriminator_logit(p.log(), q.log()), torch.log(d_star / (1 - d_star)))
    close(optimal_discriminator_logit(p.log(), q.log()), p.log() - q.log())
    # V(D, G) = sum [p log D + q log(1 - D)] dx, for some D.
    d = torch.sigmoid(torch.randn(p.shape, generator=torch.Generator().manual_seed(3), dtype=F64))
    close(value_function(d, p, q, dx=dx), (p * torch.log(d) + q * torch.log(1 - d)).sum() * dx)
    # Theorem 1: C(G) = sum [p log(p / (p + q)) + q log(q / (p + q))] dx = -log 4 + 2 JS.
    literal = (p * torch.log(p / (p + q)) + q * torch.log(q / (p + q))).sum() * dx
    close(virtual_training_criterion(p, q, dx=dx), literal)
    close(virtual_training_criterion(p, q, dx=dx), -LOG4 + 2 * js_divergence(p, q, dx=dx))
    # The estimate: mean log sigma(l) + mean log(1 - sigma(l')) = -mean sp(-l) - mean sp(l').
    real, fake = t64(-2.0, 0.5, 3.0), t64(-1.0, 1.5)
    literal = torch.log(torch.sigmoid(real)).mean() + torch.log(1 - torch.sigmoid(fake)).mean()
    close(value_function_estimate(real, fake), literal)
    close(value_function_estimate(real, fake), -F.softplus(-real).mean() - F.softplus(fake).mean())
    # Grid: x = linspace(low, high, points), dx = (high - low) / (points - 1), sum * dx.
    grid = Grid(-2.0, 3.0, 11)
    close(grid.x, torch.linspace(-2.0, 3.0, 11, dtype=F64))
    assert grid.dx == (3.0 - -2.0) / (11 - 1)
    close(grid.integrate(grid.x**2), (grid.x**2).sum() * grid.dx)


def test_doc_example_values():
    grid = Grid(-10.0, 10.0, 2001)
    p = grid.density(Normal(0.0, 1.0))
    assert virtual_training_criterion(p, p, dx=grid.dx).item() == pytest.approx(-LOG4, abs=1e-6)
    assert value_function_estimate(torch.zeros(3), torch.zeros(5)).item() == pytest.approx(-LOG4)


# --- gradients --------------------------------------------------------------------------------


def free(seed: int, shape=(2, 6)) -> torch.Tensor:
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=F64)


@pytest.mark.parametrize("dx", [None, 0.5])
def test_gradcheck(dx):
    scale = 1.0 if dx is None else 1 / dx

    def as_densities(logits_p, logits_q):  # softmax keeps them normalised under perturbation
        return logits_p.softmax(-1) * scale, logits_q.softmax(-1) * scale

    a, b, c = (free(seed).requires_grad_() for seed in (4, 5, 6))
    checks = {
        "optimal_discriminator": lambda a, b: optimal_discriminator(a.exp(), b.exp()),
        "optimal_discriminator_logit": optimal_discriminator_logit,
        "virtual_training_criterion": lambda a, b: virtual_training_criterion(
            *as_densities(a, b), dx=dx
        ),
        "value_function_estimate": value_function_estimate,
    }
    for name, function in checks.items():
        assert torch.autograd.gradcheck(function, (a, b)), name
    assert torch.autograd.gradcheck(
        lambda a, b, c: value_function(torch.sigmoid(c), *as_densities(a, b), dx=dx), (a, b, c)
    )


# --- errors -----------------------------------------------------------------------------------

P, Q = t64(0.5, 1.5), t64(1.0, 1.0)  # densities with dx = 0.5
LOG_P = t64(-1.0, -2.0)


def test_inputs_must_be_tensors():
    with pytest.raises(TypeError, match=r"^optimal_discriminator: p_data must be a torch.Tensor; "):
        optimal_discriminator([0.5, 0.5], Q)
    with pytest.raises(TypeError, match=r"^optimal_discriminator_logit: log_p_g must be a torch"):
        optimal_discriminator_logit(LOG_P, 0.0)
    with pytest.raises(TypeError, match=r"^value_function: d must be a torch.Tensor; got list"):
        value_function([0.5, 0.5], P, Q, dx=0.5)
    with pytest.raises(TypeError, match=r"^virtual_training_criterion: p_g must be a torch.Tens"):
        virtual_training_criterion(P, None, dx=0.5)
    with pytest.raises(TypeError, match=r"^value_function_estimate: real_logits must be a torch"):
        value_function_estimate(1.0, Q)


def test_inputs_must_be_floating_point():
    with pytest.raises(TypeError, match=r"p_g must have a floating-point dtype; got torch.int64"):
        optimal_discriminator(P, torch.tensor([1, 1]))
    with pytest.raises(
        TypeError, match=r"fake_logits must have a floating-point dtype; got torch.bool"
    ):
        value_function_estimate(Q, torch.tensor([True]))


def test_inputs_must_match():
    message = r"^optimal_discriminator: p_data and p_g must have the same dtype; got torch.float64"
    with pytest.raises(TypeError, match=message + r" and torch.float32"):
        optimal_discriminator(P, Q.float())
    with pytest.raises(ValueError, match=r"p_data and p_g must be on the same device; got cpu and"):
        optimal_discriminator(P, Q.to("meta"))
    message = r"log_p_data and log_p_g must have the same shape \(no broadcasting\); got \(2,\) and"
    with pytest.raises(ValueError, match=message):
        optimal_discriminator_logit(LOG_P, t64(0.0))
    with pytest.raises(ValueError, match=r"^value_function: d and p_data must have the same shape"):
        value_function(t64(0.5), P, Q, dx=0.5)
    with pytest.raises(TypeError, match=r"real_logits and fake_logits must have the same dtype"):
        value_function_estimate(Q, Q.float())
    with pytest.raises(ValueError, match=r"real_logits and fake_logits must be on the same device"):
        value_function_estimate(Q, Q.to("meta"))


def test_estimate_inputs_must_not_be_empty():
    message = (
        r"^value_function_estimate: fake_logits must have at least one entry; got shape \(0, 1\)"
    )
    with pytest.raises(ValueError, match=message):
        value_function_estimate(Q, torch.empty(0, 1, dtype=F64))


@pytest.mark.parametrize(
    ("bad", "count"),
    [(-0.5, r"1 outside \(0 NaN\), e.g. \[-0.5\]"), (math.nan, r"1 outside \(1 NaN\)")],
)
def test_densities_must_be_non_negative_and_finite(bad, count):
    message = rf"^optimal_discriminator: p_g must have entries in \[0, inf\); got {count}"
    with pytest.raises(ValueError, match=message + r".*Densities are finite and non-negative"):
        optimal_discriminator(P, t64(1.0, bad))
    with pytest.raises(ValueError, match=r"p_data must have entries in \[0, inf\); got 1 outside"):
        optimal_discriminator(t64(math.inf, 1.0), Q)


def test_log_densities_must_not_be_plus_inf_or_nan():
    message = r"^optimal_discriminator_logit: log_p_data must have entries in \[-inf, inf\); "
    with pytest.raises(ValueError, match=message + r"got 1 outside \(0 NaN\), e.g. \[inf\]"):
        optimal_discriminator_logit(t64(math.inf, 0.0), LOG_P)
    with pytest.raises(ValueError, match=r"log_p_g must have entries .* \(1 NaN\).*never \+inf"):
        optimal_discriminator_logit(LOG_P, t64(math.nan, 0.0))


@pytest.mark.parametrize("function", [optimal_discriminator, optimal_discriminator_logit])
def test_where_both_zero_must_be_a_probability(function):
    name = function.__name__
    with pytest.raises(
        ValueError,
        match=rf"^{name}: where_both_zero must be a finite number in \[0, 1\]; got 1.5. Any value",
    ):
        function(P, Q, where_both_zero=1.5)
    with pytest.raises(
        TypeError, match=rf"^{name}: where_both_zero must be a real number; got str"
    ):
        function(P, Q, where_both_zero="half")
    with pytest.raises(TypeError, match=r"where_both_zero must be a real number; got bool True"):
        function(P, Q, where_both_zero=True)


def test_d_must_be_a_probability():
    message = r"^value_function: d must have entries in \[0, 1\]; got 2 outside \(1 NaN\), e.g. "
    with pytest.raises(ValueError, match=message + r"\[1.5, nan\]. D is a probability: pass torch"):
        value_function(t64(1.5, math.nan), P, Q, dx=0.5)


@pytest.mark.parametrize("function", [value_function, virtual_training_criterion])
def test_densities_must_integrate_to_one(function):
    name = function.__name__
    args = (t64(0.5, 0.5),) if function is value_function else ()
    message = rf"^{name}: p_g must integrate to 1 \(sum \* dx\) along dim=-1 .*got integrals \[2\]"
    with pytest.raises(ValueError, match=message):
        function(*args, P, Q * 2, dx=0.5)
    with pytest.raises(ValueError, match=rf"^{name}: p_data must sum to 1 along dim=-1"):
        function(*args, P, Q, dx=None)  # densities are not probability vectors
    with pytest.raises(
        ValueError, match=rf"^{name}: dx must be a positive finite number; got -0.5"
    ):
        function(*args, P, Q, dx=-0.5)
    with pytest.raises(TypeError, match=rf"^{name}: dx must be a real number or None; got str"):
        function(*args, P, Q, dx="0.5")
    with pytest.raises(TypeError, match=r"missing 1 required keyword-only argument: 'dx'"):
        function(*args, P, Q)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("-1", 1.0, 5), TypeError, r"^Grid: low must be a real number; got str '-1'"),
        ((0.0, math.inf, 5), ValueError, r"^Grid: high must be finite; got inf"),
        ((1.0, 1.0, 5), ValueError, r"^Grid: low must be less than high; got low=1.0, high=1.0"),
        ((0.0, 1.0, 5.0), TypeError, r"^Grid: points must be an int; got float 5.0"),
        ((0.0, 1.0, 1), ValueError, r"^Grid: points must be at least 2; got 1\."),
        ((False, 1.0, 5), TypeError, r"^Grid: low must be a real number; got bool"),
    ],
)
def test_grid_arguments_are_validated(args, error, message):
    with pytest.raises(error, match=message):
        Grid(*args)


def test_grid_dtype_must_be_floating_point():
    with pytest.raises(TypeError, match=r"^Grid: dtype must be a floating-point torch.dtype; got"):
        Grid(0.0, 1.0, 5, dtype=torch.int64)


_NO_CUDA = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
_GRID_DEVICE_FIX = r"Pass e\.g\. device='cpu', device=ganlib\.device\(\), or None for the CPU\.$"


@pytest.mark.parametrize(
    ("device", "error", "message"),
    [
        ("banana", ValueError,
         r"^Grid: device must name a torch device such as 'cpu' or 'cuda:1'; got 'banana'\. "
         + _GRID_DEVICE_FIX),
        pytest.param("cuda", ValueError,
                     r"^Grid: device must be one this machine has; got cuda\. " + _GRID_DEVICE_FIX,
                     marks=_NO_CUDA),
        ("cuda:99", ValueError, r"^Grid: device must be one this machine has; got cuda:99\."),
        (0, TypeError, r"^Grid: device must be a str or torch\.device; got int 0\. "),
        (torch.float64, TypeError, r"^Grid: device must be a str or torch\.device; got dtype "),
    ],
)  # fmt: skip
def test_grid_device_is_validated_when_the_grid_is_built(device, error, message):
    with pytest.raises(error, match=message):
        Grid(0.0, 1.0, 5, device=device)


def test_grid_keeps_its_device_as_a_torch_device():
    assert Grid(0.0, 1.0, 5).device is None  # the CPU, torch's default
    assert Grid(0.0, 1.0, 5, device="cpu").device == torch.device("cpu")
    assert Grid(0.0, 1.0, 5, device=torch.device("cpu")) == Grid(0.0, 1.0, 5, device="cpu")


def test_grid_methods_validate_their_arguments():
    grid = Grid(0.0, 1.0, 5)
    message = r"^Grid.integrate: values must have 5 entries along the last dimension .*got shape"
    with pytest.raises(ValueError, match=message + r" \(4,\)"):
        grid.integrate(torch.ones(4, dtype=F64))
    with pytest.raises(ValueError, match=message + r" \(\)"):
        grid.integrate(torch.tensor(1.0))
    with pytest.raises(
        TypeError, match=r"^Grid.integrate: values must be a torch.Tensor; got list"
    ):
        grid.integrate([1.0] * 5)
    message = r"^Grid.log_density: distribution must be a torch.distributions.Distribution; got"
    with pytest.raises(TypeError, match=message + r" function"):
        grid.density(lambda x: x)
    message = r"must be univariate with no batch dimensions; got batch_shape \(2,\) and event"
    with pytest.raises(ValueError, match=message):
        grid.density(Normal(torch.zeros(2), 1.0))


def test_grid_is_frozen():
    with pytest.raises(AttributeError):
        GRID.points = 3


# --- batched densities on a grid --------------------------------------------------------------


def test_normal_density_is_the_closed_form_for_every_mean_and_std():
    means = torch.tensor([-1.0, 0.0, 2.5], dtype=F64)
    stds = torch.tensor([0.5, 1.0, 2.0], dtype=F64)
    p = GRID.normal_density(means[:, None], stds[None, :])  # (3, 3, points)
    assert p.shape == (3, 3, GRID.points) and p.dtype == F64
    x = GRID.x
    for i, mean in enumerate(means.tolist()):
        for j, std in enumerate(stds.tolist()):
            literal = torch.exp(-((x - mean) ** 2) / (2 * std**2)) / (std * math.sqrt(2 * math.pi))
            torch.testing.assert_close(p[i, j], literal, rtol=1e-12, atol=1e-300)
            assert torch.equal(p[i, j], GRID.density(Normal(means[i], stds[j])))  # same numbers
    # The worst row, N(2.5, 2^2), loses its tail beyond 6.75 standard deviations: 7e-12.
    torch.testing.assert_close(GRID.integrate(p), torch.ones(3, 3, dtype=F64), rtol=0, atol=1e-10)


def test_normal_density_of_floats_is_one_row_and_defaults_to_the_standard_normal():
    assert GRID.normal_density().shape == (GRID.points,)
    one, half = torch.tensor(1.0, dtype=F64), torch.tensor(0.5, dtype=F64)
    assert torch.equal(GRID.normal_density(), GRID.density(Normal(one * 0, one)))
    assert torch.equal(GRID.normal_density(1.0, 0.5), GRID.density(Normal(one, half)))


def test_normal_density_is_differentiable_in_its_parameters():
    mean = torch.tensor([0.3], dtype=F64, requires_grad=True)
    std = torch.tensor([1.2], dtype=F64, requires_grad=True)
    grid = Grid(-6.0, 6.0, 25)
    assert torch.autograd.gradcheck(grid.normal_density, (mean, std))


@pytest.mark.parametrize("shift", [0.0, 0.3, 1.0, 2.0])
def test_uniform_density_equals_the_uniform_distribution_bit_for_bit(shift):
    grid = Grid(-2.0005, 5.0005, 7002)  # every point 0.0005 from a multiple of 0.001
    lows = torch.tensor([0.0, shift], dtype=F64)
    p = grid.uniform_density(lows, lows + 1.0)
    assert p.shape == (2, grid.points)
    for row, low in zip(p, lows, strict=True):
        assert torch.equal(row, grid.density(Uniform(low, low + 1.0)))
        literal = ((low <= grid.x) & (grid.x < low + 1.0)).to(F64) / 1.0  # [a <= x < b]/(b-a)
        assert torch.equal(row, literal)
    torch.testing.assert_close(grid.integrate(p), torch.ones(2, dtype=F64), rtol=0, atol=1e-9)


def test_uniform_density_of_another_width_is_its_reciprocal_inside():
    p = GRID.uniform_density(-1.0, 3.0)
    inside = (GRID.x >= -1.0) & (GRID.x < 3.0)
    torch.testing.assert_close(p[inside], torch.full_like(p[inside], 0.25), rtol=1e-15, atol=0)
    assert bool((p[~inside] == 0).all())


def test_batched_density_errors():
    with pytest.raises(TypeError, match=r"Grid.normal_density: mean must be a real number or a"):
        GRID.normal_density("0")
    with pytest.raises(TypeError, match=r"Grid.normal_density: std must be on the grid's dtype"):
        GRID.normal_density(0.0, torch.ones(2, dtype=torch.float32))
    with pytest.raises(TypeError, match=r"Grid.normal_density: mean must have a floating-point"):
        GRID.normal_density(torch.zeros(2, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"Grid.normal_density: std must be positive and finite"):
        GRID.normal_density(0.0, torch.tensor([1.0, 0.0], dtype=F64))
    with pytest.raises(ValueError, match=r"Grid.normal_density: mean must be finite; got 1 "):
        GRID.normal_density(torch.tensor([0.0, math.nan], dtype=F64))
    with pytest.raises(ValueError, match=r"Grid.uniform_density: low must be less than high; got"):
        GRID.uniform_density(torch.tensor([0.0, 2.0], dtype=F64), 1.0)
    with pytest.raises(ValueError, match=r"Grid.uniform_density: high must be finite"):
        GRID.uniform_density(0.0, math.inf)
