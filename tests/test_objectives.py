"""Tests of ganlib.objectives: each generator loss's gradient against D* equals the gradient of
its objective (checked by autograd through samples of a reparameterised generator against
finite differences of the quadrature), fit_normal against closed forms, add_instance_noise
against the closed-form convolution of normals and a direct sum, and the error messages."""

from __future__ import annotations

import math

import pytest
import torch

from ganlib import (
    GENERATOR_LOSSES,
    GENERATOR_OBJECTIVES,
    Gaussian1d,
    GaussianMixture1d,
    Grid,
    add_instance_noise,
    fit_normal,
    generator_objective,
    js_divergence,
    kl_divergence,
)

F64 = torch.float64
GRID = Grid(-14.0, 14.0, 5601)
Z = torch.linspace(-12.0, 12.0, 4801, dtype=F64)
Z_WEIGHTS = torch.distributions.Normal(0.0, 1.0).log_prob(Z).exp() * 0.005


def pathwise(loss: str, target, mu: float, s: float) -> torch.Tensor:
    """d/d(mu, log s) of E_z cost(D*(mu + s z)) with D* held at (mu, s), by quadrature in z."""
    theta = torch.tensor([mu, math.log(s)], dtype=F64, requires_grad=True)
    x = theta[0] + theta[1].exp() * Z
    logit = target.log_prob(x[:, None]).reshape(-1) - torch.distributions.Normal(mu, s).log_prob(x)
    per_sample = torch.func.vmap(lambda value: GENERATOR_LOSSES[loss](value[None]))(logit)
    (gradient,) = torch.autograd.grad((Z_WEIGHTS * per_sample).sum(), theta)
    return gradient


def finite_difference(loss: str, target, mu: float, s: float, h: float = 1e-4) -> torch.Tensor:
    p_data = GRID.density(target)

    def value(m: float, log_s: float) -> float:
        q = GRID.normal_density(m, math.exp(log_s))
        return float(generator_objective(loss, p_data, q, dx=GRID.dx))

    log_s = math.log(s)
    return torch.tensor(
        [
            (value(mu + h, log_s) - value(mu - h, log_s)) / (2 * h),
            (value(mu, log_s + h) - value(mu, log_s - h)) / (2 * h),
        ],
        dtype=F64,
    )


@pytest.mark.parametrize("loss", list(GENERATOR_OBJECTIVES))
@pytest.mark.parametrize(
    "target",
    [Gaussian1d(0.5, 1.2), GaussianMixture1d([0.4, 0.6], [-1.0, 2.0], [0.6, 0.7])],
    ids=["gaussian", "mixture"],
)
@pytest.mark.parametrize("mu, s", [(0.0, 1.0), (1.0, 0.8), (-0.5, 1.5)])
def test_each_loss_follows_its_objective_against_d_star(loss, target, mu, s):
    """Theorem 1 (minimax), Arjovsky & Bottou's Theorem 2.5 (non-saturating) and the tutorial's
    maximum-likelihood cost, on another set of targets and generators than the chapter's."""
    torch.testing.assert_close(
        pathwise(loss, target, mu, s), finite_difference(loss, target, mu, s), rtol=1e-6, atol=1e-8
    )


def test_objectives_are_the_stated_divergences():
    p, q = GRID.normal_density(0.0, 1.0), GRID.normal_density(1.0, 0.7)
    dx = GRID.dx
    js = js_divergence(p, q, dx=dx)
    torch.testing.assert_close(generator_objective("minimax", p, q, dx=dx), 2 * js)
    torch.testing.assert_close(
        generator_objective("nonsaturating", p, q, dx=dx), kl_divergence(q, p, dx=dx) - 2 * js
    )
    torch.testing.assert_close(
        generator_objective("maximum_likelihood", p, q, dx=dx), kl_divergence(p, q, dx=dx) / 2
    )
    assert set(GENERATOR_OBJECTIVES) == set(GENERATOR_LOSSES)


def test_generator_objective_rejects_an_unknown_loss():
    p = GRID.normal_density(0.0, 1.0)
    with pytest.raises(ValueError, match="generator_objective: loss must be one of"):
        generator_objective("wasserstein", p, p, dx=GRID.dx)


