"""Tests of ganlib.divergences: known values, scipy references, closed forms, properties,
gradients and every error message. Numerical tests run in float64 unless a test is about
float32; every random draw is seeded (hypothesis, or a torch.Generator)."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest
import scipy.spatial.distance
import scipy.stats
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from ganlib._checks import GRID_TOLERANCE, SUM_TOLERANCE
from ganlib.divergences import (
    F_GENERATORS,
    FGenerator,
    bhattacharyya_coefficient,
    bhattacharyya_distance,
    cross_entropy,
    entropy,
    f_divergence,
    js_distance,
    js_divergence,
    kl_divergence,
)

F64 = torch.float64
LOG2 = math.log(2.0)
FAIR = torch.tensor([0.5, 0.5], dtype=F64)
BIASED = torch.tensor([0.95, 0.05], dtype=F64)
HYPOTHESIS = settings(max_examples=200, deadline=None, derandomize=True)


def t64(*values: float) -> torch.Tensor:
    return torch.tensor(values, dtype=F64)


def random_distributions(shape, *, dim=-1, seed=0, sparsity=0.3, dtype=F64):
    """Probability vectors along dim with about `sparsity` of the entries exactly 0."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(shape, generator=generator, dtype=F64)
    x = torch.where(torch.rand(shape, generator=generator, dtype=F64) < sparsity, 0.0, x)
    x = x + (x.sum(dim, keepdim=True) == 0) * 1.0  # no all-zero vector
    return (x / x.sum(dim, keepdim=True)).to(dtype)


# Functions of two distributions by name, so that a failing parametrised case says which.
TWO_ARGUMENT = {
    "cross_entropy": cross_entropy,
    "kl_divergence": kl_divergence,
    "js_divergence": js_divergence,
    "js_distance": js_distance,
    "bhattacharyya_coefficient": bhattacharyya_coefficient,
    "bhattacharyya_distance": bhattacharyya_distance,
    **{f"f_divergence[{name}]": partial(f_divergence, f=name) for name in F_GENERATORS},
}
WITH_BASE = ["cross_entropy", "kl_divergence", "js_divergence", "js_distance"]
WITH_BASE += ["bhattacharyya_distance"]
BASE_ARGUMENT = ["entropy", *WITH_BASE]


def call(name: str, p, q, **options):
    """Call entropy(p) or a two-argument function by its test name."""
    if name == "entropy":
        return entropy(p, **options)
    return TWO_ARGUMENT[name](p, q, **options)


def prefix(name: str) -> str:
    """The function name that starts its error messages."""
    return name.split("[")[0]


ALL = ["entropy", *TWO_ARGUMENT]
SOME = ["entropy", "kl_divergence", "js_distance", "bhattacharyya_coefficient"]
SOME += ["f_divergence[js]"]


# --- known values -----------------------------------------------------------------------------


def test_coin_values_in_bits():
    # The book's coin example: a fair coin and one with heads 0.95.
    assert entropy(FAIR, base=2).item() == pytest.approx(1.0, abs=1e-15)
    assert entropy(BIASED, base=2).item() == pytest.approx(0.2864, abs=1e-4)
    assert cross_entropy(FAIR, BIASED, base=2).item() == pytest.approx(2.198, abs=1e-3)
    assert kl_divergence(FAIR, BIASED, base=2).item() == pytest.approx(1.198, abs=1e-3)
    assert kl_divergence(BIASED, FAIR, base=2).item() == pytest.approx(0.714, abs=1e-3)


def test_entropy_is_maximal_at_uniform():
    p = random_distributions((100, 6), seed=1)
    assert bool((entropy(p) <= math.log(6) + 1e-12).all())
    assert entropy(torch.full((6,), 1 / 6, dtype=F64)).item() == pytest.approx(math.log(6))


def test_kl_and_cross_entropy_are_inf_where_q_misses_mass_of_p():
    p, q = t64(0.5, 0.5), t64(1.0, 0.0)
    assert kl_divergence(p, q).item() == math.inf
    assert cross_entropy(p, q).item() == math.inf
    assert kl_divergence(q, p).item() == pytest.approx(LOG2)  # the other way round is finite


def test_disjoint_supports():
    p, q = t64(0.5, 0.5, 0.0, 0.0), t64(0.0, 0.0, 0.25, 0.75)
    assert js_divergence(p, q).item() == pytest.approx(LOG2, abs=1e-12)
    assert js_divergence(p, q, base=2).item() == pytest.approx(1.0, abs=1e-12)
    assert js_distance(p, q, base=2).item() == pytest.approx(1.0, abs=1e-12)
    assert bhattacharyya_coefficient(p, q).item() == 0.0
    assert bhattacharyya_distance(p, q).item() == math.inf


