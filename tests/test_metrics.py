"""Tests of ganlib.metrics: mode coverage on hand-placed points and on the benchmark targets,
the k-NN divergence estimates against closed forms and quadrature, the Parzen window against
the Gaussian log density, every docstring equation evaluated literally, bounded memory, and
every error message. Float64 throughout; every random draw comes from a seeded
torch.Generator. Tolerances on estimates are several times the spread measured over 50 seeds
at the sizes used here (quoted beside each)."""

from __future__ import annotations

import math
import statistics

import pytest
import scipy.stats
import torch
from torch.distributions import MultivariateNormal, Normal

from ganlib.distributions import grid_of_gaussians, ring_of_gaussians
from ganlib.divergences import js_divergence, kl_divergence
from ganlib.metrics import (
    CHUNK_ELEMENTS,
    ModeCoverage,
    ParzenLogLikelihood,
    histogram_js_estimate,
    js_divergence_estimate,
    kl_divergence_estimate,
    mode_coverage,
    nearest_mode_counts,
    nearest_neighbours,
    parzen_log_likelihood,
    select_parzen_bandwidth,
    summarise_coverage,
)

F64 = torch.float64
RING = ring_of_gaussians()
GRID = grid_of_gaussians()


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def gaussian(n: int, d: int, seed: int, *, mean: float = 0.0, std: float = 1.0) -> torch.Tensor:
    return torch.randn(n, d, generator=seeded(seed), dtype=F64) * std + mean


# --- mode coverage ----------------------------------------------------------------------------


def test_hand_placed_samples_on_three_of_eight_modes():
    centres = RING.centres
    on_modes = centres[[0, 0, 3, 5]]  # exactly on modes 0 (twice), 3 and 5
    near = centres[[5]] + torch.tensor([[0.02, -0.02]], dtype=F64)  # 2.83 sd from mode 5
    far = torch.tensor([[0.0, 0.0], [5.0, 5.0], [1.05, 0.0]], dtype=F64)  # 1.05: 5 sd out
    coverage = mode_coverage(torch.cat([on_modes, near, far]), centres, RING.scale)
    assert isinstance(coverage, ModeCoverage)
    assert coverage.counts.tolist() == [2, 0, 0, 1, 0, 2, 0, 0]
    assert coverage.counts.dtype == torch.int64
    assert (coverage.modes_captured, coverage.n_modes) == (3, 8)
    assert coverage.high_quality_fraction == 5 / 8
    q = torch.tensor([2, 1, 2], dtype=F64) / 5
    assert coverage.reverse_kl == pytest.approx(float((q * torch.log(8 * q)).sum()), abs=1e-15)


def test_the_threshold_is_inclusive():
    centres = torch.zeros(1, 2, dtype=F64)
    samples = torch.tensor([[1.0, 0.0], [1.0 + 1e-12, 0.0]], dtype=F64)
    assert mode_coverage(samples, centres, 0.5, threshold=2.0).counts.tolist() == [1]
    assert mode_coverage(samples, centres, 0.25).counts.tolist() == [0]  # 3 * 0.25 = 0.75 < 1
    between = torch.tensor([[0.0, 0.0], [2.0, 0.0]], dtype=F64)  # (1, 0) is 1 from each
    assert mode_coverage(samples[:1], between, 1.0).counts.tolist() == [1, 0]  # the lower wins


@pytest.mark.parametrize(("target", "n"), [(RING, 10_000), (GRID, 2_500)], ids=["ring", "grid"])
def test_samples_of_the_target_capture_every_mode(target, n):
    samples = target.sample((n,), generator=seeded(1), dtype=F64)
    coverage = mode_coverage(samples, target.centres, target.scale)
    assert coverage.modes_captured == coverage.n_modes == len(target.centres)
    # The distance to a 2-D Gaussian's centre is Rayleigh: P(r <= 3s) = 1 - exp(-9/2), which is
    # the chi-square(2) CDF at 9, not the 0.997 of one dimension. Binomial: 4 standard errors.
    p = 1 - math.exp(-9 / 2)
    assert p == pytest.approx(scipy.stats.chi2.cdf(9, 2), abs=1e-15)
    assert round(p, 3) == 0.989
    assert abs(coverage.high_quality_fraction - p) < 4 * math.sqrt(p * (1 - p) / n)
    # With N high-quality samples from uniform modes, 2 N KL(q || u) is the G statistic,
    # asymptotically chi-square(K - 1): below its 0.999 quantile over 2 N.
    high_quality = int(coverage.counts.sum())
    bound = scipy.stats.chi2.ppf(0.999, coverage.n_modes - 1) / (2 * high_quality)
    assert 0 <= coverage.reverse_kl < bound  # ring: bound 0.0012; grid: 0.0104


def test_a_million_samples_in_chunks():
    samples = GRID.sample((1_000_000,), generator=seeded(2), dtype=F64)
    coverage = mode_coverage(samples, GRID.centres, GRID.scale)  # 6 chunks of 167,772
    p = 1 - math.exp(-9 / 2)
    assert abs(coverage.high_quality_fraction - p) < 4 * math.sqrt(p * (1 - p) / 1e6)
    assert coverage.modes_captured == 25
    small = mode_coverage(samples[:5000], GRID.centres, GRID.scale, chunk_elements=1)
    assert torch.equal(small.counts, mode_coverage(samples[:5000], GRID.centres, 0.05).counts)


@pytest.mark.parametrize("target", [RING, GRID], ids=["ring", "grid"])
def test_samples_all_in_one_mode(target):
    mode = target.centres[2]
    samples = mode + target.scale * torch.randn(500, 2, generator=seeded(3), dtype=F64)
    coverage = mode_coverage(samples, target.centres, target.scale)
    assert coverage.modes_captured == 1
    assert coverage.counts[2] == coverage.counts.sum() > 450
    assert coverage.reverse_kl == math.log(len(target.centres))  # log K, exactly