def test_fit_normal_forward_kl_matches_moments_and_reverse_kl_finds_a_mode():
    grid = Grid(-12.0, 12.0, 2401)
    p = 0.5 * grid.normal_density(-1.5, 0.4) + 0.5 * grid.normal_density(1.5, 0.4)
    mu, s = fit_normal(lambda q: kl_divergence(p, q, dx=grid.dx), grid, loc=0.7, scale=1.0)
    assert mu == pytest.approx(0.0, abs=1e-5)
    assert s**2 == pytest.approx(1.5**2 + 0.4**2, abs=1e-5)
    mu, s = fit_normal(lambda q: kl_divergence(q, p, dx=grid.dx), grid, loc=1.2, scale=0.5)
    assert (mu, s) == (pytest.approx(1.5, abs=0.01), pytest.approx(0.4, abs=0.01))


def test_fit_normal_errors():
    grid = Grid(-5.0, 5.0, 101)
    with pytest.raises(TypeError, match="fit_normal: objective must be callable"):
        fit_normal(1.0, grid, loc=0.0, scale=1.0)
    with pytest.raises(TypeError, match=r"fit_normal: grid must be a ganlib\.Grid"):
        fit_normal(lambda q: q.sum(), "grid", loc=0.0, scale=1.0)
    with pytest.raises(ValueError, match="fit_normal: scale must be"):
        fit_normal(lambda q: q.sum(), grid, loc=0.0, scale=0.0)
    with pytest.raises(ValueError, match="fit_normal: objective must return a scalar tensor"):
        fit_normal(lambda q: q, grid, loc=0.0, scale=1.0)


def test_fit_normal_says_when_the_search_leaves_the_finite():
    grid = Grid(-12.0, 12.0, 2401)
    p = 0.5 * grid.normal_density(-2.0, 0.5) + 0.5 * grid.normal_density(2.0, 0.5)
    with pytest.raises(ValueError, match="fit_normal: the search must stay finite"):
        fit_normal(lambda q: kl_divergence(p, q, dx=grid.dx), grid, loc=2.5, scale=0.3)


@pytest.mark.parametrize("std", [0.05, 0.3, 1.0])
def test_instance_noise_of_a_normal_is_the_wider_normal(std):
    grid = Grid(-10.0, 10.0, 4001)
    smoothed = add_instance_noise(grid, grid.normal_density(0.5, 0.2), std)
    expected = grid.normal_density(0.5, math.sqrt(0.04 + std**2))
    torch.testing.assert_close(smoothed, expected, rtol=0, atol=1e-10)


def test_instance_noise_equals_the_direct_sum_batched_and_differentiable():
    grid = Grid(-4.0, 4.0, 401)
    centres = torch.tensor([-0.5, 0.8], dtype=F64, requires_grad=True)
    densities = grid.uniform_density(centres.detach() - 0.5, centres.detach() + 0.5)
    kernel = torch.distributions.Normal(0.0, 0.3).log_prob(grid.x[:, None] - grid.x).exp()
    direct = densities @ (kernel * grid.dx).T  # (2, points)
    torch.testing.assert_close(add_instance_noise(grid, densities, 0.3), direct)
    normal = grid.normal_density(centres, 0.3)
    (gradient,) = torch.autograd.grad(add_instance_noise(grid, normal, 0.4).sum(), centres)
    assert torch.isfinite(gradient).all()


def test_instance_noise_errors():
    grid = Grid(-1.0, 1.0, 21)
    with pytest.raises(ValueError, match="add_instance_noise: density must have 21 entries"):
        add_instance_noise(grid, torch.zeros(5, dtype=F64), 0.1)
    with pytest.raises(ValueError, match="add_instance_noise: std must be"):
        add_instance_noise(grid, torch.zeros(21, dtype=F64), -0.1)
    with pytest.raises(ValueError, match="add_instance_noise: std must be small"):
        add_instance_noise(grid, torch.zeros(21, dtype=F64), 1.0)
    with pytest.raises(TypeError, match=r"add_instance_noise: grid must be a ganlib\.Grid"):
        add_instance_noise(None, torch.zeros(21, dtype=F64), 0.1)