def test_identical_distributions_are_at_zero():
    p = random_distributions((50, 7), seed=2)
    for function in (kl_divergence, js_divergence, js_distance, bhattacharyya_distance):
        torch.testing.assert_close(function(p, p), torch.zeros(50, dtype=F64), atol=1e-15, rtol=0)
    torch.testing.assert_close(bhattacharyya_coefficient(p, p), torch.ones(50, dtype=F64))


def test_bases_divide_by_log_base():
    p, q = random_distributions((2, 5), seed=3)
    for name in WITH_BASE:
        nats = call(name, p, q)
        expected = nats / math.log(10) if name != "js_distance" else nats / math.sqrt(math.log(10))
        torch.testing.assert_close(call(name, p, q, base=10), expected, rtol=1e-14, atol=0)


# --- scipy references (hypothesis) ------------------------------------------------------------

# Entries: zeros, tiny values and ordinary ones. Tiny for float64 is 1e-300; for float32 the
# smallest normal (1.2e-38) and subnormals, which casting may round or flush to 0.
TINY = {torch.float64: [1e-300], torch.float32: [1.2e-38, 1e-40, 1.5e-45]}
# Tolerances against scipy, which computes in float64 on the same numbers. float32: logs of
# numbers down to 1e-45 are about -103, and one ulp of that is about 1e-5.
# float64: logs down to -690, one ulp about 1e-13.
SCIPY_TOLERANCE = {torch.float64: {"rtol": 1e-10, "atol": 1e-12}}
SCIPY_TOLERANCE[torch.float32] = {"rtol": 1e-5, "atol": 1e-4}
DTYPES = [torch.float64, torch.float32]


@st.composite
def distribution_pairs(draw, dtype, tiny=True):
    """Two probability vectors of one length, normalised in float64, then cast to dtype."""
    size = draw(st.integers(1, 8))
    special = [0.0, *(TINY[dtype] if tiny else [])]
    entry = st.one_of(st.sampled_from(special), st.floats(1e-6, 1.0))
    vector = st.lists(entry, min_size=size, max_size=size).filter(lambda v: sum(v) > 0)
    pair = []
    for values in (draw(vector), draw(vector)):
        x = np.asarray(values, dtype=np.float64)
        pair.append(torch.from_numpy(x / x.sum()).to(dtype))
    return pair


def as_numpy(x: torch.Tensor) -> np.ndarray:
    """Exactly the numbers the torch function saw, in float64, for the scipy reference."""
    return x.detach().to(F64).numpy()


@pytest.mark.parametrize("dtype", DTYPES)
def test_entropy_and_kl_match_scipy(dtype):
    @HYPOTHESIS
    @given(distribution_pairs(dtype), st.sampled_from([None, 2]))
    def check(pair, base):
        p, q = pair
        tolerance = SCIPY_TOLERANCE[dtype]
        expected_h = scipy.stats.entropy(as_numpy(p), base=base)
        np.testing.assert_allclose(entropy(p, base=base).item(), expected_h, **tolerance)
        # scipy's KL is inf exactly where q = 0 < p; so must ours be (assert_allclose
        # requires infinities on both sides to match).
        expected_kl = scipy.stats.entropy(as_numpy(p), as_numpy(q), base=base)
        np.testing.assert_allclose(kl_divergence(p, q, base=base).item(), expected_kl, **tolerance)

    check()


@pytest.mark.parametrize("dtype", DTYPES)
def test_js_distance_matches_scipy(dtype):
    @HYPOTHESIS
    @given(distribution_pairs(dtype), st.sampled_from([None, 2]))
    def check(pair, base):
        p, q = pair
        with np.errstate(invalid="ignore"):
            expected = scipy.spatial.distance.jensenshannon(as_numpy(p), as_numpy(q), base=base)
        # scipy takes the sqrt of its JS unclamped: NaN where that rounds below 0 (p ~ q).
        expected = 0.0 if np.isnan(expected) else expected
        distance = js_distance(p, q, base=base).item()
        # Compared through squares (the divergences): sqrt is not Lipschitz at 0, so an
        # error e in JS becomes up to sqrt(e) in the distance.
        np.testing.assert_allclose(distance**2, expected**2, **SCIPY_TOLERANCE[dtype])

    check()


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_is_entropy_plus_kl(dtype):
    @HYPOTHESIS
    @given(distribution_pairs(dtype))
    def check(pair):
        p, q = pair
        expected = (entropy(p) + kl_divergence(p, q)).item()
        np.testing.assert_allclose(cross_entropy(p, q).item(), expected, **SCIPY_TOLERANCE[dtype])

    check()


# --- properties -------------------------------------------------------------------------------