def test_no_high_quality_sample_gives_nan_reverse_kl():
    coverage = mode_coverage(torch.zeros(10, 2, dtype=F64), RING.centres, RING.scale)
    assert (coverage.modes_captured, coverage.high_quality_fraction) == (0, 0.0)
    assert coverage.counts.tolist() == [0] * 8
    assert math.isnan(coverage.reverse_kl)
    assert not coverage.reverse_kl < 0.1  # a claim about it fails rather than passes


def test_mode_coverage_docstring_equations():
    """Nearest mode, high quality, n_k, captured and KL(q || u), evaluated literally."""
    samples = GRID.sample((300,), generator=seeded(4), dtype=F64)
    samples = samples + 0.1 * torch.randn(300, 2, generator=seeded(5), dtype=F64)  # some miss
    centres, t, s = GRID.centres, 2.5, GRID.scale
    distances = ((samples[:, None, :] - centres[None]) ** 2).sum(-1).sqrt()  # (n, K)
    nearest = distances.argmin(1)
    high = distances.min(1).values <= t * s
    counts = torch.tensor([int((high & (nearest == k)).sum()) for k in range(len(centres))])
    q = counts.to(F64) / counts.sum()
    literal = sum(float(qk * math.log(qk / (1 / len(centres)))) for qk in q if qk > 0)
    coverage = mode_coverage(samples, centres, s, threshold=t)
    assert 0 < coverage.high_quality_fraction < 0.9  # the case is not trivial
    assert torch.equal(coverage.counts, counts)
    assert coverage.high_quality_fraction == float(high.double().mean())
    assert coverage.modes_captured == int((counts > 0).sum())
    assert coverage.reverse_kl == pytest.approx(literal, abs=1e-14)
    uniform = torch.full((len(centres),), 1 / len(centres), dtype=F64)
    assert coverage.reverse_kl == pytest.approx(float(kl_divergence(q, uniform)), abs=1e-14)
    assert 0 <= coverage.reverse_kl <= math.log(len(centres))


def test_centres_follow_the_samples_dtype():
    samples = RING.sample((100,), generator=seeded(6), dtype=torch.float32)
    coverage = mode_coverage(samples, RING.centres, RING.scale)  # float64 centres
    assert coverage.counts.device == samples.device
    assert coverage.n_modes == 8


# --- k-nearest-neighbour estimates ------------------------------------------------------------

N = 3000  # points per set in the accuracy tests


def test_kl_estimate_of_two_1d_gaussians():
    x, y = gaussian(N, 1, 10), gaussian(N, 1, 11, mean=1.0)
    # KL(N(0, 1) || N(1, 1)) = 1/2. Over 50 seeds at n = m = 3000: mean 0.497, sd 0.049 for
    # k = 1 (mean 0.488, sd 0.028 for k = 5). Tolerances: about 4 sd plus the bias.
    assert float(kl_divergence_estimate(x, y)) == pytest.approx(0.5, abs=0.2)


def test_kl_estimate_of_two_2d_gaussians():
    x, y = gaussian(N, 2, 12), gaussian(N, 2, 13, mean=1.0, std=math.sqrt(2))
    p = MultivariateNormal(torch.zeros(2, dtype=F64), torch.eye(2, dtype=F64))
    q = MultivariateNormal(torch.ones(2, dtype=F64), 2 * torch.eye(2, dtype=F64))
    truth = float(torch.distributions.kl_divergence(p, q))
    assert truth == pytest.approx(math.log(2), abs=1e-15)  # (tr 1 + 2/2 - 2 + log 4) / 2
    # Over 50 seeds: mean 0.704, sd 0.048 (k = 1); mean 0.700, sd 0.025 (k = 5).
    assert float(kl_divergence_estimate(x, y)) == pytest.approx(truth, abs=0.2)
    assert float(kl_divergence_estimate(x, y, k=5)) == pytest.approx(truth, abs=0.11)


def test_kl_estimate_of_equal_distributions_is_near_zero():
    x, y = gaussian(N, 2, 14), gaussian(N, 2, 15)
    assert float(kl_divergence_estimate(x, y)) == pytest.approx(0.0, abs=0.15)  # sd 0.035


@pytest.mark.parametrize("k", [1, 2, 4])
def test_kl_estimate_docstring_equation(k):
    x, y = gaussian(9, 2, 16), gaussian(12, 2, 17, mean=0.5)
    (n, d), m = x.shape, len(y)
    total = 0.0
    for i in range(n):
        others = torch.cat([x[:i], x[i + 1 :]])
        rho = sorted(float((x[i] - o).norm()) for o in others)[k - 1]
        nu = sorted(float((x[i] - w).norm()) for w in y)[k - 1]
        total += math.log(nu / rho)
    literal = d / n * total + math.log(m / (n - 1))
    assert float(kl_divergence_estimate(x, y, k=k)) == pytest.approx(literal, abs=1e-13)
    bits = kl_divergence_estimate(x, y, k=k, base=2)
    assert float(bits) == pytest.approx(literal / math.log(2), abs=1e-13)


def test_kl_estimate_of_repeated_points():
    x, y = gaussian(20, 2, 18), gaussian(20, 2, 19)
    assert float(kl_divergence_estimate(torch.cat([x, x[:1]]), y)) == math.inf  # rho = 0
    assert float(kl_divergence_estimate(x, torch.cat([y, x[:1]]))) == -math.inf  # nu = 0


def js_by_quadrature(p, q, axes: int, low: float, high: float, step: float) -> float:
    """JS of two torch distributions on a uniform grid in 1 or 2 dimensions."""
    line = torch.arange(low, high + step / 2, step, dtype=F64)
    grid = torch.cartesian_prod(line, line) if axes == 2 else line[:, None]
    density = [d.log_prob(grid if axes == 2 else grid[:, 0]).exp() for d in (p, q)]
    return float(js_divergence(*density, dx=step**axes))


