"""Tests of ganlib.losses: each loss against its probability-space formula and against PyTorch's
binary cross-entropy, stability where the probability space breaks, the gradients the paper
talks about, label smoothing's optimum, gradcheck and every error message. Float64 unless a test
is about float32; every random draw comes from a seeded torch.Generator."""

from __future__ import annotations

import math
from functools import partial

import pytest
import torch
import torch.nn.functional as F

from ganlib.losses import GENERATOR_LOSSES as GENERATOR_LOSSES_TABLE
from ganlib.losses import (
    maximum_likelihood_generator_loss,
    minimax_discriminator_loss,
    minimax_generator_loss,
    nonsaturating_generator_loss,
)

F64 = torch.float64
LOSSES = {
    "minimax_discriminator_loss": minimax_discriminator_loss,
    "minimax_generator_loss": minimax_generator_loss,
    "nonsaturating_generator_loss": nonsaturating_generator_loss,
}
GENERATOR_LOSSES = ["minimax_generator_loss", "nonsaturating_generator_loss"]


def logits(seed: int, *shape: int, scale: float = 3.0, dtype=F64) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return (scale * torch.randn(*shape, generator=generator, dtype=F64)).to(dtype)


def call(name: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    if name == "minimax_discriminator_loss":
        return minimax_discriminator_loss(real, fake)
    return LOSSES[name](fake)


def in_probability_space(name: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Each loss as the paper writes it, with D = sigmoid(logit): the naive form."""
    d_real, d_fake = torch.sigmoid(real), torch.sigmoid(fake)
    return {
        "minimax_discriminator_loss": -(
            torch.log(d_real).mean() + torch.log(1 - d_fake).mean()
        ),  # -V
        "minimax_generator_loss": torch.log(1 - d_fake).mean(),
        "nonsaturating_generator_loss": -torch.log(d_fake).mean(),
    }[name]


# --- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LOSSES)
def test_equals_the_probability_space_formula(name):
    real, fake = logits(0, 64), logits(1, 48, 1)  # moderate logits: every log is finite
    expected = in_probability_space(name, real, fake)
    torch.testing.assert_close(call(name, real, fake), expected, rtol=1e-12, atol=1e-14)


def test_discriminator_loss_is_binary_cross_entropy():
    real, fake = logits(2, 32, 1), logits(3, 16, 1)
    bce = F.binary_cross_entropy_with_logits
    expected = bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake))
    torch.testing.assert_close(minimax_discriminator_loss(real, fake), expected, rtol=1e-14, atol=0)
    smoothed = bce(real, torch.full_like(real, 0.9)) + bce(fake, torch.zeros_like(fake))
    loss = minimax_discriminator_loss(real, fake, real_label=0.9)
    torch.testing.assert_close(loss, smoothed, rtol=1e-14, atol=0)


def test_nonsaturating_loss_is_binary_cross_entropy_with_label_one_on_fakes():
    fake = logits(4, 16, 1)
    expected = F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))
    torch.testing.assert_close(nonsaturating_generator_loss(fake), expected, rtol=1e-14, atol=0)


def test_values_at_d_one_half():
    zeros = torch.zeros(5, dtype=F64)
    assert minimax_discriminator_loss(zeros, zeros[:3]).item() == pytest.approx(math.log(4))
    assert minimax_generator_loss(zeros).item() == pytest.approx(-math.log(2))
    assert nonsaturating_generator_loss(zeros).item() == pytest.approx(math.log(2))


@pytest.mark.parametrize("name", LOSSES)
def test_results_keep_dtype(name):
    for dtype in (torch.float32, F64):
        real, fake = logits(5, 4, dtype=dtype), logits(6, 4, dtype=dtype)
        loss = call(name, real, fake)
        assert loss.dtype == dtype and loss.shape == ()


# --- stability --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LOSSES)
def test_finite_for_extreme_float32_logits_where_probability_space_fails(name):
    extreme = torch.tensor([-100.0, 100.0])  # float32: sigmoid rounds to exactly 0 and 1
    real = extreme.clone().requires_grad_()
    fake = extreme.clone().requires_grad_()
    naive = in_probability_space(name, real, fake)
    assert not math.isfinite(naive.item())  # inf from log(0) ...
    (naive_grad,) = torch.autograd.grad(naive, fake)
    assert torch.isnan(naive_grad).any()  # ... and 0 * inf = NaN in the gradient
    loss = call(name, real, fake)
    expected = {  # softplus(100) = 100, softplus(-100) = 0 (to float32)
        "minimax_discriminator_loss": (100 + 0) / 2 + (0 + 100) / 2,
        "minimax_generator_loss": -(0 + 100) / 2,
        "nonsaturating_generator_loss": (100 + 0) / 2,
    }[name]
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    loss.backward()
    assert torch.isfinite(fake.grad).all()
    if name == "minimax_discriminator_loss":
        assert torch.isfinite(real.grad).all()


# --- gradients where the paper says they matter -----------------------------------------------


def test_saturating_gradient_vanishes_where_nonsaturating_does_not():
    # Early in training D rejects the fakes: D(G(z)) = sigmoid(-10), about 4.5e-5.
    fake = torch.tensor([-10.0], dtype=F64, requires_grad=True)
    (saturating,) = torch.autograd.grad(minimax_generator_loss(fake), fake)
    (nonsaturating,) = torch.autograd.grad(nonsaturating_generator_loss(fake), fake)
    assert abs(saturating.item()) < 1e-4
    assert abs(nonsaturating.item()) > 0.99
    # The docstrings' derivatives: -D(G(z)) and -(1 - D(G(z))) per sample (batch of one).
    d_fake = torch.sigmoid(fake.detach())
    torch.testing.assert_close(saturating, -d_fake, rtol=1e-12, atol=0)
    torch.testing.assert_close(nonsaturating, -(1 - d_fake), rtol=1e-12, atol=0)


def test_generator_gradients_are_divided_by_the_batch_size():
    fake = logits(7, 8).requires_grad_()
    (grad,) = torch.autograd.grad(minimax_generator_loss(fake), fake)
    torch.testing.assert_close(grad, -torch.sigmoid(fake.detach()) / 8, rtol=1e-12, atol=0)


# --- the discriminator's optimum --------------------------------------------------------------


@pytest.mark.parametrize("real_label", [1.0, 0.9, 0.75])
def test_minimizer_is_real_label_times_d_star(real_label):
    # Two outcomes x1, x2; the samples hold them in proportion to p_data = (3/4, 1/4) and
    # p_g = (1/4, 3/4). The loss depends on D(x1) through the logit l1; its minimiser is
    # real_label * p_data(x1) / (p_data(x1) + p_g(x1)) = real_label * 3/4.
    grid = torch.linspace(-1.0, 3.0, 4001, dtype=F64)  # logits l1, step 1e-3
    l2 = torch.tensor(0.3, dtype=F64)
    losses = torch.stack(
        [
            minimax_discriminator_loss(
                torch.stack([l1, l1, l1, l2]), torch.stack([l1, l2, l2, l2]), real_label=real_label
            )
            for l1 in grid
        ]
    )
    d_best = torch.sigmoid(grid[losses.argmin()]).item()
    assert d_best == pytest.approx(real_label * 0.75, abs=1e-3)


# --- docstring equations, evaluated literally -------------------------------------------------


def test_docstring_equations():
    close = partial(torch.testing.assert_close, rtol=1e-12, atol=1e-14)
    real, fake = logits(8, 6), logits(9, 4)
    d_real, d_fake = torch.sigmoid(real), torch.sigmoid(fake)
    # The logits contract: log D = -softplus(-l), log(1 - D) = -softplus(l).
    close(torch.log(d_real), -F.softplus(-real))
    close(torch.log(1 - d_fake), -F.softplus(fake))
    # L_D = -[mean log D(x) + mean log(1 - D(G(z)))] = mean sp(-l) + mean sp(l').
    literal = -(torch.log(d_real).mean() + torch.log(1 - d_fake).mean())
    close(minimax_discriminator_loss(real, fake), literal)
    close(
        minimax_discriminator_loss(real, fake), F.softplus(-real).mean() + F.softplus(fake).mean()
    )
    # Smoothed: mean [a sp(-l) + (1 - a) sp(l)] + mean sp(l').
    a = 0.9
    smoothed = (a * F.softplus(-real) + (1 - a) * F.softplus(real)).mean()
    close(minimax_discriminator_loss(real, fake, real_label=a), smoothed + F.softplus(fake).mean())
    # L_G (saturating) = mean log(1 - D(G(z))) = -mean sp(l').
    close(minimax_generator_loss(fake), torch.log(1 - d_fake).mean())
    close(minimax_generator_loss(fake), -F.softplus(fake).mean())
    # L_G (non-saturating) = -mean log D(G(z)) = mean sp(-l').
    close(nonsaturating_generator_loss(fake), -torch.log(d_fake).mean())
    close(nonsaturating_generator_loss(fake), F.softplus(-fake).mean())


def test_doc_example_values():
    real, fake = torch.tensor([2.0, 3.0]), torch.tensor([-2.0, 0.0])
    expected = (F.softplus(-real).mean() + F.softplus(fake).mean()).item()
    assert minimax_discriminator_loss(real, fake).item() == pytest.approx(expected)
    assert expected == pytest.approx(0.4978, abs=1e-4)


# --- gradcheck --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LOSSES)
def test_gradcheck(name):
    real, fake = logits(10, 3, 2).requires_grad_(), logits(11, 5).requires_grad_()
    assert torch.autograd.gradcheck(partial(call, name), (real, fake))


def test_gradcheck_with_label_smoothing():
    real, fake = logits(12, 4).requires_grad_(), logits(13, 4).requires_grad_()
    smoothed = partial(minimax_discriminator_loss, real_label=0.8)
    assert torch.autograd.gradcheck(smoothed, (real, fake))


# --- errors -----------------------------------------------------------------------------------

GOOD = torch.zeros(3, dtype=F64)


@pytest.mark.parametrize("name", LOSSES)
def test_logits_must_be_tensors(name):
    with pytest.raises(TypeError, match=rf"^{name}: fake_logits must be a torch.Tensor; got list"):
        call(name, GOOD, [0.0, 1.0])


def test_real_logits_must_be_a_tensor():
    message = r"^minimax_discriminator_loss: real_logits must be a torch.Tensor; got float\. "
    with pytest.raises(TypeError, match=message + r"Convert it with torch.as_tensor"):
        minimax_discriminator_loss(1.0, GOOD)


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("dtype", [torch.int64, torch.bool])
def test_logits_must_be_floating_point(name, dtype):
    message = rf"^{name}: fake_logits must have a floating-point dtype; got {dtype}"
    with pytest.raises(TypeError, match=message):
        call(name, GOOD, torch.zeros(3, dtype=dtype))


@pytest.mark.parametrize("name", LOSSES)
def test_logits_must_not_be_empty(name):
    message = rf"^{name}: fake_logits must have at least one entry; got shape \(0, 1\)\. "
    message += r"It is averaged over samples; pass a non-empty batch"
    with pytest.raises(ValueError, match=message):
        call(name, GOOD, torch.empty(0, 1, dtype=F64))
    if name == "minimax_discriminator_loss":
        with pytest.raises(
            ValueError, match=r"real_logits must have at least one entry; got shape"
        ):
            minimax_discriminator_loss(torch.empty(0, dtype=F64), GOOD)


def test_real_and_fake_logits_must_match():
    message = r"^minimax_discriminator_loss: real_logits and fake_logits must have the same dtype"
    with pytest.raises(TypeError, match=message + r"; got torch.float64 and torch.float32"):
        minimax_discriminator_loss(GOOD, GOOD.float())
    message = r"real_logits and fake_logits must be on the same device; got cpu and meta"
    with pytest.raises(ValueError, match=message):
        minimax_discriminator_loss(GOOD, GOOD.to("meta"))


@pytest.mark.parametrize("real_label", [0.0, -0.1, 1.1, math.nan, math.inf])
def test_real_label_must_be_in_zero_one(real_label):
    message = r"^minimax_discriminator_loss: real_label must be a finite number in \(0, 1\]; got "
    with pytest.raises(ValueError, match=message + r".*one-sided label smoothing"):
        minimax_discriminator_loss(GOOD, GOOD, real_label=real_label)


@pytest.mark.parametrize("real_label", [True, "0.9", torch.tensor(0.9)])
def test_real_label_must_be_a_number(real_label):
    message = r"^minimax_discriminator_loss: real_label must be a real number; got "
    with pytest.raises(TypeError, match=message):
        minimax_discriminator_loss(GOOD, GOOD, real_label=real_label)


def test_maximum_likelihood_loss_is_minus_half_the_odds():
    """-1/2 E exp(sigma^-1(D)) = -1/2 E D / (1 - D), in probability space."""
    fake = logits(7, 50)
    d = torch.sigmoid(fake)
    expected = -0.5 * (d / (1 - d)).mean()
    torch.testing.assert_close(maximum_likelihood_generator_loss(fake), expected)


def test_maximum_likelihood_gradient_vanishes_as_d_goes_to_zero():
    """Its derivative in a logit is -e^l / (2n): like the minimax loss's, it vanishes."""
    fake = torch.tensor([-20.0, -10.0, 0.0], dtype=F64, requires_grad=True)
    (gradient,) = torch.autograd.grad(maximum_likelihood_generator_loss(fake), fake)
    torch.testing.assert_close(gradient, -fake.detach().exp() / (2 * 3))


def test_maximum_likelihood_loss_is_in_the_table_and_checks_its_input():
    assert GENERATOR_LOSSES_TABLE["maximum_likelihood"] is maximum_likelihood_generator_loss
    with pytest.raises(TypeError, match="maximum_likelihood_generator_loss: fake_logits"):
        maximum_likelihood_generator_loss([0.0])
    torch.autograd.gradcheck(maximum_likelihood_generator_loss, (logits(8, 4).requires_grad_(),))