@HYPOTHESIS
@given(distribution_pairs(torch.float64))
def test_js_is_symmetric_and_bounded(pair):
    p, q = pair
    js = js_divergence(p, q)
    # r = (p - q) / (p + q) flips sign exactly when p and q swap, so equality is exact.
    assert js.item() == js_divergence(q, p).item()
    assert 0.0 <= js.item() <= LOG2
    assert 0.0 <= js_divergence(p, q, base=2).item() <= 1.0


@HYPOTHESIS
@given(distribution_pairs(torch.float64))
def test_kl_and_bhattacharyya_ranges(pair):
    p, q = pair
    assert kl_divergence(p, q).item() >= -1e-12  # Gibbs' inequality, up to rounding
    assert 0.0 <= bhattacharyya_coefficient(p, q).item() <= 1.0
    assert bhattacharyya_distance(p, q).item() >= 0.0


def test_js_distance_is_zero_where_scipy_gives_nan():
    # q is p with one entry one ulp larger. scipy.spatial.distance.jensenshannon returns NaN
    # here (scipy 1.17): its JS rounds to a tiny negative number before the square root.
    p = t64(0.21551419773618982, 0.25916187665152474, 0.19312890631425264, 0.33219501929803275)
    q = p.clone()
    q[0] = torch.nextafter(p[0], torch.tensor(1.0, dtype=F64))
    assert js_distance(p, q).item() == pytest.approx(0.0, abs=1e-15)
    assert js_divergence(p, q).item() >= 0.0


def test_bhattacharyya_distance_breaks_the_triangle_inequality():
    p, q, r = t64(1.0, 0.0), t64(0.5, 0.5), t64(0.0, 1.0)
    via_q = bhattacharyya_distance(p, q) + bhattacharyya_distance(q, r)  # 2 * log(sqrt 2)
    assert via_q.item() == pytest.approx(LOG2)
    assert bhattacharyya_distance(p, r).item() > via_q.item()  # inf: not a metric


def test_js_distance_triangle_inequality():
    p, q, r = random_distributions((3, 2000, 6), seed=4, sparsity=0.4)
    direct, via_q = js_distance(p, r), js_distance(p, q) + js_distance(q, r)
    assert bool((direct <= via_q + 1e-12).all())


# f-divergences with a known name and their closed forms (p, q as float64 numpy arrays).
def pearson_chi2(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(np.where((p == 0) & (q == 0), 0.0, (p - q) ** 2 / q))


F_IDENTITIES = {
    "kl": lambda p, q: kl_divergence(p, q).item(),
    "reverse_kl": lambda p, q: kl_divergence(q, p).item(),
    "js": lambda p, q: js_divergence(p, q).item(),
    "total_variation": lambda p, q: 0.5 * (p - q).abs().sum().item(),
    "squared_hellinger": lambda p, q: 1 - bhattacharyya_coefficient(p, q).item(),
    "pearson_chi2": lambda p, q: pearson_chi2(as_numpy(p), as_numpy(q)),
}


@pytest.mark.parametrize("tiny", [True, False])
def test_named_f_divergences(tiny):
    # (t - 1)^2 overflows at t = p / q = 1e300, a documented limit of f_divergence, so the
    # chi-squared identity is checked on draws without tiny values only.
    names = [name for name in F_IDENTITIES if not tiny or name != "pearson_chi2"]

    @HYPOTHESIS
    @given(distribution_pairs(torch.float64, tiny=tiny))
    def check(pair):
        p, q = pair
        for name in names:
            expected = F_IDENTITIES[name](p, q)
            computed = f_divergence(p, q, name).item()
            np.testing.assert_allclose(computed, expected, rtol=1e-9, atol=1e-12, err_msg=name)

    check()


@pytest.mark.parametrize("generator", F_GENERATORS.values(), ids=list(F_GENERATORS))
def test_every_generator_vanishes_at_one_and_has_its_limits(generator):
    assert generator.f(torch.ones(1, dtype=F64)).item() == 0.0
    near_zero, large = generator.f(t64(1e-12)).item(), generator.f(t64(1e12)).item() / 1e12
    if math.isinf(generator.f_at_zero):
        assert near_zero > 20
    else:
        assert near_zero == pytest.approx(generator.f_at_zero, abs=1e-5)
    if math.isinf(generator.slope_at_infinity):
        assert large > 20
    else:
        assert large == pytest.approx(generator.slope_at_infinity, abs=1e-5)


def test_f_divergence_conventions_at_zero_and_infinity():
    # A custom generator whose limits differ, so each convention shows in the sum.
    generator = FGenerator("test", lambda t: (t - 1) ** 2 / (t + 1), 1.0, 1.0)
    p, q = t64(0.0, 0.5, 0.5, 0.0), t64(0.5, 0.25, 0.0, 0.25)
    # p=0<q: q f(0) = 0.5 and 0.25; both > 0: q f(2) = 0.25/3; q = 0 < p: p * slope = 0.5.
    expected = 0.5 * 1.0 + 0.25 * (1 / 3) + 0.5 * 1.0 + 0.25 * 1.0
    assert f_divergence(p, q, generator).item() == pytest.approx(expected, rel=1e-15)
    assert f_divergence(p, q, "kl").item() == math.inf  # slope at infinity is inf
    assert f_divergence(p, q, "reverse_kl").item() == math.inf  # f(0) is inf
    assert f_divergence(t64(1.0, 0.0), t64(1.0, 0.0), "reverse_kl").item() == 0.0  # 0/0 terms


@pytest.mark.parametrize("name", ALL)
def test_batch_dimensions_match_a_loop_over_slices(name):
    p = random_distributions((3, 4, 5), dim=1, seed=5)
    q = random_distributions((3, 4, 5), dim=1, seed=6, sparsity=0.0)
    batched = call(name, p, q, dim=1)
    assert batched.shape == (3, 5)
    looped = torch.stack(
        [torch.stack([call(name, p[i, :, k], q[i, :, k]) for k in range(5)]) for i in range(3)]
    )
    torch.testing.assert_close(batched, looped, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16])
