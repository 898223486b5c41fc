"""Tests of ganlib.planar: the Gaussian-to-ring push-forward ring_map and GaussianRing.

Numerical tests run in float64 with seeded generators; every tolerance is stated where it is
used. The docstring equations of GaussianRing are evaluated literally and compared with
log_prob, once from the radial density and once from the Jacobian of ring_map. The mixtures
of ganlib.planar are tested with the other targets in test_distributions.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from ganlib.planar import GaussianRing, ring_map

F64 = torch.float64


def seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# -- ring_map ------------------------------------------------------------------------------


def test_ring_map_keeps_direction_and_sets_radius():
    z = torch.randn(1000, 2, generator=seeded(1), dtype=F64)
    x = ring_map(z)
    rho = z.norm(dim=-1)
    torch.testing.assert_close(x.norm(dim=-1), 1 + rho / 10, rtol=0, atol=1e-14)
    # Same direction: the unit vectors agree.
    torch.testing.assert_close(
        x / x.norm(dim=-1, keepdim=True), z / rho[:, None], rtol=0, atol=1e-14
    )


def test_ring_map_literal_formula_and_batch_shape():
    z = torch.randn(3, 5, 2, generator=seeded(2), dtype=F64)
    x = ring_map(z, scale=0.25)
    assert x.shape == (3, 5, 2) and x.dtype == F64
    expected = 0.25 * z + z / torch.sqrt(z[..., :1] ** 2 + z[..., 1:] ** 2)
    torch.testing.assert_close(x, expected, rtol=0, atol=1e-14)


def test_ring_map_scale_zero_projects_onto_unit_circle():
    z = torch.randn(500, 2, generator=seeded(3), dtype=F64)
    torch.testing.assert_close(
        ring_map(z, scale=0.0).norm(dim=-1), torch.ones(500, dtype=F64), rtol=0, atol=1e-14
    )


def test_ring_map_gradcheck_away_from_origin():
    z = torch.randn(4, 2, generator=seeded(4), dtype=F64).requires_grad_()
    assert torch.autograd.gradcheck(ring_map, (z,))


def test_ring_map_origin_raises():
    z = torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]], dtype=F64)
    message = (
        r"ring_map: z must have no row equal to the origin, where z / \|z\| has no direction; "
        r"got 2 such rows \(flat indices \[1, 2\]\)\. Drop or redraw those rows\."
    )
    with pytest.raises(ValueError, match=message):
        ring_map(z)


@pytest.mark.parametrize(
    ("z", "error", "message"),
    [
        ([[1.0, 2.0]], TypeError, r"ring_map: z must be a torch\.Tensor; got list\. Convert it"),
        (
            torch.tensor([[1, 2]]),
            TypeError,
            r"ring_map: z must have a floating-point dtype; got torch\.int64\. Convert it",
        ),
        (
            torch.ones(3, 3),
            ValueError,
            r"ring_map: z must have shape \(\.\.\., 2\), one point of the plane per row; "
            r"got shape \(3, 3\)\. Reshape it",
        ),
        (
            torch.tensor(1.0),
            ValueError,
            r"ring_map: z must have shape \(\.\.\., 2\).*got shape \(\)",
        ),
        (
            torch.tensor([[math.nan, 1.0], [math.inf, 1.0]]),
            ValueError,
            r"ring_map: z must have finite entries; got 1 NaN and 1 inf\. Find the step",
        ),
    ],
)
def test_ring_map_invalid_z(z, error, message):
    with pytest.raises(error, match=message):
        ring_map(z)


@pytest.mark.parametrize(
    ("scale", "error", "message"),
    [
        (
            "0.1",
            TypeError,
            r"^ring_map: scale must be a real number; got str '0\.1'\. Pass the "
            r"ring's width, e\.g\. scale=0\.1\.$",
        ),
        (True, TypeError, r"ring_map: scale must be a real number; got bool True\."),
        (-0.1, ValueError, r"ring_map: scale must be a finite number >= 0; got -0\.1\. Pass"),
        (math.inf, ValueError, r"ring_map: scale must be a finite number >= 0; got inf\."),
    ],
)
def test_ring_map_invalid_scale(scale, error, message):
    with pytest.raises(error, match=message):
        ring_map(torch.ones(2, 2), scale=scale)


# -- GaussianRing: the density ------------------------------------------------------------


def literal_log_prob(x: torch.Tensor, s: float) -> torch.Tensor:
    """The docstring's p(x) = p_r(r) / (2 pi r), p_r(r) = (r-1)/s^2 exp(-(r-1)^2/(2 s^2))."""
    values = []
    for x1, x2 in x.reshape(-1, 2).tolist():
        r = math.hypot(x1, x2)
        if r <= 1:
            values.append(-math.inf)
            continue
        p_r = (r - 1) / s**2 * math.exp(-((r - 1) ** 2) / (2 * s**2))
        values.append(math.log(p_r / (2 * math.pi * r)))
    return torch.tensor(values, dtype=F64).reshape(x.shape[:-1])


