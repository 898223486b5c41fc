"""Tests of ganlib.parzen.parzen_score, the paper's protocol: the bandwidth chosen on the
validation split alone, then the test score at it; compared with the two steps written out,
its docstring equation evaluated literally, and its error messages. Float64 throughout, every
draw from a seeded torch.Generator."""

from __future__ import annotations

import math

import pytest
import torch

from ganlib.parzen import parzen_log_likelihood, parzen_score, select_parzen_bandwidth

F64 = torch.float64
SIGMAS = [0.1, 0.2, 0.4, 0.8, 1.6]


def points(n: int, seed: int, d: int = 3) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=F64)


def test_parzen_score_is_the_two_steps_in_turn():
    samples, validation, test = points(200, 0), points(50, 1), points(60, 2)
    result, scores = parzen_score(samples, validation, test, SIGMAS)
    sigma, expected_scores = select_parzen_bandwidth(samples, validation, SIGMAS)
    expected = parzen_log_likelihood(samples, test, sigma)
    assert result.sigma == sigma
    assert torch.equal(scores, expected_scores)
    assert torch.equal(result.log_densities, expected.log_densities)
    assert (result.mean, result.standard_error) == (expected.mean, expected.standard_error)


def test_parzen_score_docstring_equation():
    # sigma* = argmax over sigmas of the mean validation log p_hat; score = mean test log p_hat,
    # with log p_hat(x) = log (1/n) sum_i N(x; s_i, sigma^2 I), written out with torch.
    samples, validation, test = points(40, 3, d=2), points(15, 4, d=2), points(20, 5, d=2)

    def log_p_hat(x, sigma):
        normal = torch.distributions.MultivariateNormal(
            torch.zeros(2, dtype=F64), sigma**2 * torch.eye(2, dtype=F64)
        )
        log_kernels = normal.log_prob(x[:, None, :] - samples[None, :, :])  # (points, n)
        return torch.logsumexp(log_kernels, 1) - math.log(len(samples))

    means = [float(log_p_hat(validation, s).mean()) for s in SIGMAS]
    best = SIGMAS[max(range(len(SIGMAS)), key=means.__getitem__)]
    result, scores = parzen_score(samples, validation, test, SIGMAS)
    assert result.sigma == best
    torch.testing.assert_close(scores, torch.tensor(means, dtype=F64), rtol=1e-12, atol=1e-12)
    assert result.mean == pytest.approx(float(log_p_hat(test, best).mean()), rel=1e-12)


def test_parzen_score_does_not_look_at_the_test_points():
    samples, validation = points(100, 6), points(30, 7)
    sigmas = [
        result.sigma
        for result, _ in (
            parzen_score(samples, validation, test, SIGMAS) for test in (points(10, 8), samples)
        )
    ]
    assert sigmas[0] == sigmas[1]


def test_parzen_score_errors():
    samples, validation = points(10, 9), points(5, 10)
    with pytest.raises(ValueError, match=r"parzen_score: samples and test must have the same"):
        parzen_score(samples, validation, points(5, 11, d=2), SIGMAS)
    with pytest.raises(ValueError, match=r"parzen_score: samples and validation must have"):
        parzen_score(samples, points(5, 11, d=2), validation, SIGMAS)
    with pytest.raises(TypeError, match=r"parzen_score"):
        parzen_score(samples, validation, validation.float(), SIGMAS)
    with pytest.raises(ValueError, match=r"select_parzen_bandwidth: sigmas must have at least"):
        parzen_score(samples, validation, validation, [])