def test_results_keep_dtype_and_device(name, dtype):
    p, q = random_distributions((2, 2, 3), seed=7, sparsity=0.0, dtype=dtype)
    result = call(name, p, q)
    assert result.dtype == dtype
    assert result.device == p.device
    assert result.shape == (2,)


# --- closed forms on a grid (dx) --------------------------------------------------------------


def normal(mean: float, std: float) -> torch.distributions.Normal:
    # float64 parameters: Normal(0.8, ...) would round 0.8 to float32 (an error of 1e-8).
    return torch.distributions.Normal(torch.tensor(mean, dtype=F64), torch.tensor(std, dtype=F64))


def normal_density(x, mean, std):
    return normal(mean, std).log_prob(x).exp()


GRID = torch.linspace(-12.0, 12.0, 4001, dtype=F64)
DX = 24.0 / 4000
GAUSSIAN_PAIRS = [(0.0, 1.0, 1.0, 1.0), (0.0, 1.0, 0.5, 1.5), (-1.0, 0.8, 1.0, 1.2)]
GAUSSIAN_PAIRS += [(0.5, 1.3, -0.5, 0.7)]


@pytest.mark.parametrize(("m1", "s1", "m2", "s2"), GAUSSIAN_PAIRS)
def test_gaussian_kl_on_a_grid(m1, s1, m2, s2):
    p, q = normal_density(GRID, m1, s1), normal_density(GRID, m2, s2)
    closed_form = math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5
    computed = kl_divergence(p, q, dx=DX).item()
    assert computed == pytest.approx(closed_form, abs=1e-8)
    reference = torch.distributions.kl_divergence(normal(m1, s1), normal(m2, s2))
    assert computed == pytest.approx(reference.item(), abs=1e-8)


def test_kl_of_unit_gaussians_one_apart_is_half_a_nat():
    p, q = normal_density(GRID, 0.0, 1.0), normal_density(GRID, 1.0, 1.0)
    assert kl_divergence(p, q, dx=DX).item() == pytest.approx(0.5, abs=1e-8)


@pytest.mark.parametrize("std", [0.5, 1.0, 2.0])
def test_gaussian_differential_entropy(std):
    grid = torch.linspace(-16.0, 16.0, 4001, dtype=F64)  # 8 standard deviations for std = 2
    p = normal_density(grid, 0.0, std)
    closed_form = 0.5 * math.log(2 * math.pi * math.e * std**2)
    assert entropy(p, dx=32.0 / 4000).item() == pytest.approx(closed_form, abs=1e-8)


@pytest.mark.parametrize(("m1", "s1", "m2", "s2"), GAUSSIAN_PAIRS)
def test_gaussian_bhattacharyya_distance(m1, s1, m2, s2):
    p, q = normal_density(GRID, m1, s1), normal_density(GRID, m2, s2)
    closed_form = (m1 - m2) ** 2 / (4 * (s1**2 + s2**2))
    closed_form += 0.5 * math.log((s1**2 + s2**2) / (2 * s1 * s2))
    assert bhattacharyya_distance(p, q, dx=DX).item() == pytest.approx(closed_form, abs=1e-8)


def test_disjoint_uniform_densities_on_a_grid():
    grid = torch.linspace(0.0, 4.0, 401, dtype=F64)[:-1]  # 400 cells of width 0.01
    p = ((grid >= 0) & (grid < 2)).to(F64) / 2  # uniform on [0, 2)
    q = (grid >= 2).to(F64) / 2  # uniform on [2, 4)
    assert js_divergence(p, q, dx=0.01).item() == pytest.approx(LOG2, abs=1e-12)
    assert kl_divergence(p, q, dx=0.01).item() == math.inf
    assert entropy(p, dx=0.01).item() == pytest.approx(math.log(2), abs=1e-12)