def test_js_estimate_of_two_1d_gaussians():
    x, y = gaussian(N, 1, 20), gaussian(N, 1, 21, mean=1.0)
    p, q = (Normal(torch.tensor(mean, dtype=F64), 1.0) for mean in (0.0, 1.0))
    truth = js_by_quadrature(p, q, 1, -12.0, 13.0, 0.01)
    assert truth == pytest.approx(0.111421, abs=1e-6)  # step 0.1 gives the same to 1e-14
    # Over 50 seeds: mean 0.1141, sd 0.0140 for k = 1 (mean 0.1116, sd 0.0104 for k = 5).
    assert float(js_divergence_estimate(x, y)) == pytest.approx(truth, abs=0.06)


def test_js_estimate_of_two_2d_gaussians():
    x, y = gaussian(N, 2, 22), gaussian(N, 2, 23, mean=1.0, std=math.sqrt(2))
    p = MultivariateNormal(torch.zeros(2, dtype=F64), torch.eye(2, dtype=F64))
    q = MultivariateNormal(torch.ones(2, dtype=F64), 2 * torch.eye(2, dtype=F64))
    truth = js_by_quadrature(p, q, 2, -10.0, 12.0, 0.05)
    assert truth == pytest.approx(0.179724, abs=1e-6)  # step 0.1 gives the same to 1e-14
    # Over 50 seeds: mean 0.1815, sd 0.0154 (k = 1); mean 0.1851, sd 0.0069 (k = 5).
    assert float(js_divergence_estimate(x, y)) == pytest.approx(truth, abs=0.065)
    assert float(js_divergence_estimate(x, y, k=5)) == pytest.approx(truth, abs=0.035)


def test_js_estimate_of_disjoint_supports_is_log_2_plus_a_quarter_over_n():
    x, far = gaussian(500, 2, 24), gaussian(500, 2, 25, mean=100.0)
    harmonic = math.fsum(1 / j for j in range(500, 1000))  # psi(2n) - psi(n)
    assert float(js_divergence_estimate(x, far)) == pytest.approx(harmonic, abs=1e-12)
    assert harmonic == pytest.approx(math.log(2) + 1 / (4 * 500), abs=1e-6)
    assert float(js_divergence_estimate(x, far, base=2)) == pytest.approx(
        harmonic / math.log(2), abs=1e-12
    )


def test_js_estimate_is_symmetric_and_near_zero_for_equal_distributions():
    x, y = gaussian(N, 2, 26), gaussian(N, 2, 27)
    assert float(js_divergence_estimate(x, y)) == pytest.approx(0.0, abs=0.06)  # sd 0.014
    x, y = x[:200], y[:200] + 0.5
    swapped = js_divergence_estimate(y, x)
    assert float(js_divergence_estimate(x, y)) == pytest.approx(float(swapped), abs=1e-12)


@pytest.mark.parametrize("k", [1, 3])
def test_js_estimate_docstring_equation(k):
    """H(M) - H(P)/2 - H(Q)/2 with Kozachenko-Leonenko entropies, psi(k) and V_d included."""
    x, y = gaussian(10, 3, 28), gaussian(10, 3, 29, mean=0.7)
    d = x.shape[1]
    log_ball = d / 2 * math.log(math.pi) - math.lgamma(d / 2 + 1)  # log V_d

    def entropy(points: torch.Tensor) -> float:
        count = len(points)
        distances = torch.cdist(points, points, compute_mode="donot_use_mm_for_euclid_dist")
        kth = distances.sort(1).values[:, k]  # column 0 is the point itself
        psi = torch.special.digamma(torch.tensor([count, k], dtype=F64))
        return float(psi[0] - psi[1]) + log_ball + d / count * float(kth.log().sum())

    literal = entropy(torch.cat([x, y])) - entropy(x) / 2 - entropy(y) / 2
    assert float(js_divergence_estimate(x, y, k=k)) == pytest.approx(literal, abs=1e-12)


def kth_nearest(x: torch.Tensor, y: torch.Tensor, k: int, *, self_excluded: bool):
    """By brute force: the distance from each row of x to its k-th nearest row of y."""
    distance = (x[:, None, :] - y[None, :, :]).square().sum(-1).sqrt()  # (n, m)
    if self_excluded:
        distance.fill_diagonal_(math.inf)
    return distance.sort(1).values[:, k - 1]  # (n,)


def test_plugging_knn_density_ratios_into_js_is_biased_as_documented():
    """The rejected alternative: at P = Q it gives log 2 + psi(k) - psi(2k), -0.31 for k = 1."""
    k = 1
    bias = math.log(2) - float(torch.special.digamma(torch.tensor([k, 2 * k], dtype=F64)).diff())
    assert bias == pytest.approx(math.log(2) - 1, abs=1e-15)
    assert round(bias, 2) == -0.31
    x, y = gaussian(N, 1, 30), gaussian(N, 1, 31)
    terms = []
    for own, other in ((x, y), (y, x)):
        rho = kth_nearest(own, own, k, self_excluded=True)
        nu = kth_nearest(own, other, k, self_excluded=False)
        ratio = N / (N - 1) * nu / rho  # k-NN density of own set over the other's
        terms.append(torch.log(2 * ratio / (1 + ratio)).mean())
    plug_in = float(sum(terms)) / 2
    assert plug_in == pytest.approx(bias, abs=0.05)  # sd of the mean: 1 / sqrt(2 N) = 0.013


