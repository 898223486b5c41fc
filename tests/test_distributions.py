"""Tests of ganlib.distributions: the GAN targets of ganlib.line and ganlib.planar.

Every target is reached through ganlib.distributions, which exports them all, and checked
against the conventions it states (shapes, seeded sampling, dtypes, devices, checked
parameters). Numerical tests run in float64 with seeded generators; every tolerance is stated
where it is used. ring_map and GaussianRing have their own tests in test_planar.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from ganlib.distributions import (
    Gaussian1d,
    GaussianMixture1d,
    IsotropicGaussianMixture,
    Uniform1d,
    grid_of_gaussians,
    ring_of_gaussians,
)

F64 = torch.float64


def seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# == The GAN targets: Gaussian1d, Uniform1d, GaussianMixture1d, IsotropicGaussianMixture ==
#
# Stochastic checks use n = 20,000 seeded draws and allow 4 standard errors: a correct sampler
# fails one such two-sided check with probability about 6e-5 under another seed; with the seeds
# fixed here the tests are deterministic.

N_DRAWS = 20_000
STANDARD_ERRORS = 4

TARGETS = {
    "gaussian": lambda: Gaussian1d(4.0, 0.5),
    "uniform": lambda: Uniform1d(-1.0, 3.0),
    "mixture1d": lambda: GaussianMixture1d(
        [0.2, 0.5, 0.3], means=[-3.0, 0.0, 4.0], scales=[0.5, 1.0, 0.25]
    ),
    "ring": ring_of_gaussians,
    "grid": grid_of_gaussians,
    "isotropic3d": lambda: IsotropicGaussianMixture(
        [[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]], 0.5, weights=[0.25, 0.75]
    ),
}


@pytest.fixture(params=list(TARGETS), ids=list(TARGETS))
def target(request):
    return TARGETS[request.param]()


def normal_pdf(x: float, mu: float, sigma: float) -> float:
    """The docstring's 1/(sigma sqrt(2 pi)) exp(-(x - mu)^2 / (2 sigma^2))."""
    return math.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sigma * math.sqrt(2 * math.pi))


def literal_isotropic_log_prob(x: torch.Tensor, weights, centres, s: float) -> torch.Tensor:
    """The docstring's log sum_k w_k (2 pi s^2)^(-d/2) exp(-|x - c_k|^2 / (2 s^2)), pointwise."""
    values = []
    for point in x.tolist():
        density = 0.0
        for w, c in zip(weights, centres, strict=True):
            squared = sum((a - b) ** 2 for a, b in zip(point, c, strict=True))
            density += w * (2 * math.pi * s**2) ** (-len(c) / 2) * math.exp(-squared / (2 * s**2))
        values.append(math.log(density))
    return torch.tensor(values, dtype=F64)


# -- log_prob against the docstring equations and scipy -----------------------------------


def test_gaussian1d_log_prob_equals_docstring_equation_and_scipy():
    mu, sigma = 4.0, 0.5
    x = torch.linspace(mu - 10 * sigma, mu + 10 * sigma, 201, dtype=F64)[:, None]  # (201, 1)
    computed = Gaussian1d(mu, sigma).log_prob(x)
    assert computed.shape == (201,)
    literal = [math.log(normal_pdf(v, mu, sigma)) for v in x[:, 0].tolist()]
    torch.testing.assert_close(computed, torch.tensor(literal, dtype=F64), rtol=1e-12, atol=1e-12)
    reference = torch.from_numpy(stats.norm(mu, sigma).logpdf(x[:, 0].numpy()))
    torch.testing.assert_close(computed, reference, rtol=1e-13, atol=1e-13)


def test_uniform1d_log_prob_equals_docstring_equation_and_scipy():
    a, b = -1.0, 3.0
    x = torch.tensor([-2.5, -1.0, -0.999, 0.0, 1.7, 2.999, 3.0, 3.001, 10.0], dtype=F64)[:, None]
    computed = Uniform1d(a, b).log_prob(x)
    literal = [-math.log(b - a) if a <= v < b else -math.inf for v in x[:, 0].tolist()]
    torch.testing.assert_close(computed, torch.tensor(literal, dtype=F64), rtol=0, atol=1e-15)
    # scipy's support is the closed [a, b]: it agrees everywhere except at x = b.
    reference = torch.from_numpy(stats.uniform(loc=a, scale=b - a).logpdf(x[:, 0].numpy()))
    at_b = x[:, 0] == b
    torch.testing.assert_close(computed[~at_b], reference[~at_b], rtol=0, atol=1e-15)
    assert bool(torch.isneginf(computed[at_b]).all())
    assert float(reference[at_b]) == -math.log(b - a)