# --- each docstring equation, evaluated literally ---------------------------------------------


def test_docstring_equations():
    p = random_distributions((5,), seed=8, sparsity=0.0)  # all positive: every log is finite
    q = random_distributions((5,), seed=9, sparsity=0.0)
    m = (p + q) / 2
    close = partial(torch.testing.assert_close, rtol=1e-13, atol=1e-15)
    close(entropy(p), -(p * torch.log(p)).sum())
    close(cross_entropy(p, q), -(p * torch.log(q)).sum())
    close(cross_entropy(p, q), entropy(p) + kl_divergence(p, q))
    close(kl_divergence(p, q), (p * torch.log(p / q)).sum())
    close(kl_divergence(p, q), F.kl_div(q.log(), p, reduction="sum"))  # reversed order
    close(js_divergence(p, q), 0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m))
    # Theorem 1: C(G) = E_p log D* + E_q log(1 - D*) with D* = p / (p + q) is -log 4 + 2 JS.
    d_star = p / (p + q)
    criterion = (p * torch.log(d_star)).sum() + (q * torch.log(1 - d_star)).sum()
    close(criterion, -math.log(4) + 2 * js_divergence(p, q))
    close(js_distance(p, q), torch.sqrt(js_divergence(p, q)))
    close(bhattacharyya_coefficient(p, q), torch.sqrt(p * q).sum())
    close(bhattacharyya_distance(p, q), -torch.log(torch.sqrt(p * q).sum()))
    t = p / q
    generators = {
        "kl": t * torch.log(t),
        "reverse_kl": -torch.log(t),
        "js": (t * torch.log(t) - (t + 1) * torch.log((t + 1) / 2)) / 2,
        "total_variation": (t - 1).abs() / 2,
        "squared_hellinger": (torch.sqrt(t) - 1) ** 2 / 2,
        "pearson_chi2": (t - 1) ** 2,
    }
    assert set(generators) == set(F_GENERATORS)
    for name, f_of_t in generators.items():
        close(f_divergence(p, q, name), (q * f_of_t).sum())
    # With dx, every sum is the rectangle rule sum(...) * dx.
    dx = 0.25
    close(kl_divergence(p / dx, q / dx, dx=dx), ((p / dx) * torch.log(p / q)).sum() * dx)
    close(entropy(p / dx, dx=dx), -((p / dx) * torch.log(p / dx)).sum() * dx)


def test_doc_example_values():
    # The coin numbers of the doctests, against scipy.
    assert js_distance(FAIR, BIASED, base=2).item() == pytest.approx(
        scipy.spatial.distance.jensenshannon([0.5, 0.5], [0.95, 0.05], base=2), rel=1e-12
    )
    assert f_divergence(FAIR, BIASED, "total_variation").item() == pytest.approx(0.45)


# --- gradients --------------------------------------------------------------------------------


def logits(seed: int, shape=(2, 5)) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator, dtype=F64).requires_grad_()


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dx", [None, 0.5])
def test_gradcheck(name, dx):
    # p and q are softmaxes of free logits, so gradcheck's perturbations keep them normalised.
    def function(logits_p, logits_q):
        p, q = logits_p.softmax(-1), logits_q.softmax(-1)
        if dx is not None:
            p, q = p / dx, q / dx  # densities on a grid of spacing dx
        return call(name, p, q, dx=dx)

    # Full Jacobians on the sums; with dx, which only rescales, gradcheck's faster random
    # projections suffice.
    assert torch.autograd.gradcheck(function, (logits(10), logits(11)), fast_mode=dx is not None)


def test_kl_gradient_is_analytic():
    p = random_distributions((6,), seed=12, sparsity=0.0).requires_grad_()
    q = random_distributions((6,), seed=13, sparsity=0.0).requires_grad_()
    kl_divergence(p, q).backward()
    with torch.no_grad():
        torch.testing.assert_close(p.grad, torch.log(p / q) + 1)
        torch.testing.assert_close(q.grad, -p / q)


@pytest.mark.parametrize("name", [name for name in ALL if name != "f_divergence[reverse_kl]"])
def test_gradient_is_finite_where_p_has_zeros(name):
    # (reverse_kl is +inf here: q has mass where p has none.)
    p = t64(0.5, 0.5, 0.0, 0.0).requires_grad_()
    q = t64(0.25, 0.25, 0.5, 0.0).requires_grad_()
    value = call(name, p, q)
    assert math.isfinite(value.item())
    value.backward()
    for gradient in (p.grad, q.grad):
        assert gradient is None or bool(torch.isfinite(gradient).all()), gradient