@pytest.mark.parametrize("k", [1, 4])
def test_knn_estimates_equal_a_brute_force_computation(k):
    x, y = gaussian(300, 3, 60), gaussian(300, 3, 61, mean=0.4, std=1.3)
    (n, d), m = x.shape, len(y)
    rho = kth_nearest(x, x, k, self_excluded=True)
    nu = kth_nearest(x, y, k, self_excluded=False)
    kl = d * (nu.log() - rho.log()).mean() + math.log(m / (n - 1))
    assert float(kl_divergence_estimate(x, y, k=k)) == pytest.approx(float(kl), abs=1e-12)
    pooled = torch.cat([x, y])
    total = 0.0
    for start, own in ((0, x), (n, y)):
        distance = (own[:, None] - pooled[None]).square().sum(-1).sqrt()  # (n, 2n)
        distance[torch.arange(n), start + torch.arange(n)] = math.inf  # not itself
        r = distance.sort(1).values[:, k - 1]
        total += float((r.log() - kth_nearest(own, own, k, self_excluded=True).log()).sum())
    psi = torch.special.digamma(torch.tensor([2.0 * n, n], dtype=F64))
    js = float(psi[0] - psi[1]) + d * total / (2 * n)
    assert float(js_divergence_estimate(x, y, k=k)) == pytest.approx(js, abs=1e-12)


def test_knn_estimates_do_not_depend_on_the_chunk_size():
    x, y = gaussian(40, 2, 32), gaussian(40, 2, 33, mean=0.5)
    for estimate in (kl_divergence_estimate, js_divergence_estimate):
        whole = estimate(x, y, k=3)
        for chunk_elements in (1, 39, 41, 1000):
            assert torch.equal(estimate(x, y, k=3, chunk_elements=chunk_elements), whole)


def test_knn_estimates_gradcheck():
    x = gaussian(8, 2, 34).requires_grad_()
    y = gaussian(8, 2, 35, mean=0.5).requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: kl_divergence_estimate(a, b, k=2), (x, y))
    assert torch.autograd.gradcheck(lambda a, b: js_divergence_estimate(a, b, k=2), (x, y))


# --- Parzen windows ---------------------------------------------------------------------------


@pytest.mark.parametrize(("d", "sigma"), [(1, 1.0), (3, 0.4), (784, 0.2)])
def test_parzen_of_one_sample_is_the_gaussian_log_density(d, sigma):
    sample, point = gaussian(1, d, 40, std=0.1), gaussian(1, d, 41, std=0.1)
    result = parzen_log_likelihood(sample, point, sigma)
    assert isinstance(result, ParzenLogLikelihood)
    truth = float(Normal(sample[0], sigma).log_prob(point[0]).sum())
    assert result.mean == pytest.approx(truth, rel=1e-12)
    assert math.isnan(result.standard_error)  # one point: no spread to estimate
    assert result.sigma == sigma and result.log_densities.shape == (1,)