def test_gaussian_mixture1d_log_prob_equals_docstring_equation_and_scipy():
    weights, means, scales = [0.2, 0.5, 0.3], [-3.0, 0.0, 4.0], [0.5, 1.0, 0.25]
    x = torch.linspace(-6.0, 8.0, 281, dtype=F64)[:, None]  # the densities stay above 1e-30
    computed = GaussianMixture1d(weights, means, scales).log_prob(x)
    literal = [
        math.log(
            sum(w * normal_pdf(v, m, s) for w, m, s in zip(weights, means, scales, strict=True))
        )
        for v in x[:, 0].tolist()
    ]
    torch.testing.assert_close(computed, torch.tensor(literal, dtype=F64), rtol=1e-12, atol=1e-12)
    pdfs = [
        w * stats.norm(m, s).pdf(x[:, 0].numpy())
        for w, m, s in zip(weights, means, scales, strict=True)
    ]
    reference = torch.from_numpy(np.log(np.sum(pdfs, axis=0)))
    torch.testing.assert_close(computed, reference, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("centres", "scale", "weights"),
    [
        ([[math.cos(math.pi * k / 4), math.sin(math.pi * k / 4)] for k in range(8)], 0.3, None),
        ([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]], 0.5, [0.25, 0.75]),
        ([[-1.0], [2.0]], 0.7, [0.6, 0.4]),
    ],
    ids=["ring-2d", "pair-3d", "pair-1d"],
)
def test_isotropic_mixture_log_prob_equals_docstring_equation(centres, scale, weights):
    p = IsotropicGaussianMixture(centres, scale, weights=weights)
    dim = len(centres[0])
    # Points around the centres, at most ~4 s away, where the literal density does not underflow.
    x = p.centres[torch.arange(60) % len(centres)] + scale * torch.randn(
        60, dim, generator=seeded(20), dtype=F64
    )
    w = weights if weights is not None else [1 / len(centres)] * len(centres)
    expected = literal_isotropic_log_prob(x, w, centres, scale)
    torch.testing.assert_close(p.log_prob(x), expected, rtol=1e-12, atol=1e-12)


def test_ring_log_prob_far_from_every_mode_is_finite_and_exact():
    # At the origin all 8 centres are at distance 1, so log p(0) = -log(2 pi s^2) - 1/(2 s^2)
    # exactly; the literal formula underflows to log 0 there (exp(-5000) = 0 in float64).
    s = 0.01
    computed = ring_of_gaussians().log_prob(torch.zeros(1, 2, dtype=F64))
    expected = -math.log(2 * math.pi * s**2) - 1 / (2 * s**2)
    torch.testing.assert_close(computed, torch.tensor([expected], dtype=F64), rtol=1e-12, atol=0)
    assert math.exp(-1 / (2 * s**2)) == 0.0
    assert round(expected) == -4993  # the docstring's number


# -- Each density integrates to 1 -----------------------------------------------------------


@pytest.mark.parametrize(
    "p",
    [Gaussian1d(4.0, 0.5), GaussianMixture1d([0.2, 0.5, 0.3], [-3.0, 0.0, 4.0], [0.5, 1.0, 0.25])],
    ids=["gaussian", "mixture1d"],
)
def test_1d_gaussian_densities_integrate_to_one(p):
    # Rectangle rule on [-12, 16] (at least 12 standard deviations beyond every mean: the tail
    # mass is below 1e-32) with h = 0.01 = s_min / 25. For a Gaussian the rule's error is about
    # 2 exp(-2 pi^2 s^2 / h^2), far below float64 rounding. Tolerance 1e-12.
    h = 0.01
    x = torch.arange(-1200, 1601, dtype=F64)[:, None] * h
    assert abs(float(p.log_prob(x).exp().sum()) * h - 1) < 1e-12


def test_uniform1d_density_integrates_to_one():
    # A grid of spacing h = 2^-10 aligned with low = -1 and high = 3 puts exactly 4 / h points
    # in [low, high), so the rectangle rule is exact up to rounding. Tolerance 1e-12.
    h = 2.0**-10
    x = torch.arange(-2 * 1024, 4 * 1024 + 1, dtype=F64)[:, None] * h
    assert abs(float(Uniform1d(-1.0, 3.0).log_prob(x).exp().sum()) * h - 1) < 1e-12


@pytest.mark.parametrize(
    "p",
    [ring_of_gaussians(scale=0.2), grid_of_gaussians(side=3, spacing=1.0, scale=0.2)],
    ids=["ring-scale-0.2", "grid-3x3-scale-0.2"],
)
def test_2d_mixture_density_integrates_to_one_on_a_coarse_case(p):
    # Rectangle rule on [-2.6, 2.6]^2 with h = 0.05 = s / 4. Every centre is at least 1.6 = 8 s
    # from the edge, so the mass outside is below 4 P(N(0, 1) > 8) ~ 2.5e-15; for a Gaussian the
    # rule's error is about 2 exp(-2 pi^2 s^2 / h^2) ~ 1e-137 per axis. Tolerance 1e-10.
    h = 0.05
    axis = torch.arange(-52, 53, dtype=F64) * h
    x1, x2 = torch.meshgrid(axis, axis, indexing="xy")
    density = p.log_prob(torch.stack([x1, x2], dim=-1)).exp()  # (105, 105)
    assert abs(float(density.sum()) * h * h - 1) < 1e-10