@pytest.mark.parametrize("scale", [0.1, 0.3, 1.0])
def test_log_prob_equals_docstring_equation(scale):
    # Radii uniform on [0, 1 + 8 s] (inside and outside the disk, where exp(-(r-1)^2 / (2 s^2))
    # stays above float64's underflow), angles uniform.
    generator = seeded(5)
    radius = (1 + 8 * scale) * torch.rand(400, generator=generator, dtype=F64)
    angle = 2 * math.pi * torch.rand(400, generator=generator, dtype=F64)
    x = radius[:, None] * torch.stack([angle.cos(), angle.sin()], dim=-1)
    x = torch.cat([x, torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.6, 0.8]], dtype=F64)])
    expected = literal_log_prob(x, scale)
    computed = GaussianRing(scale).log_prob(x)
    assert bool(torch.isneginf(expected).any()) and bool(torch.isfinite(expected).any())
    # The literal form exponentiates; near the far tail its float64 log loses ~1e-13 relative.
    torch.testing.assert_close(computed, expected, rtol=1e-10, atol=1e-12)


def test_log_prob_equals_change_of_variables_with_autograd_jacobian():
    """log p(g(z)) = log p_z(z) - log|det J_g(z)|, with J_g from autograd."""
    s = 0.1
    ring = GaussianRing(s)
    z = torch.randn(50, 2, generator=seeded(6), dtype=F64)
    log_det = []
    for point in z:
        jacobian = torch.autograd.functional.jacobian(lambda v: ring_map(v, scale=s), point)
        log_det.append(torch.linalg.slogdet(jacobian).logabsdet)
    log_p_z = -0.5 * (z**2).sum(-1) - math.log(2 * math.pi)
    expected = log_p_z - torch.stack(log_det)
    torch.testing.assert_close(
        ring.log_prob(ring_map(z, scale=s)), expected, rtol=1e-10, atol=1e-12
    )
    # And the docstring's closed form of the determinant, s r / rho.
    rho = z.norm(dim=-1)
    torch.testing.assert_close(
        torch.stack(log_det), torch.log(s * (1 + s * rho) / rho), rtol=1e-10, atol=1e-12
    )


def test_log_prob_integrates_to_one_on_a_grid():
    # Grid: [-1.8, 1.8]^2 with spacing h = 0.0025 (1441^2 points), rectangle rule. The mass
    # beyond radius 1.8 is exp(-32) ~ 1e-14; the rule's error, dominated by the kink of
    # p at r = 1, is about 7e-7 at this h. Tolerance 1e-5.
    h = 0.0025
    axis = torch.linspace(-1.8, 1.8, 1441, dtype=F64)
    assert math.isclose(float(axis[1] - axis[0]), h, rel_tol=1e-9)
    x1, x2 = torch.meshgrid(axis, axis, indexing="xy")
    density = GaussianRing().log_prob(torch.stack([x1, x2], dim=-1)).exp()
    assert abs(float(density.sum()) * h * h - 1) < 1e-5


def test_log_prob_is_minus_infinity_on_and_inside_unit_circle():
    ring = GaussianRing()
    x = torch.tensor([[0.0, 0.0], [0.3, -0.2], [1.0, 0.0], [0.0, -1.0]], dtype=F64)
    assert bool(torch.isneginf(ring.log_prob(x)).all())


def test_log_prob_gradient_is_finite_everywhere():
    x = torch.tensor([[0.2, 0.1], [1.05, 0.0], [0.8, 0.9]], dtype=F64, requires_grad=True)
    GaussianRing().log_prob(x).clamp_min(-1e3).sum().backward()
    assert bool(torch.isfinite(x.grad).all())


def test_support_and_mean():
    ring = GaussianRing()
    x = torch.tensor([[1.01, 0.0], [0.99, 0.0]], dtype=F64)
    assert ring.support.check(x).tolist() == [True, False]
    assert ring.event_shape == (2,) and ring.batch_shape == ()
    samples = ring.sample((20000,), generator=seeded(7))
    # Each coordinate has standard deviation below 1.2; 4 standard errors of the mean.
    assert float((samples.mean(0) - ring.mean).abs().max()) < 4 * 1.2 / math.sqrt(20000)


# -- GaussianRing: sampling ---------------------------------------------------------------


def test_sampled_radii_follow_the_radial_density():
    """KS test of the radii against r = 1 + s * Rayleigh, i.e. scipy's rayleigh(loc=1, scale=s).

    With the seed fixed the test is deterministic; alpha = 0.001 is the chance that a correct
    sampler with some other seed would fail.
    """
    for s in (0.1, 0.5):
        radii = GaussianRing(s).sample((5000,), generator=seeded(8)).norm(dim=-1)
        result = stats.kstest(radii.numpy(), stats.rayleigh(loc=1, scale=s).cdf)
        assert result.pvalue > 1e-3, (s, result)