def test_parzen_docstring_equation():
    samples, points = gaussian(30, 3, 42), gaussian(12, 3, 43)
    n, d, sigma = 30, 3, 0.7
    squared = ((points[:, None, :] - samples[None]) ** 2).sum(-1)  # (points, samples)
    kernels = torch.exp(-squared / (2 * sigma**2)) / (2 * math.pi * sigma**2) ** (d / 2)
    literal = torch.log(kernels.mean(1))  # log (1/n) sum_i N(x; s_i, sigma^2 I)
    lse_form = torch.logsumexp(-squared / (2 * sigma**2), 1) - math.log(n)
    lse_form = lse_form - d / 2 * math.log(2 * math.pi * sigma**2)
    result = parzen_log_likelihood(samples, points, sigma)
    torch.testing.assert_close(result.log_densities, literal, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(result.log_densities, lse_form, rtol=1e-12, atol=1e-12)
    assert result.mean == pytest.approx(float(literal.mean()), abs=1e-12)
    standard_error = float(literal.std()) / math.sqrt(len(points))
    assert result.standard_error == pytest.approx(standard_error, rel=1e-10)


def test_parzen_of_many_samples_approaches_the_true_log_density():
    samples, points = gaussian(4000, 2, 44), gaussian(1000, 2, 45)
    truth = float(
        MultivariateNormal(torch.zeros(2, dtype=F64), torch.eye(2, dtype=F64))
        .log_prob(points)
        .mean()
    )
    result = parzen_log_likelihood(samples, points, 0.25)  # Silverman: 4000 ** (-1/6) = 0.25
    # Over 50 seeds the difference is -0.010 (sd 0.006): -0.002 from smoothing with sigma,
    # E log N(x; 0, (1 + sigma^2) I) - E log N(x; 0, I), the rest from Jensen (E log < log E).
    assert result.mean == pytest.approx(truth, abs=0.04)


def test_parzen_does_not_depend_on_the_chunk_size():
    samples, points = gaussian(50, 4, 46), gaussian(20, 4, 47)
    whole = parzen_log_likelihood(samples, points, 0.5).log_densities
    for chunk_elements in (1, 7, 49, 50, 51, 999):
        chunked = parzen_log_likelihood(samples, points, 0.5, chunk_elements=chunk_elements)
        torch.testing.assert_close(chunked.log_densities, whole, rtol=1e-12, atol=0)


def test_parzen_stays_finite_where_exp_underflows():
    samples = torch.tensor([[0.0], [0.002]], dtype=F64)
    points = torch.tensor([[1.0]], dtype=F64)
    sigma = 1e-3  # exponents near -5e5: every exp is 0 in float64
    assert float(torch.exp(-((points - samples) ** 2) / (2 * sigma**2)).sum()) == 0.0
    exponents = -((1.0 - samples[:, 0]) ** 2) / (2 * sigma**2)
    truth = float(torch.logsumexp(exponents, 0)) - math.log(2)
    truth -= 0.5 * math.log(2 * math.pi * sigma**2)
    result = parzen_log_likelihood(samples, points, sigma, chunk_elements=1)
    assert math.isfinite(result.mean) and result.mean == pytest.approx(truth, rel=1e-12)
    assert result.mean < -4.9e5


@pytest.mark.parametrize("chunk_elements", [1, 7, 1000, 4096])
def test_blocked_results_equal_unblocked_results(chunk_elements):
    samples, points = gaussian(300, 5, 48), gaussian(200, 5, 49)
    chunked = {"chunk_elements": chunk_elements}
    whole = {"chunk_elements": 10**9}  # one block
    assert CHUNK_ELEMENTS == 2**22  # the default: 32 MiB per float64 block
    for call in (
        lambda **o: parzen_log_likelihood(samples, points, 1.0, **o).log_densities,
        lambda **o: select_parzen_bandwidth(samples, points, [0.5, 1.0], **o)[1],
    ):  # blocks are combined with logaddexp: equal to rounding
        torch.testing.assert_close(call(**chunked), call(**whole), rtol=1e-13, atol=0)
    for call in (
        lambda **o: kl_divergence_estimate(samples, points, k=2, **o),
        lambda **o: js_divergence_estimate(samples[:200], points, k=2, **o),
        lambda **o: mode_coverage(samples, points[:10], 0.5, **o).counts,
        lambda **o: nearest_mode_counts(samples, points[:10], **o),
    ):  # blocks of rows: bit for bit
        assert torch.equal(call(**chunked), call(**whole))


def test_bandwidth_selection_with_a_known_optimum():
    """One sample at 0: the mean score is -S / (2 sigma^2) - (d/2) log(2 pi sigma^2), S the mean
    squared norm of the validation points, maximal at sigma^2 = S / d."""
    validation, d = gaussian(500, 3, 50), 3
    mean_square = float(validation.square().sum(1).mean())
    best = math.sqrt(mean_square / d)
    sigmas = [best / 2, best / 1.1, best, best * 1.1, best * 2]
    chosen, scores = select_parzen_bandwidth(torch.zeros(1, d, dtype=F64), validation, sigmas)
    assert chosen == best
    literal = [-mean_square / (2 * s**2) - d / 2 * math.log(2 * math.pi * s**2) for s in sigmas]
    torch.testing.assert_close(scores, torch.tensor(literal, dtype=F64), rtol=1e-12, atol=0)
    assert scores.argmax() == 2


def test_bandwidth_selection_on_the_samples_themselves_picks_the_smallest_sigma():
    samples = gaussian(200, 2, 51)
    sigmas = torch.logspace(-3, 0, 7, dtype=F64)  # a tensor is accepted
    chosen, scores = select_parzen_bandwidth(samples, samples, sigmas)
    assert chosen == float(sigmas[0])
    assert bool((scores.diff() < 0).all())  # every smaller sigma scores higher: the pitfall
    # Each point's own kernel alone gives log p_hat >= -log n - (d/2) log(2 pi sigma^2).
    bound = [-math.log(200) - math.log(2 * math.pi * float(s) ** 2) for s in sigmas]
    # Equality at sigma = 1e-3 up to the documented rounding of |x|^2 + |s|^2 - 2 x.s, about
    # eps |x|^2 / sigma^2 = 1e-9 here.
    assert bool((scores >= torch.tensor(bound, dtype=F64) - 1e-8).all())
    held_out, _ = select_parzen_bandwidth(samples, gaussian(200, 2, 52), sigmas.tolist())
    assert held_out > float(sigmas[0])  # held-out points do not reward sigma -> 0


def test_parzen_gradcheck():
    samples = gaussian(6, 2, 53).requires_grad_()
    points = gaussian(4, 2, 54).requires_grad_()
    log_densities = lambda s, x: parzen_log_likelihood(s, x, 0.8).log_densities  # noqa: E731
    assert torch.autograd.gradcheck(log_densities, (samples, points))


# --- errors -----------------------------------------------------------------------------------

X = gaussian(6, 2, 60)
FUNCTIONS = {
    "mode_coverage": lambda a, b: mode_coverage(a, b, 0.1),
    "kl_divergence_estimate": kl_divergence_estimate,
    "js_divergence_estimate": js_divergence_estimate,
    "parzen_log_likelihood": lambda a, b: parzen_log_likelihood(a, b, 1.0),
    "select_parzen_bandwidth": lambda a, b: select_parzen_bandwidth(a, b, [1.0]),
}
FIRST = {"mode_coverage": "samples", "kl_divergence_estimate": "p_samples"}
FIRST |= {"js_divergence_estimate": "p_samples", "parzen_log_likelihood": "samples"}
FIRST |= {"select_parzen_bandwidth": "samples"}
SECOND = {"mode_coverage": "centres", "kl_divergence_estimate": "q_samples"}
SECOND |= {"js_divergence_estimate": "q_samples", "parzen_log_likelihood": "points"}
SECOND |= {"select_parzen_bandwidth": "validation"}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_inputs_must_be_floating_point_tensors(name):
    function, first, second = FUNCTIONS[name], FIRST[name], SECOND[name]
    with pytest.raises(TypeError, match=rf"^{name}: {first} must be a torch.Tensor; got list\."):
        function(X.tolist(), X)
    with pytest.raises(TypeError, match=rf"^{name}: {second} must have a floating-point dtype; "):
        function(X, X.long())


@pytest.mark.parametrize("name", FUNCTIONS)
def test_inputs_must_be_finite_non_empty_2d_point_sets(name):
    function, first, second = FUNCTIONS[name], FIRST[name], SECOND[name]
    message = rf"^{name}: {first} must be 2-D \(points, dimensions\); got shape \(6,\)\. Flat"
    with pytest.raises(ValueError, match=message):
        function(X[:, 0], X)
    message = rf"^{name}: {second} must have at least 1 point\(s\) of at least one dimension; "
    with pytest.raises(ValueError, match=message + r"got shape \(0, 2\)\. Pass a non-empty"):
        function(X, X[:0])
    with pytest.raises(ValueError, match=rf"^{name}: {first} must have .* got shape \(6, 0\)"):
        function(X[:, :0], X[:, :0])
    bad = X.clone()
    bad[0, 0], bad[1, 1], bad[2, 0] = math.nan, math.inf, -math.inf
    message = rf"^{name}: {second} must have finite entries; got 1 NaN and 2 inf\. Drop"
    with pytest.raises(ValueError, match=message):
        function(X, bad)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_inputs_must_share_the_dimension(name):
    first, second = FIRST[name], SECOND[name]
    message = rf"^{name}: ({first} and )?{second} must have (as many columns as {first} \(2\)|"
    message += r"the same number of dimensions \(columns\)); got (2 and )?3\. Pass"
    with pytest.raises(ValueError, match=message):
        FUNCTIONS[name](X, gaussian(6, 3, 61))


@pytest.mark.parametrize("name", [n for n in FUNCTIONS if n != "mode_coverage"])
def test_sample_sets_must_share_dtype_and_device(name):
    first, second = FIRST[name], SECOND[name]
    message = rf"^{name}: {first} and {second} must have the same dtype; got torch.float64 and"
    with pytest.raises(TypeError, match=message):
        FUNCTIONS[name](X, X.float())
    message = rf"^{name}: {first} and {second} must be on the same device; got cpu and meta\."
    with pytest.raises(ValueError, match=message):
        FUNCTIONS[name](X, torch.empty(6, 2, dtype=F64, device="meta"))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda v: mode_coverage(X, X, v),
            ValueError,
            r"mode_coverage: scale must be a finite number > 0",
        ),
        (
            lambda v: mode_coverage(X, X, 0.1, threshold=v),
            ValueError,
            r"threshold must be a finite number > 0",
        ),
        (
            lambda v: parzen_log_likelihood(X, X, v),
            ValueError,
            r"sigma must be a finite number > 0",
        ),
        (
            lambda v: select_parzen_bandwidth(X, X, [1.0, v]),
            ValueError,
            r"sigmas\[1\] must be a fin",
        ),
    ],
    ids=["scale", "threshold", "sigma", "sigmas"],
)
@pytest.mark.parametrize("value", [0.0, -1.0, math.inf, math.nan, True, "1", torch.tensor(1.0)])
def test_scales_must_be_positive_real_numbers(call, error, message, value):
    if not isinstance(value, float):
        error, message = TypeError, message.split(" must")[0] + r" must be a real number; got "
    with pytest.raises(error, match=message):
        call(value)