def test_kl_gradient_with_zeros():
    p = t64(0.5, 0.5, 0.0, 0.0).requires_grad_()
    q = t64(0.25, 0.25, 0.5, 0.0).requires_grad_()
    kl_divergence(p, q).backward()
    # Exact on the support and for q everywhere: d/dq_i = -p_i / q_i (0 where p_i = 0).
    torch.testing.assert_close(p.grad[:2], torch.log(t64(2.0, 2.0)) + 1)
    torch.testing.assert_close(q.grad, t64(-2.0, -2.0, 0.0, 0.0))


def test_gradient_through_an_underflowed_softmax_is_finite():
    logits_p = t64(0.0, 0.0, -1000.0).requires_grad_()  # softmax gives exactly [0.5, 0.5, 0]
    q = t64(0.25, 0.25, 0.5)
    for function in (kl_divergence, js_divergence, js_distance, bhattacharyya_distance):
        (gradient,) = torch.autograd.grad(function(logits_p.softmax(-1), q), logits_p)
        assert bool(torch.isfinite(gradient).all()), function.__name__
    (gradient,) = torch.autograd.grad(entropy(logits_p.softmax(-1)), logits_p)
    assert bool(torch.isfinite(gradient).all())


def test_js_distance_gradient_at_equal_distributions_is_zero():
    p = t64(0.2, 0.3, 0.5).requires_grad_()
    js_distance(p, p.detach().clone()).backward()
    torch.testing.assert_close(p.grad, torch.zeros(3, dtype=F64))


# --- errors: every message --------------------------------------------------------------------

GOOD = t64(0.25, 0.75)


@pytest.mark.parametrize("name", ALL)
def test_p_must_be_a_tensor(name):
    with pytest.raises(TypeError, match=rf"^{prefix(name)}: p must be a torch.Tensor; got list"):
        call(name, [0.25, 0.75], GOOD)


@pytest.mark.parametrize("name", TWO_ARGUMENT)
def test_q_must_be_a_tensor(name):
    with pytest.raises(TypeError, match=r"q must be a torch.Tensor; got ndarray.*as_tensor"):
        call(name, GOOD, np.array([0.25, 0.75]))


@pytest.mark.parametrize("name", SOME)
@pytest.mark.parametrize("dtype", [torch.int64, torch.bool])
def test_p_must_be_floating_point(name, dtype):
    with pytest.raises(TypeError, match=rf"p must have a floating-point dtype; got {dtype}"):
        call(name, torch.tensor([1, 0], dtype=dtype), GOOD)


@pytest.mark.parametrize("name", TWO_ARGUMENT)
def test_p_and_q_must_share_dtype(name):
    message = r"p and q must have the same dtype; got torch.float64 and torch.float32"
    with pytest.raises(TypeError, match=message):
        call(name, GOOD, GOOD.float())


@pytest.mark.parametrize("name", ["kl_divergence", "js_divergence"])
def test_p_and_q_must_share_device(name):
    with pytest.raises(ValueError, match=r"p and q must be on the same device; got cpu and meta"):
        call(name, GOOD, GOOD.to("meta"))


@pytest.mark.parametrize("name", TWO_ARGUMENT)
def test_p_and_q_must_share_shape(name):
    message = r"same shape \(no broadcasting\); got \(2,\) and \(1, 2\)"
    with pytest.raises(ValueError, match=message):
        call(name, GOOD, GOOD[None])


@pytest.mark.parametrize("name", SOME)
def test_dim_must_be_in_range(name):
    with pytest.raises(ValueError, match=r"dim must be in \[-1, 0\] for p of shape \(2,\); got 1"):
        call(name, GOOD, GOOD, dim=1)
    with pytest.raises(TypeError, match=r"dim must be an int; got float"):
        call(name, GOOD, GOOD, dim=0.0)


@pytest.mark.parametrize("name", SOME)
def test_p_must_have_a_dimension(name):
    one = torch.tensor(1.0, dtype=F64)
    with pytest.raises(ValueError, match=r"p must have at least one dimension.*reshape\(1\)"):
        call(name, one, one)


@pytest.mark.parametrize("name", SOME)
def test_p_must_not_be_empty_along_dim(name):
    empty = torch.empty(3, 0, dtype=F64)
    with pytest.raises(ValueError, match=r"at least one entry along dim=-1; got shape \(3, 0\)"):
        call(name, empty, empty)


@pytest.mark.parametrize("name", SOME)
@pytest.mark.parametrize(("bad", "counts"), [(math.nan, "1 NaN and 0 inf"), (math.inf, "0 NaN")])
def test_entries_must_be_finite(name, bad, counts):
    with pytest.raises(ValueError, match=rf"p must have finite entries; got {counts}"):
        call(name, t64(bad, 0.5), GOOD)


@pytest.mark.parametrize("name", TWO_ARGUMENT)
def test_q_must_be_finite(name):
    with pytest.raises(ValueError, match=r"q must have finite entries; got 1 NaN"):
        call(name, GOOD, t64(math.nan, 1.0))