@pytest.mark.parametrize("p", [ring_of_gaussians(), grid_of_gaussians()], ids=["ring", "grid"])
def test_benchmark_mixture_density_integrates_to_one_mode_by_mode(p):
    # A single grid fine enough for s = 0.01 over the whole ring or grid is too expensive, but
    # the modes are at least 40 s apart, so the integral is the sum over disjoint boxes of
    # half-width 10 s around the centres: each box misses < 4 P(N(0, 1) > 10) ~ 3e-23 of its own
    # mode's mass and holds < exp(-450) of the others'. Rectangle rule with h = s / 2, whose
    # error for a Gaussian is about 2 exp(-2 pi^2 s^2 / h^2) ~ 1e-34 per axis. Tolerance 1e-10.
    s = p.scale
    h = s / 2
    offsets = torch.arange(-20, 21, dtype=F64) * h
    dx, dy = torch.meshgrid(offsets, offsets, indexing="xy")
    box = torch.stack([dx, dy], dim=-1)  # (41, 41, 2)
    total = sum(float(p.log_prob(c + box).exp().sum()) * h * h for c in p.centres)
    assert abs(total - 1) < 1e-10


# -- The constructors -----------------------------------------------------------------------


def test_ring_of_gaussians_defaults_follow_the_benchmark():
    p = ring_of_gaussians()
    half = math.sqrt(0.5)
    expected = [[1, 0], [half, half], [0, 1], [-half, half], [-1, 0], [-half, -half],
                [0, -1], [half, -half]]  # fmt: skip
    assert p.centres.shape == (8, 2) and p.centres.dtype == F64
    torch.testing.assert_close(p.centres, torch.tensor(expected, dtype=F64), rtol=0, atol=1e-15)
    assert p.scale == 0.01 and isinstance(p.scale, float)
    assert torch.equal(p.weights, torch.full((8,), 1 / 8, dtype=F64))
    assert p.event_shape == (2,) and p.batch_shape == ()


def test_ring_of_gaussians_literal_centres_for_other_arguments():
    p = ring_of_gaussians(modes=5, radius=2.5, scale=0.1)
    expected = [
        [2.5 * math.cos(2 * math.pi * k / 5), 2.5 * math.sin(2 * math.pi * k / 5)] for k in range(5)
    ]
    assert torch.equal(p.centres, torch.tensor(expected, dtype=F64))
    assert p.scale == 0.1
    assert ring_of_gaussians(modes=1).centres.tolist() == [[1.0, 0.0]]


def test_ring_docstring_separation_is_about_77_standard_deviations():
    p = ring_of_gaussians()
    distances = torch.cdist(p.centres, p.centres) + torch.eye(8, dtype=F64) * 10
    nearest = float(distances.min())
    assert math.isclose(nearest, 2 * math.sin(math.pi / 8), rel_tol=1e-14)
    assert round(nearest, 3) == 0.765 and round(nearest / p.scale) == 77


def test_grid_of_gaussians_defaults_follow_the_benchmark():
    p = grid_of_gaussians()
    axis = torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0], dtype=F64)
    # Exactly {-4, -2, 0, 2, 4}^2, first coordinate varying slowest.
    assert torch.equal(p.centres, torch.cartesian_prod(axis, axis))
    assert p.scale == 0.05
    assert torch.equal(p.weights, torch.full((25,), 1 / 25, dtype=F64))


def test_grid_of_gaussians_literal_centres_for_other_arguments():
    p = grid_of_gaussians(side=4, spacing=1.0, scale=0.1)
    axis = torch.tensor([-1.5, -0.5, 0.5, 1.5], dtype=F64)
    assert torch.equal(p.centres, torch.cartesian_prod(axis, axis))
    assert grid_of_gaussians(side=1).centres.tolist() == [[0.0, 0.0]]