def test_positive_number_messages_in_full():
    message = r"^parzen_log_likelihood: sigma must be a finite number > 0; got 0\.0\. Choose it"
    with pytest.raises(ValueError, match=message):
        parzen_log_likelihood(X, X, 0.0)
    message = r"^mode_coverage: scale must be a real number; got bool True\. Pass the modes'"
    with pytest.raises(TypeError, match=message):
        mode_coverage(X, X, True)


def test_sigmas_must_be_a_non_empty_sequence():
    name = "select_parzen_bandwidth"
    with pytest.raises(ValueError, match=rf"^{name}: sigmas must have at least one candidate"):
        select_parzen_bandwidth(X, X, [])
    for sigmas in (0.5, "0.5"):
        with pytest.raises(TypeError, match=rf"^{name}: sigmas must be a sequence of real num"):
            select_parzen_bandwidth(X, X, sigmas)


def test_k_must_be_an_int_within_the_sample_sizes():
    with pytest.raises(TypeError, match=r"^kl_divergence_estimate: k must be an int; got float 1"):
        kl_divergence_estimate(X, X, k=1.0)
    message = r"^kl_divergence_estimate: k must be in \[1, 3\] \(n - 1 = 5 other p_samples and "
    with pytest.raises(ValueError, match=message + r"m = 3 q_samples\); got 4\. Use a smaller k"):
        kl_divergence_estimate(X, X[:3], k=4)
    message = r"^js_divergence_estimate: k must be in \[1, 5\] \(n - 1 = 5 other points per set"
    for k in (0, 6):
        with pytest.raises(ValueError, match=message + rf"\); got {k}\."):
            js_divergence_estimate(X, X, k=k)
    message = r"^kl_divergence_estimate: p_samples must have at least 2 point\(s\)"
    with pytest.raises(ValueError, match=message):
        kl_divergence_estimate(X[:1], X)


def test_js_estimate_needs_sets_of_equal_size():
    message = r"^js_divergence_estimate: q_samples must have as many points as p_samples \(6\)"
    with pytest.raises(ValueError, match=message + r", so .*got 5\. Use the first min\(n, m\)"):
        js_divergence_estimate(X, X[:5])


CHUNKED = {
    "mode_coverage": lambda c: mode_coverage(X, X, 0.1, chunk_elements=c),
    "kl_divergence_estimate": lambda c: kl_divergence_estimate(X, X + 0.5, chunk_elements=c),
    "js_divergence_estimate": lambda c: js_divergence_estimate(X, X + 0.5, chunk_elements=c),
    "parzen_log_likelihood": lambda c: parzen_log_likelihood(X, X, 1.0, chunk_elements=c),
    "select_parzen_bandwidth": lambda c: select_parzen_bandwidth(X, X, [1.0], chunk_elements=c),
}


@pytest.mark.parametrize("name", CHUNKED)
def test_chunk_elements_must_be_a_positive_int(name):
    message = rf"^{name}: chunk_elements must be at least 1 \(pairwise entries per block"
    with pytest.raises(ValueError, match=message + r"\); got 0\. Keep the default"):
        CHUNKED[name](0)
    with pytest.raises(TypeError, match=rf"^{name}: chunk_elements must be an int; got float"):
        CHUNKED[name](2.0**20)