@pytest.mark.parametrize("name", ALL)
def test_entries_must_be_non_negative(name):
    with pytest.raises(ValueError, match=r"p must be non-negative; got minimum -0.25\."):
        call(name, t64(-0.25, 0.5, 0.75, -0.0), t64(0.25, 0.25, 0.25, 0.25))


@pytest.mark.parametrize("name", ALL)
def test_p_must_sum_to_one(name):
    message = (
        r"p must sum to 1 along dim=-1 within 1e-06 for torch.float64; got sums \[1.1\]. "
        r"Normalise with p / p.sum\(-1, keepdim=True\)."
    )
    with pytest.raises(ValueError, match=message):
        call(name, t64(0.5, 0.6), GOOD)


@pytest.mark.parametrize("name", TWO_ARGUMENT)
def test_q_must_sum_to_one_and_offenders_are_listed(name):
    q = torch.tensor([[0.25, 0.75], [0.5, 0.25], [0.0, 0.0]], dtype=F64)
    with pytest.raises(ValueError, match=r"q must sum to 1 along dim=1 .*got sums \[0.75, 0\]"):
        call(name, GOOD.expand(3, 2), q, dim=1)


def test_long_lists_of_offending_sums_are_shortened():
    p = torch.full((7, 2), 0.6, dtype=F64)
    with pytest.raises(ValueError, match=r"got sums \[1.2, 1.2, 1.2, 1.2, 1.2, ... \(7 in all\)\]"):
        entropy(p)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16])
def test_sum_tolerance_depends_on_dtype(dtype):
    tolerance = SUM_TOLERANCE[dtype]
    slightly_off = torch.tensor([0.5, 0.5 + tolerance / 2], dtype=F64).to(dtype)
    if abs(slightly_off.sum(dtype=F64).item() - 1) <= tolerance:  # representable in dtype
        assert math.isfinite(entropy(slightly_off).item())
    too_far = torch.tensor([0.5, 0.5 + 4 * tolerance], dtype=dtype)
    with pytest.raises(ValueError, match=rf"within {tolerance:g} for {dtype}"):
        entropy(too_far)


@pytest.mark.parametrize("name", SOME)
@pytest.mark.parametrize("dx", [0.0, -0.1, math.inf, math.nan])
def test_dx_must_be_positive_and_finite(name, dx):
    with pytest.raises(ValueError, match=r"dx must be a positive finite number; got"):
        call(name, GOOD, GOOD, dx=dx)


@pytest.mark.parametrize("name", SOME)
@pytest.mark.parametrize("dx", ["0.1", True, torch.tensor(0.1)])
def test_dx_must_be_a_number(name, dx):
    with pytest.raises(TypeError, match=r"dx must be a real number or None; got"):
        call(name, GOOD, GOOD, dx=dx)


@pytest.mark.parametrize("name", ALL)
def test_densities_must_integrate_to_one(name):
    truncated = normal_density(torch.linspace(-2.0, 2.0, 401, dtype=F64), 0.0, 1.0)
    message = r"p must integrate to 1 \(sum \* dx\) along dim=-1 within 0.001 .* Widen the grid"
    with pytest.raises(ValueError, match=message):
        call(name, truncated, truncated, dx=0.01)
    assert GRID_TOLERANCE == 1e-3


@pytest.mark.parametrize("name", BASE_ARGUMENT)
@pytest.mark.parametrize("base", [1, 0, -2.0, math.inf])
def test_base_must_be_positive_and_not_one(name, base):
    with pytest.raises(ValueError, match=r"base must be a finite positive number other than 1"):
        call(name, GOOD, GOOD, base=base)


@pytest.mark.parametrize("name", BASE_ARGUMENT)
@pytest.mark.parametrize("base", ["2", True, torch.tensor(2.0)])
def test_base_must_be_a_number(name, base):
    message = r"base must be a real number or None; got .*base=2 for bits"
    with pytest.raises(TypeError, match=message):
        call(name, GOOD, GOOD, base=base)


def test_f_must_name_a_generator_or_be_one():
    with pytest.raises(ValueError, match=r"f must be one of \['js', 'kl', .*got 'hellinger'"):
        f_divergence(GOOD, GOOD, "hellinger")
    with pytest.raises(TypeError, match=r"f must be a str or an FGenerator; got function"):
        f_divergence(GOOD, GOOD, lambda t: t * torch.log(t))


