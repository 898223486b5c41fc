import math

import pytest
import torch

from ganlib import NOISES, Noise, TrainConfig


def test_uniform_noise_has_unit_variance_on_its_interval():
    z = Noise(2, "uniform").sample((20_000,), torch.Generator().manual_seed(0), dtype=torch.float64)
    assert z.shape == (20_000, 2) and z.abs().max() <= math.sqrt(3)
    assert abs(float(z.var()) - 1) < 0.03  # the standard error of the variance is about 0.006
    assert Noise(2, "uniform").interval == (-math.sqrt(3), math.sqrt(3))


def test_normal_noise_is_a_standard_normal():
    z = Noise(3).sample((20_000,), torch.Generator().manual_seed(1), dtype=torch.float64)
    assert z.shape == (20_000, 3) and Noise(3).interval is None
    # Means within 4 standard errors (1/sqrt(20,000) = 0.007), variances within 0.03.
    assert z.mean(0).abs().max() < 0.03 and (z.var(0) - 1).abs().max() < 0.03


def test_sampling_is_seeded_and_leaves_the_global_rng_alone():
    state = torch.get_rng_state()
    a = Noise(2).sample((5,), torch.Generator().manual_seed(7))
    b = Noise(2).sample((5,), torch.Generator().manual_seed(7))
    assert torch.equal(a, b) and a.dtype == torch.float32
    assert torch.equal(torch.get_rng_state(), state)
    assert Noise(2).sample((4, 3), torch.Generator()).shape == (4, 3, 2)


def test_noise_is_a_value():
    assert Noise(2, "uniform") == Noise(2, "uniform") != Noise(2)
    assert len({Noise(1), Noise(1)}) == 1
    assert repr(Noise(4, "uniform")) == "Noise(latent_dim=4, kind='uniform')"
    assert set(NOISES) == {"normal", "uniform"}
    assert TrainConfig(noise="uniform").noise in NOISES


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: Noise(0), ValueError, "Noise: latent_dim must be >= 1; got 0"),
        (lambda: Noise(2.5), TypeError, "Noise: latent_dim must be an int; got float 2.5"),
        (lambda: Noise(1, "gaussian"), ValueError, r"kind must be one of \['normal', 'uniform'\]"),
        (lambda: Noise(1).sample(5), TypeError, r"sample_shape must be a tuple.*\(5,\)"),
        (lambda: Noise(1).sample((-1,)), ValueError, "sample_shape must have non-negative sizes"),
        (lambda: Noise(1).sample((2,), "seed"), TypeError, "generator must be a torch.Generator"),
        (
            lambda: Noise(1).sample((2,), dtype=torch.int64),
            TypeError,
            "dtype must be a floating-point torch.dtype",
        ),
    ],
)
def test_bad_arguments_are_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