# -- mean and variance ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "mean", "variance"),
    [
        (Gaussian1d(4.0, 0.5), [4.0], [0.25]),
        (Uniform1d(-1.0, 3.0), [1.0], [16 / 12]),
        # sum w mu = -0.6 + 1.2; sum w (s^2 + mu^2) - mean^2.
        (GaussianMixture1d([0.2, 0.5, 0.3], [-3.0, 0.0, 4.0], [0.5, 1.0, 0.25]), [0.6],
         [0.2 * (0.25 + 9) + 0.5 * 1.0 + 0.3 * (0.0625 + 16) - 0.36]),
        # By symmetry the mean is 0; each coordinate has variance s^2 + r^2 / 2.
        (ring_of_gaussians(), [0.0, 0.0], [1e-4 + 0.5, 1e-4 + 0.5]),
        # s^2 + mean of {-4, -2, 0, 2, 4}^2 = 0.0025 + 8.
        (grid_of_gaussians(), [0.0, 0.0], [8.0025, 8.0025]),
    ],
    ids=["gaussian", "uniform", "mixture1d", "ring", "grid"],
)  # fmt: skip
def test_mean_and_variance_closed_forms(p, mean, variance):
    torch.testing.assert_close(p.mean, torch.tensor(mean, dtype=F64), rtol=0, atol=1e-15)
    torch.testing.assert_close(p.variance, torch.tensor(variance, dtype=F64), rtol=1e-14, atol=0)


def test_sample_moments_match(target):
    """Mean and variance of each coordinate within 4 standard errors.

    The standard error of the mean is sqrt(var / n); that of the sample variance is
    sqrt((m4 - var^2) / n), with m4 the sample's fourth central moment.
    """
    x = target.sample((N_DRAWS,), generator=seeded(21))  # (n, d)
    n = x.shape[0]
    mean_error = (x.mean(0) - target.mean).abs()
    assert bool((mean_error < STANDARD_ERRORS * (target.variance / n).sqrt()).all())
    centred = x - x.mean(0)
    sample_variance = centred.pow(2).mean(0) * n / (n - 1)
    standard_error = ((centred.pow(4).mean(0) - sample_variance**2) / n).sqrt()
    variance_error = (sample_variance - target.variance).abs()
    assert bool((variance_error < STANDARD_ERRORS * standard_error).all())


# -- Mode frequencies -----------------------------------------------------------------------


def nearest_mode_counts(x: torch.Tensor, centres: torch.Tensor) -> np.ndarray:
    nearest = torch.cdist(x, centres).argmin(dim=-1)
    return np.bincount(nearest.numpy(), minlength=len(centres))


def test_mixture1d_mode_frequencies_match_the_weights():
    # Means 20 apart with scales <= 1: a draw lands nearer another mean with probability
    # < 2e-23, so the nearest mean is the component. The zero-weight component is never drawn.
    weights = [0.2, 0.5, 0.3, 0.0]
    p = GaussianMixture1d(weights, [-20.0, 0.0, 20.0, 40.0], [0.5, 1.0, 0.25, 1.0])
    counts = nearest_mode_counts(p.sample((N_DRAWS,), generator=seeded(22)), p.means[:, None])
    assert counts[3] == 0
    result = stats.chisquare(counts[:3], N_DRAWS * np.array(weights[:3]))
    assert result.pvalue > 1e-3, result


def test_isotropic_mixture_mode_frequencies_match_unequal_weights():
    weights = [0.1, 0.6, 0.3]
    p = IsotropicGaussianMixture([[0.0, 0.0, 0.0], [5.0, 0.0, 0.0], [0.0, 0.0, 5.0]], 0.2, weights)
    counts = nearest_mode_counts(p.sample((N_DRAWS,), generator=seeded(23)), p.centres)
    assert stats.chisquare(counts, N_DRAWS * np.array(weights)).pvalue > 1e-3


@pytest.mark.parametrize("p", [ring_of_gaussians(), grid_of_gaussians()], ids=["ring", "grid"])
def test_benchmark_modes_are_equally_frequent(p):
    # Each count is Binomial(n, 1/K): every frequency lies within 4 standard errors
    # sqrt((1/K)(1 - 1/K)/n) of 1/K, and the chi-square test of uniformity passes at 1e-3.
    modes = len(p.centres)
    counts = nearest_mode_counts(p.sample((N_DRAWS,), generator=seeded(24)), p.centres)
    bound = STANDARD_ERRORS * math.sqrt((1 / modes) * (1 - 1 / modes) / N_DRAWS)
    assert np.abs(counts / N_DRAWS - 1 / modes).max() < bound
    assert stats.chisquare(counts).pvalue > 1e-3


def test_ring_docstring_fraction_within_three_standard_deviations():
    # In 2-D, |x - c|^2 / s^2 is chi-square with 2 degrees of freedom: P(|x - c| <= 3 s) =
    # 1 - exp(-9/2) ~ 0.989. The sample fraction is within 4 standard errors of it.
    p = ring_of_gaussians()
    x = p.sample((N_DRAWS,), generator=seeded(25))
    within = float((torch.cdist(x, p.centres).min(dim=-1).values <= 3 * p.scale).double().mean())
    expected = 1 - math.exp(-4.5)
    assert round(expected, 3) == 0.989
    assert abs(within - expected) < STANDARD_ERRORS * math.sqrt(expected * (1 - expected) / N_DRAWS)