def test_fgenerator_fields_are_checked():
    with pytest.raises(TypeError, match=r"FGenerator: f must be callable; got str"):
        FGenerator("kl", "t log t", 0.0, math.inf)
    with pytest.raises(TypeError, match=r"FGenerator: f_at_zero must be a real number; got str"):
        FGenerator("kl", torch.log, "0", math.inf)
    with pytest.raises(
        ValueError, match=r"slope_at_infinity must be a number in \(-inf, inf\]; got nan"
    ):
        FGenerator("kl", torch.log, 0.0, math.nan)
    with pytest.raises(ValueError, match=r"f_at_zero must be a number in \(-inf, inf\]; got -inf"):
        FGenerator("kl", torch.log, -math.inf, 0.0)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("shifted", lambda t: (t - 1) ** 2 + 1, 1.0, math.inf), ValueError,
         r"^FGenerator: f must have f\(1\) = 0 \(within 1e-09\); got f\(1\) = 1\. Subtract "
         r"the constant, i\.e\. use f\(t\) - f\(1\), so that D_f\(p \|\| p\) = 0\.$"),
        (("kl plus", lambda t: torch.xlogy(t, t) + 1e-6, 0.0, math.inf), ValueError,
         r"^FGenerator: f must have f\(1\) = 0 \(within 1e-09\); got f\(1\) = 1e-06\."),
        (("nan", lambda t: t * math.nan, 0.0, 0.0), ValueError,
         r"^FGenerator: f must have f\(1\) = 0 \(within 1e-09\); got f\(1\) = nan\."),
        (("float", lambda t: 0.0, 0.0, 0.0), TypeError,
         r"^FGenerator: f must map a tensor of ratios t to a tensor of its shape, elementwise; "
         r"got float for t = torch\.ones\(1, dtype=torch\.float64\)\. Pass a function"),
        (("summed", lambda t: (t - 1).sum(), 0.0, 0.0), TypeError,
         r"^FGenerator: f must map a tensor of ratios t to a tensor of its shape, elementwise; "
         r"got shape \(\)"),
        (("", torch.log, 0.0, 0.0), ValueError,
         r"^FGenerator: name must be a non-empty str; got ''\. Name the divergence, e\.g\. "
         r"'kl'\.$"),
        ((None, torch.log, 0.0, 0.0), TypeError, r"^FGenerator: name must be a str; got NoneType"),
    ],
)  # fmt: skip
def test_fgenerator_checks_f_at_one(args, error, message):
    with pytest.raises(error, match=message):
        FGenerator(*args)


def test_fgenerator_accepts_f_with_rounding_at_one():
    # f(1) is 0 in exact arithmetic and 5.6e-17 in float64 (0.1 * 3 != 0.3): accepted.
    generator = FGenerator(
        "chi2 by hand", lambda t: (t - 1) ** 2 + (0.1 * 3 * t - 0.3), 0.7, math.inf
    )
    assert 0 < abs(float(generator.f(torch.ones(1, dtype=torch.float64)))) < 1e-15
    assert all(abs(float(g.f(torch.ones(1, dtype=torch.float64)))) == 0.0
               for g in F_GENERATORS.values())  # fmt: skip


def test_named_generators_are_read_only():
    with pytest.raises(TypeError):
        F_GENERATORS["mine"] = F_GENERATORS["kl"]  # type: ignore[index]


def test_js_stays_finite_when_a_subnormal_value_meets_a_large_one():
    # A density of 4 on a grid of spacing 1/4 beside one that has underflowed to the
    # smallest subnormal: 2 x / (p + q) underflows to 0, its logarithm must not.
    p = torch.tensor([4.0, 5e-324], dtype=torch.float64)
    q = p.flip(0)
    js = js_divergence(p, q, dx=0.25)
    assert torch.isfinite(js)
    assert js.item() == pytest.approx(math.log(2), abs=1e-12)
    assert js_distance(p, q, dx=0.25).item() == pytest.approx(math.sqrt(math.log(2)), abs=1e-12)


def test_js_gradient_stays_finite_where_densities_are_subnormal():
    # Two narrow Gaussians on a wide grid: far out both densities are subnormal or zero.
    grid = torch.linspace(-3.0, 12.0, 30001, dtype=torch.float64)
    dx = float(grid[1] - grid[0])
    scale = torch.tensor(0.05, dtype=torch.float64)
    p = torch.distributions.Normal(torch.tensor(0.0, dtype=torch.float64), scale)
    p = p.log_prob(grid).exp()
    shift = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    q = torch.distributions.Normal(shift, scale).log_prob(grid).exp()
    js = js_divergence(p, q, dx=dx)
    (gradient,) = torch.autograd.grad(js, shift)
    assert torch.isfinite(gradient)
    # Against a central difference of the same quadrature.
    h = 1e-6

    def at(t):
        shifted = torch.distributions.Normal(torch.tensor(t, dtype=torch.float64), scale)
        return float(js_divergence(p, shifted.log_prob(grid).exp(), dx=dx))

    assert gradient.item() == pytest.approx((at(0.3 + h) - at(0.3 - h)) / (2 * h), rel=1e-5)