@pytest.mark.parametrize("estimate", [kl_divergence_estimate, js_divergence_estimate])
def test_base_is_validated(estimate):
    name = estimate.__name__
    with pytest.raises(ValueError, match=rf"^{name}: base must be a finite positive number other"):
        estimate(X, X + 0.5, base=1)
    with pytest.raises(TypeError, match=rf"^{name}: base must be a real number or None; got str"):
        estimate(X, X + 0.5, base="2")


def test_results_are_frozen():
    coverage = mode_coverage(RING.centres, RING.centres, RING.scale)
    with pytest.raises(AttributeError):
        coverage.modes_captured = 0
    with pytest.raises(AttributeError):
        parzen_log_likelihood(X, X, 1.0).mean = 0.0


# --- histogram_js_estimate --------------------------------------------------------------------


def test_histogram_js_estimate_is_near_its_floor_for_p_data_and_above_it_for_a_wrong_p_g():
    from ganlib.distributions import Gaussian1d, GaussianMixture1d

    p_data = GaussianMixture1d([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5])
    itself = histogram_js_estimate(p_data, p_data.sample((10_000,), seeded(1)))
    # Sampling noise only: about (bins with mass) / (8 n) ~ 0.002 nats for both.
    assert itself["value"] < 0.005 and itself["floor"] < 0.005
    assert abs(itself["value"] - itself["floor"]) < 0.003
    one_mode = histogram_js_estimate(p_data, Gaussian1d(2.0, 0.5).sample((10_000,), seeded(1)))
    # Half the mass is missing: near the JS of two disjoint halves, 0.216 nats.
    assert one_mode["floor"] < 0.005 < 0.2 < one_mode["value"] < 0.35
    assert one_mode["units"] == "nats" and one_mode["samples"] == 10_000
    assert one_mode["dx"] == 0.05  # a tenth of the smallest standard deviation


def test_histogram_js_estimate_docstring_equation():
    from ganlib.distributions import Gaussian1d

    p_data = Gaussian1d(0.0, 1.0)
    x = p_data.sample((2_000,), seeded(3)).reshape(-1) * 1.5  # a p_g that is too wide
    dx = 0.2
    estimate = histogram_js_estimate(p_data, x, dx=dx)
    low = min(float(x.min()), -10.0)
    high = max(float(x.max()), 10.0)
    bins = math.ceil((high - low) / dx) + 1
    centres = low + dx * torch.arange(bins, dtype=F64)
    counts = torch.zeros(bins, dtype=F64)
    for value in x.tolist():  # n_i: the samples nearest to centre i
        counts[math.floor((value - low) / dx + 0.5)] += 1
    h = counts / (len(x) * dx)
    p = torch.exp(-centres.square() / 2) / math.sqrt(2 * math.pi)
    m = (p + h) / 2
    literal = 0.5 * dx * (torch.xlogy(p, p / m).sum() + torch.xlogy(h, h / m).sum())
    assert estimate["value"] == pytest.approx(float(literal), rel=1e-10, abs=1e-12)
    assert estimate["dx"] == dx


def test_histogram_js_estimate_errors():
    from ganlib.distributions import Gaussian1d

    p_data = Gaussian1d(0.0, 1.0)
    with pytest.raises(TypeError, match=r"histogram_js_estimate: samples must be a torch\.Tensor"):
        histogram_js_estimate(p_data, [0.0, 1.0])
    with pytest.raises(ValueError, match="histogram_js_estimate: samples must have finite"):
        histogram_js_estimate(p_data, torch.tensor([0.0, math.nan], dtype=F64))
    with pytest.raises(ValueError, match="histogram_js_estimate: samples must have at least"):
        histogram_js_estimate(p_data, torch.zeros(0, dtype=F64))
    with pytest.raises(ValueError, match="histogram_js_estimate: dx must be a positive"):
        histogram_js_estimate(p_data, torch.zeros(3, dtype=F64), dx=0.0)
    with pytest.raises(TypeError, match=r"histogram_js_estimate: p_data must be a 1-D .* \.log"):
        histogram_js_estimate(object(), torch.zeros(3, dtype=F64))


# --- nearest-mode counts ----------------------------------------------------------------------


def test_nearest_mode_counts_count_every_sample_by_brute_force():
    samples = gaussian(2000, 2, 70, std=3.0)
    counts = nearest_mode_counts(samples, RING.centres.to(F64))
    assert counts.dtype == torch.int64 and counts.shape == (8,) and int(counts.sum()) == 2000
    nearest = (samples[:, None] - RING.centres.to(F64)[None]).square().sum(-1).argmin(1)
    assert torch.equal(counts, torch.bincount(nearest, minlength=8))
    # mode_coverage with a threshold that excludes no sample counts the same
    assert torch.equal(
        mode_coverage(samples, RING.centres, RING.scale, threshold=1e9).counts, counts
    )


def test_nearest_mode_counts_ties_go_to_the_lower_mode():
    centres = torch.tensor([[-1.0], [1.0]], dtype=F64)
    assert nearest_mode_counts(torch.zeros(3, 1, dtype=F64), centres).tolist() == [3, 0]


def test_nearest_mode_counts_errors():
    centres = RING.centres.to(F64)
    with pytest.raises(TypeError, match=r"nearest_mode_counts: samples must be a torch\.Tensor"):
        nearest_mode_counts([[0.0, 0.0]], centres)
    with pytest.raises(ValueError, match=r"nearest_mode_counts: centres must have as many col"):
        nearest_mode_counts(torch.zeros(3, 2, dtype=F64), torch.zeros(2, 3, dtype=F64))
    with pytest.raises(ValueError, match=r"nearest_mode_counts: samples must be 2-D"):
        nearest_mode_counts(torch.zeros(3, dtype=F64), centres)
    with pytest.raises(ValueError, match=r"nearest_mode_counts: chunk_elements must be at least"):
        nearest_mode_counts(torch.zeros(3, 2, dtype=F64), centres, chunk_elements=0)