# -- Sampling: the formulae, reproducibility, shapes, dtype and device ------------------------


def test_samples_are_the_documented_transforms_of_the_generators_stream():
    n = 100
    x = Gaussian1d(4.0, 0.5).sample((n,), generator=seeded(26))
    torch.testing.assert_close(x, 4.0 + 0.5 * torch.randn(n, 1, generator=seeded(26), dtype=F64),
                               rtol=0, atol=0)  # fmt: skip
    u = Uniform1d(-1.0, 3.0).sample((n,), generator=seeded(27))
    torch.testing.assert_close(u, -1.0 + 4.0 * torch.rand(n, 1, generator=seeded(27), dtype=F64),
                               rtol=0, atol=0)  # fmt: skip
    # Mixtures: first the components (torch.multinomial), then the noise, from one generator.
    p = GaussianMixture1d([0.2, 0.5, 0.3], [-3.0, 0.0, 4.0], [0.5, 1.0, 0.25])
    m = p.sample((n,), generator=seeded(28))
    generator = seeded(28)
    k = torch.multinomial(p.weights, n, replacement=True, generator=generator)
    noise = torch.randn(n, 1, generator=generator, dtype=F64)
    torch.testing.assert_close(m, p.means[k, None] + p.scales[k, None] * noise, rtol=0, atol=0)


def test_uniform_samples_lie_in_the_half_open_interval():
    p = Uniform1d(-1.0, 3.0)
    x = p.sample((N_DRAWS,), generator=seeded(29))
    assert float(x.min()) >= -1.0 and float(x.max()) < 3.0
    assert bool(p.support.check(x).all())
    assert p.support.check(torch.tensor([[3.0], [-1.0]], dtype=F64)).tolist() == [False, True]


def test_target_sampling_is_reproducible_and_leaves_global_rng_alone(target):
    before = torch.get_rng_state()
    a = target.sample((64,), generator=seeded(30))
    b = target.sample((64,), generator=seeded(30))
    c = target.sample((64,), generator=seeded(31))
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_target_shapes(target):
    d = target.event_shape[0]
    assert target.batch_shape == () and d in (1, 2, 3)
    generator = seeded(32)
    assert target.sample(generator=generator).shape == (d,)
    assert target.sample((0,), generator=generator).shape == (0, d)
    x = target.sample(torch.Size([2, 3]), generator=generator)
    assert x.shape == (2, 3, d)
    assert target.log_prob(x).shape == (2, 3)
    assert target.log_prob(x.reshape(6, d)).shape == (6,)


def test_target_dtype(target):
    x64 = target.sample((5,), generator=seeded(33))
    x32 = target.sample((5,), generator=seeded(33), dtype=torch.float32)
    assert x64.dtype == F64 and x32.dtype == torch.float32
    # log_prob computes in the value's dtype.
    log_p32 = target.log_prob(x32)
    assert log_p32.dtype == torch.float32
    torch.testing.assert_close(log_p32.double(), target.log_prob(x32.double()),
                               rtol=1e-4, atol=1e-4)  # fmt: skip