def test_sampled_radii_binned_chi_square():
    # 20 equiprobable bins of the radial CDF F(r) = 1 - exp(-(r-1)^2 / (2 s^2)).
    s, n, bins = 0.1, 20000, 20
    radii = GaussianRing(s).sample((n,), generator=seeded(9)).norm(dim=-1).numpy()
    u = 1 - np.exp(-((radii - 1) ** 2) / (2 * s**2))  # the CDF at each radius
    counts = np.histogram(u, bins=bins, range=(0, 1))[0]
    assert stats.chisquare(counts).pvalue > 1e-3


def test_samples_lie_outside_the_unit_disk():
    x = GaussianRing().sample((100000,), generator=seeded(10))
    assert x.shape == (100000, 2) and x.dtype == F64
    assert float(x.norm(dim=-1).min()) >= 1


def test_sample_equals_ring_map_of_the_same_noise():
    x = GaussianRing(0.2).sample((7, 3), generator=seeded(11))
    z = torch.randn(7, 3, 2, generator=seeded(11), dtype=F64)
    torch.testing.assert_close(x, ring_map(z, scale=0.2), rtol=0, atol=0)


def test_seeded_sampling_is_reproducible_and_leaves_global_rng_alone():
    ring = GaussianRing()
    before = torch.get_rng_state()
    a = ring.sample((256,), generator=seeded(12))
    b = ring.sample((256,), generator=seeded(12))
    c = ring.sample((256,), generator=seeded(13))
    after = torch.get_rng_state()
    assert torch.equal(before, after)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_sample_shapes_and_dtype():
    ring = GaussianRing()
    assert ring.sample(generator=seeded()).shape == (2,)
    assert ring.sample((0,), generator=seeded()).shape == (0, 2)
    assert ring.sample(torch.Size([2, 3]), generator=seeded()).shape == (2, 3, 2)
    assert ring.sample((5,), generator=seeded(), dtype=torch.float32).dtype == torch.float32


# -- GaussianRing: errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "error", "message"),
    [
        (None, TypeError, r"GaussianRing: scale must be a real number; got NoneType None\."),
        (
            0.0,
            ValueError,
            r"GaussianRing: scale must be a finite number > 0; got 0\.0\. Pass "
            r"the ring's width, e\.g\. scale=0\.1\.",
        ),
        (math.nan, ValueError, r"GaussianRing: scale must be a finite number > 0; got nan\."),
    ],
)
def test_invalid_scale(scale, error, message):
    with pytest.raises(error, match=message):
        GaussianRing(scale)


def test_scale_accepts_a_zero_dim_tensor():
    assert GaussianRing(torch.tensor(0.25, dtype=F64)).scale == 0.25


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (
            (1.0, 0.0),
            TypeError,
            r"GaussianRing\.log_prob: value must be a torch\.Tensor; got tuple\.",
        ),
        (
            torch.tensor([[2, 0]]),
            TypeError,
            r"GaussianRing\.log_prob: value must have a floating-point dtype; got torch\.int64\.",
        ),
        (
            torch.ones(4),
            ValueError,
            r"GaussianRing\.log_prob: value must have shape \(\.\.\., 2\), one point of the plane "
            r"per row; got shape \(4,\)\.",
        ),
        (
            torch.tensor([[math.nan, 2.0]]),
            ValueError,
            r"GaussianRing\.log_prob: value must have finite entries; got 1 NaN and 0 inf\.",
        ),
    ],
)
def test_log_prob_invalid_value(value, error, message):
    with pytest.raises(error, match=message):
        GaussianRing().log_prob(value)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"sample_shape": 300},
            TypeError,
            r"GaussianRing\.sample: sample_shape must be a tuple of ints or a torch\.Size; "
            r"got 300\. Pass e\.g\. \(300,\) for that many draws\.",
        ),
        (
            {"sample_shape": (-1,)},
            ValueError,
            r"GaussianRing\.sample: sample_shape must have non-negative sizes; got \(-1,\)\.",
        ),
        (
            {"sample_shape": (3,), "generator": 0},
            TypeError,
            r"GaussianRing\.sample: generator must be a torch\.Generator or None; got 0\. "
            r"Pass torch\.Generator\(\)\.manual_seed\(seed\)\.",
        ),
        (
            {"sample_shape": (3,), "dtype": torch.int64},
            TypeError,
            r"GaussianRing\.sample: dtype must be a floating-point torch\.dtype; "
            r"got torch\.int64\.",
        ),
    ],
)
def test_sample_invalid_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        GaussianRing().sample(**kwargs)