# --- summaries over runs ----------------------------------------------------------------------


def coverage_of(samples: torch.Tensor) -> ModeCoverage:
    return mode_coverage(samples, RING.centres, RING.scale)


def test_summarise_coverage_docstring_equation():
    runs = [coverage_of(RING.sample((300,), seeded(seed)) * (1 + 0.01 * seed)) for seed in range(5)]
    summary = summarise_coverage(runs)
    assert list(summary) == ["modes_captured", "high_quality_fraction", "reverse_kl"]
    for measure, (mean, se) in summary.items():
        v = [float(getattr(run, measure)) for run in runs]
        n = len(v)
        v_bar = sum(v) / n
        s = math.sqrt(sum((x - v_bar) ** 2 for x in v) / (n - 1))
        assert mean == pytest.approx(v_bar, rel=1e-15, abs=1e-15)
        assert se == pytest.approx(s / math.sqrt(n), rel=1e-12, abs=1e-15)
        assert se == pytest.approx(statistics.stdev(v) / math.sqrt(n), rel=1e-12, abs=1e-15)
        assert isinstance(mean, float) and isinstance(se, float)


def test_summarise_coverage_of_exact_mode_centres():
    runs = [coverage_of(RING.centres[:m]) for m in (8, 4, 2)]
    summary = summarise_coverage(runs)
    assert summary["modes_captured"] == pytest.approx((14 / 3, math.sqrt(28 / 3) / math.sqrt(3)))
    assert summary["high_quality_fraction"] == (1.0, 0.0)
    kl = [0.0, math.log(2), math.log(4)]
    assert summary["reverse_kl"] == pytest.approx(
        (statistics.fmean(kl), statistics.stdev(kl) / math.sqrt(3)), rel=1e-12
    )


def test_summarise_coverage_leaves_runs_without_high_quality_samples_out_of_the_reverse_kl():
    nowhere = coverage_of(torch.full((10, 2), 5.0, dtype=F64))  # far from every mode
    assert math.isnan(nowhere.reverse_kl)
    one_mode, all_modes = coverage_of(RING.centres[:1]), coverage_of(RING.centres)
    summary = summarise_coverage([one_mode, nowhere, all_modes])
    assert summary["modes_captured"][0] == 3.0  # (1 + 0 + 8) / 3: every run counts here
    assert summary["high_quality_fraction"][0] == pytest.approx(2 / 3, rel=1e-15)
    mean, se = summary["reverse_kl"]  # over the two finite runs: log 8 and 0
    assert mean == pytest.approx(math.log(8) / 2, rel=1e-15)
    assert se == pytest.approx(statistics.stdev([math.log(8), 0.0]) / math.sqrt(2), rel=1e-12)


def test_summarise_coverage_of_too_few_values_is_nan():
    summary = summarise_coverage([coverage_of(RING.centres)])
    assert summary["modes_captured"][0] == 8.0 and math.isnan(summary["modes_captured"][1])
    nowhere = coverage_of(torch.full((10, 2), 5.0, dtype=F64))
    mean, se = summarise_coverage([nowhere, nowhere])["reverse_kl"]
    assert math.isnan(mean) and math.isnan(se)


def test_summarise_coverage_errors():
    run = coverage_of(RING.centres)
    with pytest.raises(TypeError, match=r"summarise_coverage: results must be a sequence of Mod"):
        summarise_coverage(run)
    with pytest.raises(TypeError, match=r"summarise_coverage: results must be a sequence"):
        summarise_coverage(iter([run]))
    with pytest.raises(ValueError, match=r"summarise_coverage: results must hold at least one"):
        summarise_coverage([])
    with pytest.raises(
        TypeError,
        match=r"summarise_coverage: results must hold only ModeCov.*"
        r"got float at index 1",
    ):
        summarise_coverage([run, 0.5])
    grid_run = mode_coverage(GRID.centres, GRID.centres, GRID.scale)
    with pytest.raises(
        ValueError,
        match=r"summarise_coverage: results must all count the same"
        r" modes; got n_modes \[8, 25\]",
    ):
        summarise_coverage([run, grid_run])


# --- nearest neighbours ------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_elements", [7, 2**22])
def test_nearest_neighbours_match_a_brute_force_search(chunk_elements):
    rng = torch.Generator().manual_seed(0)
    points, reference = (
        torch.rand(50, 784, generator=rng, dtype=F64),
        torch.rand(300, 784, generator=rng, dtype=F64),
    )
    found = nearest_neighbours(points, reference, chunk_elements=chunk_elements)
    brute = torch.cdist(points, reference, compute_mode="donot_use_mm_for_euclid_dist")
    assert torch.equal(found.indices, brute.argmin(1))
    assert torch.allclose(found.distances, brute.min(1).values, rtol=0, atol=1e-12)


def test_nearest_neighbours_find_a_copied_point_at_distance_zero():
    reference = torch.rand(100, 784, generator=torch.Generator().manual_seed(1))  # float32
    found = nearest_neighbours(reference[[5, 17, 5]], reference)
    assert found.indices.tolist() == [5, 17, 5]
    assert found.distances.tolist() == [0.0, 0.0, 0.0]  # exact, from the differences


def test_nearest_neighbours_errors():
    with pytest.raises(ValueError, match=r"nearest_neighbours: points and reference must have"):
        nearest_neighbours(torch.zeros(3, 2), torch.zeros(4, 3))
    with pytest.raises(ValueError, match=r"nearest_neighbours: points must be 2-D"):
        nearest_neighbours(torch.zeros(3), torch.zeros(4, 3))