def test_target_device_follows_the_generator(target):
    x = target.sample((5,), generator=torch.Generator(device="cpu").manual_seed(34))
    assert x.device == torch.device("cpu")
    assert target.log_prob(x).device == torch.device("cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_target_device_follows_a_cuda_generator(target):
    generator = torch.Generator(device="cuda").manual_seed(35)
    x = target.sample((5,), generator=generator)
    assert x.device.type == "cuda" and target.log_prob(x).device.type == "cuda"
    torch.testing.assert_close(target.log_prob(x).cpu(), target.log_prob(x.cpu()))


@pytest.mark.parametrize(
    "p",
    [
        GaussianMixture1d([0.2, 0.5, 0.3], [-3.0, 0.0, 4.0], [0.5, 1.0, 0.25]),
        ring_of_gaussians(scale=0.3),
        Gaussian1d(4.0, 0.5),
    ],
    ids=["mixture1d", "ring", "gaussian"],
)
def test_log_prob_gradcheck(p):
    d = p.event_shape[0]
    x = torch.randn(4, d, generator=seeded(36), dtype=F64).requires_grad_()
    assert torch.autograd.gradcheck(p.log_prob, (x,))


def test_parameters_accept_tensors_and_numbers_and_are_stored_as_float64():
    p = Gaussian1d(torch.tensor(1, dtype=torch.int64), torch.tensor(2.0))
    assert (p.loc, p.scale) == (1.0, 2.0) and isinstance(p.loc, float)
    m = GaussianMixture1d(torch.tensor([0.25, 0.75], dtype=torch.float32), (0, 1), [1, 2])
    assert m.weights.dtype == m.means.dtype == m.scales.dtype == F64
    i = IsotropicGaussianMixture(torch.zeros(2, 2, dtype=torch.float32), 1)
    assert i.centres.dtype == F64 and i.scale == 1.0
    assert "8 modes in 2-D" in repr(ring_of_gaussians())


def test_weights_sum_tolerance_follows_the_dtype_they_are_given_in():
    # Ten float32 tenths sum to 1 + 1.5e-8 in float64: within float32's 1e-4, accepted. The
    # same deviation of 1e-5 is refused in float64 (tolerance 1e-6) and never renormalised.
    tenths = torch.full((10,), 0.1, dtype=torch.float32)
    GaussianMixture1d(tenths, torch.zeros(10), torch.ones(10))
    GaussianMixture1d([1 / 3] * 3, [0.0] * 3, [1.0] * 3)
    with pytest.raises(ValueError, match=r"weights must sum to 1 within 1e-06; got sum 1\.00001\."):
        GaussianMixture1d([0.5, 0.50001], [0.0, 1.0], [1.0, 1.0])


# -- Errors of the targets ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Gaussian1d("0"), TypeError,
         r"^Gaussian1d: loc must be a real number; got str '0'\. Pass the mean, e\.g\. "
         r"loc=0\.0\.$"),
        (lambda: Gaussian1d(math.inf), ValueError,
         r"^Gaussian1d: loc must be a finite number; got inf\. Pass the mean, e\.g\. loc=0\.0\.$"),
        (lambda: Gaussian1d(0.0, 0.0), ValueError,
         r"^Gaussian1d: scale must be a finite number > 0; got 0\.0\. Pass a standard "
         r"deviation, e\.g\. scale=1\.0\.$"),
        (lambda: Gaussian1d(0.0, -1.0), ValueError,
         r"^Gaussian1d: scale must be a finite number > 0; got -1\.0\."),
        (lambda: Gaussian1d(0.0, math.nan), ValueError,
         r"^Gaussian1d: scale must be a finite number > 0; got nan\."),
        (lambda: Gaussian1d(0.0, torch.tensor([1.0])), TypeError,
         r"^Gaussian1d: scale must be a real number; got Tensor tensor\(\[1\.\]\)\."),
        (lambda: Uniform1d(None), TypeError,
         r"^Uniform1d: low must be a real number; got NoneType None\. Pass the lower end, "
         r"e\.g\. low=0\.0\.$"),
        (lambda: Uniform1d(0.0, -math.inf), ValueError,
         r"^Uniform1d: high must be a finite number; got -inf\. Pass the upper end, e\.g\. "
         r"high=1\.0\.$"),
        (lambda: Uniform1d(2.0, 2.0), ValueError,
         r"^Uniform1d: low must be < high; got low=2\.0 and high=2\.0\. Pass the interval "
         r"\[low, high\) with its lower end first\.$"),
        (lambda: Uniform1d(3.0, -1.0), ValueError, r"^Uniform1d: low must be < high; got low=3\.0"),
    ],
)  # fmt: skip
def test_invalid_gaussian1d_and_uniform1d(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    ("weights", "means", "scales", "error", "message"),
    [
        ([0.5, 0.6], [0.0, 1.0], [1.0, 1.0], ValueError,
         r"^GaussianMixture1d: weights must sum to 1 within 1e-06; got sum 1\.1\. Divide them "
         r"by their sum yourself; ganlib does not renormalise silently\.$"),
        ([1.5, -0.5], [0.0, 1.0], [1.0, 1.0], ValueError,
         r"^GaussianMixture1d: weights must be non-negative; got minimum -0\.5\. Pass the "
         r"probabilities of the components\.$"),
        ([0.5, 0.5], [0.0, 1.0], [1.0, 0.0], ValueError,
         r"^GaussianMixture1d: scales must be > 0; got minimum 0\. Pass standard deviations, "
         r"e\.g\. scales=\[0\.5, 0\.5\]\.$"),
        ([0.5, 0.5], [0.0, 1.0], [1.0, -2.0], ValueError,
         r"^GaussianMixture1d: scales must be > 0; got minimum -2\."),
        ([1.0], [0.0, 1.0], [1.0, 1.0], ValueError,
         r"^GaussianMixture1d: weights, means and scales must have the same length, one entry "
         r"per component; got 1, 2 and 2\. Pass one weight, mean and scale for each "
         r"component\.$"),
        ([0.5, 0.5], [0.0, 1.0], [1.0], ValueError, r"same length.*got 2, 2 and 1\."),
        ([], [], [], ValueError,
         r"^GaussianMixture1d: weights must be 1-D and non-empty \(one entry per component\); "
         r"got shape \(0,\)\. Pass e\.g\. \[0\.5, 0\.5\]\.$"),
        (torch.ones(1, 1), [0.0], [1.0], ValueError,
         r"^GaussianMixture1d: weights must be 1-D and non-empty.*got shape \(1, 1\)\."),
        ([0.5, 0.5], [0.0, math.nan], [1.0, 1.0], ValueError,
         r"^GaussianMixture1d: means must have finite entries; got 1 NaN and 0 inf\. Pass "
         r"finite parameters\.$"),
        ([0.5, 0.5], [0.0, 1.0], torch.tensor([1.0, math.inf]), ValueError,
         r"^GaussianMixture1d: scales must have finite entries; got 0 NaN and 1 inf\."),
        (np.array([0.5, 0.5]), [0.0, 1.0], [1.0, 1.0], TypeError,
         r"^GaussianMixture1d: weights must be a 1-D tensor or a list of real numbers; got "
         r"ndarray array\(\[0\.5, 0\.5\]\)\. Pass e\.g\. \[0\.5, 0\.5\], or convert with "
         r"torch\.as_tensor\.$"),
        ([0.5, 0.5], [0.0, "1"], [1.0, 1.0], TypeError,
         r"^GaussianMixture1d: means must be a 1-D tensor or a list of real numbers; got list "
         r"\[0\.0, '1'\]\."),
        ([1.0], [0.0], [True], TypeError, r"^GaussianMixture1d: scales must be a 1-D tensor"),
        (torch.tensor([True]), [0.0], [1.0], TypeError,
         r"^GaussianMixture1d: weights must have a real dtype; got torch\.bool\. Convert it "
         r"with weights\.to\(torch\.float64\)\.$"),
    ],
)  # fmt: skip
def test_invalid_gaussian_mixture1d(weights, means, scales, error, message):
    with pytest.raises(error, match=message):
        GaussianMixture1d(weights, means, scales)


@pytest.mark.parametrize(
    ("centres", "scale", "weights", "error", "message"),
    [
        (torch.zeros(0, 2), 0.1, None, ValueError,
         r"^IsotropicGaussianMixture: centres must be 2-D and non-empty \(one row per mode, "
         r"one column per axis\); got shape \(0, 2\)\. Pass e\.g\. \[\[0\.0, 0\.0\], "
         r"\[1\.0, 1\.0\]\]\.$"),
        ([], 0.1, None, ValueError, r"centres must be 2-D and non-empty.*got shape \(0, 0\)\."),
        (torch.zeros(3), 0.1, None, ValueError, r"centres must be 2-D.*got shape \(3,\)\."),
        ([[0.0, 0.0], [1.0]], 0.1, None, ValueError,
         r"^IsotropicGaussianMixture: centres must have rows of one length; got lengths "
         r"\[2, 1\]\."),
        ([1.0, 2.0], 0.1, None, TypeError,
         r"^IsotropicGaussianMixture: centres must be a 2-D tensor or a list of lists of real "
         r"numbers; got list \[1\.0, 2\.0\]\."),
        ([[0.0, math.inf]], 0.1, None, ValueError,
         r"^IsotropicGaussianMixture: centres must have finite entries; got 0 NaN and 1 inf\."),
        (torch.zeros(2, 2), 0.0, None, ValueError,
         r"^IsotropicGaussianMixture: scale must be a finite number > 0; got 0\.0\. Pass a "
         r"standard deviation, e\.g\. scale=0\.05\.$"),
        (torch.zeros(2, 2), "0.1", None, TypeError,
         r"^IsotropicGaussianMixture: scale must be a real number; got str '0\.1'\."),
        (torch.zeros(3, 2), 0.1, [0.5, 0.5], ValueError,
         r"^IsotropicGaussianMixture: weights must have one entry per row of centres \(3\); "
         r"got 2\. Pass one weight per mode, or None for equal weights\.$"),
        (torch.zeros(2, 2), 0.1, [0.7, 0.7], ValueError,
         r"^IsotropicGaussianMixture: weights must sum to 1 within 1e-06; got sum 1\.4\."),
        (torch.zeros(2, 2), 0.1, [1.2, -0.2], ValueError,
         r"^IsotropicGaussianMixture: weights must be non-negative; got minimum -0\.2\."),
    ],
)  # fmt: skip
def test_invalid_isotropic_gaussian_mixture(centres, scale, weights, error, message):
    with pytest.raises(error, match=message):
        IsotropicGaussianMixture(centres, scale, weights=weights)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: ring_of_gaussians(0), ValueError,
         r"^ring_of_gaussians: modes must be >= 1; got 0\. Pass the number of modes, e\.g\. "
         r"modes=8\.$"),
        (lambda: ring_of_gaussians(8.0), TypeError,
         r"^ring_of_gaussians: modes must be an int; got float 8\.0\. Pass the number of "
         r"modes, e\.g\. modes=8\.$"),
        (lambda: ring_of_gaussians(True), TypeError, r"modes must be an int; got bool True\."),
        (lambda: ring_of_gaussians(radius=0.0), ValueError,
         r"^ring_of_gaussians: radius must be a finite number > 0; got 0\.0\. Pass the ring's "
         r"radius, e\.g\. radius=1\.0\.$"),
        (lambda: ring_of_gaussians(scale=-0.01), ValueError,
         r"^ring_of_gaussians: scale must be a finite number > 0; got -0\.01\. Pass a standard "
         r"deviation, e\.g\. scale=0\.01\.$"),
        (lambda: ring_of_gaussians(scale=None), TypeError,
         r"^ring_of_gaussians: scale must be a real number; got NoneType None\."),
        (lambda: grid_of_gaussians(0), ValueError,
         r"^grid_of_gaussians: side must be >= 1; got 0\. Pass the number of modes per row, "
         r"e\.g\. side=5\.$"),
        (lambda: grid_of_gaussians("5"), TypeError,
         r"^grid_of_gaussians: side must be an int; got str '5'\."),
        (lambda: grid_of_gaussians(spacing=math.inf), ValueError,
         r"^grid_of_gaussians: spacing must be a finite number > 0; got inf\. Pass the mode "
         r"spacing, e\.g\. spacing=2\.0\.$"),
        (lambda: grid_of_gaussians(scale=0), ValueError,
         r"^grid_of_gaussians: scale must be a finite number > 0; got 0\. Pass a standard "
         r"deviation, e\.g\. scale=0\.05\.$"),
    ],
)  # fmt: skip
def test_invalid_benchmark_constructors(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    ("p", "value", "error", "message"),
    [
        (Gaussian1d(), torch.zeros(5, dtype=F64), ValueError,
         r"^Gaussian1d\.log_prob: value must have shape \(\.\.\., 1\), one point of the line "
         r"per row; got shape \(5,\)\. Reshape it, e\.g\. value\.reshape\(-1, 1\)\.$"),
        (ring_of_gaussians(), torch.zeros(5, 1, dtype=F64), ValueError,
         r"^IsotropicGaussianMixture\.log_prob: value must have shape \(\.\.\., 2\), one point "
         r"of the plane per row; got shape \(5, 1\)\."),
        (IsotropicGaussianMixture(torch.zeros(1, 3), 1.0), torch.zeros(2), ValueError,
         r"^IsotropicGaussianMixture\.log_prob: value must have shape \(\.\.\., 3\), one point "
         r"of R\^3 per row; got shape \(2,\)\. Reshape it, e\.g\. value\.reshape\(-1, 3\)\.$"),
        (Uniform1d(), [[0.5]], TypeError,
         r"^Uniform1d\.log_prob: value must be a torch\.Tensor; got list\. Convert it with "
         r"torch\.as_tensor\(value, dtype=torch\.float64\)\.$"),
        (GaussianMixture1d([1.0], [0.0], [1.0]), torch.zeros(3, 1, dtype=torch.int64), TypeError,
         r"^GaussianMixture1d\.log_prob: value must have a floating-point dtype; got "
         r"torch\.int64\."),
        (Gaussian1d(), torch.tensor([[math.inf]]), ValueError,
         r"^Gaussian1d\.log_prob: value must have finite entries; got 0 NaN and 1 inf\."),
    ],
)  # fmt: skip
def test_target_log_prob_invalid_value(p, value, error, message):
    with pytest.raises(error, match=message):
        p.log_prob(value)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"sample_shape": 5}, TypeError,
         r"^GaussianMixture1d\.sample: sample_shape must be a tuple of ints or a torch\.Size; "
         r"got 5\. Pass e\.g\. \(5,\) for that many draws\.$"),
        ({"sample_shape": (2, -1)}, ValueError,
         r"^GaussianMixture1d\.sample: sample_shape must have non-negative sizes; got "
         r"\(2, -1\)\."),
        ({"sample_shape": (3,), "generator": 0}, TypeError,
         r"^GaussianMixture1d\.sample: generator must be a torch\.Generator or None; got 0\. "
         r"Pass torch\.Generator\(\)\.manual_seed\(seed\)\.$"),
        ({"sample_shape": (3,), "dtype": torch.int32}, TypeError,
         r"^GaussianMixture1d\.sample: dtype must be a floating-point torch\.dtype; got "
         r"torch\.int32\. Pass dtype=torch\.float64 or dtype=torch\.float32\.$"),
    ],
)  # fmt: skip
def test_target_sample_invalid_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        GaussianMixture1d([1.0], [0.0], [1.0]).sample(**kwargs)
