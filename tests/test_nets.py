"""Tests of ganlib.nets: the seed's and the paper's architectures, shapes, ranges, parameter
counts, Maxout, seeded initialisation that leaves the global RNG alone, and every error message.
Every random draw comes from a seeded torch.Generator."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from ganlib.nets import ACTIVATIONS, Maxout, discriminator, generator, init_weights, mlp

F64 = torch.float64


def rng(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def n_parameters(module: nn.Module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


def seeded(module: nn.Module, seed: int = 0) -> nn.Module:
    return init_weights(module, generator=rng(seed))


# --- the seed's architecture, with the defaults -----------------------------------------------


def test_seed_generator():
    net = generator(100, 784)
    kinds = [type(layer) for layer in net]
    assert kinds == [nn.Linear, nn.LeakyReLU, nn.Linear, nn.Tanh]
    assert net[1].negative_slope == 0.01
    assert n_parameters(net) == 100 * 128 + 128 + 128 * 784 + 784  # weights + biases


def test_seed_discriminator_returns_logits():
    net = discriminator(784)
    kinds = [type(layer) for layer in net]
    assert kinds == [nn.Linear, nn.LeakyReLU, nn.Linear]  # no sigmoid: logits
    assert net[1].negative_slope == 0.01
    assert n_parameters(net) == 784 * 128 + 128 + 128 * 1 + 1
    logits = seeded(net)(torch.randn(256, 784, generator=rng(1)) * 10)
    assert logits.shape == (256, 1)
    assert bool(((logits < 0) | (logits > 1)).any())  # not probabilities


def test_generator_output_shape_and_range():
    net = seeded(generator(100, 784))
    z = 100 * torch.randn(64, 100, generator=rng(2))  # large inputs saturate tanh
    x = net(z)
    assert x.shape == (64, 784)
    assert bool(((x >= -1) & (x <= 1)).all())
    assert x.abs().max().item() > 0.99  # the range is reached, not just respected
    sigmoid_net = seeded(generator(2, 3, output="sigmoid"))
    y = sigmoid_net(100 * torch.randn(64, 2, generator=rng(3)))
    assert bool(((y >= 0) & (y <= 1)).all())
    assert isinstance(generator(2, 3, output=None)[-1], nn.Linear)


def test_toy_sizes_and_batch_dimensions():
    net = seeded(generator(2, 2, hidden=(16, 16)))
    assert net(torch.zeros(5, 7, 2)).shape == (5, 7, 2)
    assert seeded(discriminator(2, hidden=()))(torch.zeros(4, 2)).shape == (4, 1)  # logistic


# --- the paper's architecture, with arguments -------------------------------------------------


def test_paper_generator():
    net = generator(100, 784, hidden=(1200, 1200), activation="relu", output="sigmoid")
    kinds = [type(layer) for layer in net]
    assert kinds == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear, nn.Sigmoid]
    assert n_parameters(net) == (100 * 1200 + 1200) + (1200 * 1200 + 1200) + (1200 * 784 + 784)


def test_paper_discriminator():
    net = discriminator(
        784, hidden=(240, 240), activation="maxout", maxout_pieces=5, dropout=0.5, input_dropout=0.2
    )
    kinds = [type(layer) for layer in net]
    assert kinds == [nn.Dropout, Maxout, nn.Dropout, Maxout, nn.Dropout, nn.Linear]
    assert [net[0].p, net[2].p, net[4].p] == [0.2, 0.5, 0.5]
    assert (net[1].pieces, net[3].out_features) == (5, 240)
    assert n_parameters(net) == (784 * 1200 + 1200) + (240 * 1200 + 1200) + (240 + 1)
    seeded(net).eval()  # dropout off: deterministic logits
    x = torch.rand(8, 784, generator=rng(4))
    assert torch.equal(net(x), net(x)) and net(x).shape == (8, 1)
    net.train()  # dropout on: two passes differ
    with torch.random.fork_rng():  # dropout draws from the global RNG; keep the caller's
        torch.manual_seed(0)
        assert not torch.equal(net(x), net(x))


@pytest.mark.parametrize(
    ("activation", "kind"), [("relu", nn.ReLU), ("tanh", nn.Tanh), ("leaky_relu", nn.LeakyReLU)]
)
def test_each_activation(activation, kind):
    net = mlp([3, 4, 5, 2], activation=activation, dropout=0.1)
    kinds = [type(layer) for layer in net]
    assert kinds == [nn.Linear, kind, nn.Dropout, nn.Linear, kind, nn.Dropout, nn.Linear]


def test_mlp_without_hidden_layers_and_with_outputs():
    assert [type(layer) for layer in mlp([3, 2])] == [nn.Linear]
    assert [type(layer) for layer in mlp([3, 2], output="tanh")] == [nn.Linear, nn.Tanh]
    assert isinstance(mlp([3, 4, 2], activation="leaky_relu", negative_slope=0.2)[1], nn.LeakyReLU)
    assert mlp([3, 4, 2], negative_slope=0.2)[1].negative_slope == 0.2


# --- Maxout -----------------------------------------------------------------------------------


def test_maxout_is_the_max_over_pieces():
    layer = seeded(Maxout(3, 2, pieces=4))
    x = torch.randn(5, 3, generator=rng(5))
    affine = x @ layer.weight.T + layer.bias  # (5, 2 * 4), rows j * pieces + k
    expected = affine.reshape(5, 2, 4).max(-1).values  # h_j = max_k (W_jk x + b_jk)
    torch.testing.assert_close(layer(x), expected, rtol=1e-6, atol=1e-6)
    assert layer.weight.shape == (8, 3) and layer.bias.shape == (8,)
    assert repr(layer) == "Maxout(in_features=3, out_features=2, pieces=4)"


def test_maxout_gradcheck():
    layer = seeded(Maxout(3, 2, pieces=3)).double()
    x = torch.randn(4, 3, generator=rng(6), dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(layer, (x,))


def test_maxout_default_init_is_like_linear():
    layer = Maxout(400, 3, pieces=2)
    bound = 1 / math.sqrt(400)
    assert layer.weight.abs().max().item() <= bound and layer.bias.abs().max().item() <= bound


# --- init_weights -----------------------------------------------------------------------------


@pytest.mark.parametrize("std", [None, 0.02])
def test_init_weights_is_deterministic_and_leaves_the_global_rng_alone(std):
    paper = dict(hidden=(16, 16), activation="maxout", dropout=0.5)
    first, second = discriminator(8, **paper), discriminator(8, **paper)
    state = torch.get_rng_state()
    init_weights(first, generator=rng(42), std=std)
    init_weights(second, generator=rng(42), std=std)
    assert torch.equal(torch.get_rng_state(), state)
    for a, b in zip(first.state_dict().values(), second.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    other = init_weights(discriminator(8, **paper), generator=rng(43), std=std)
    assert not torch.equal(other[0].weight, first[0].weight)


def test_init_weights_distributions():
    net = init_weights(mlp([400, 300, 2]), generator=rng(7))
    bound = 1 / math.sqrt(400)  # nn.Linear's default: U(-1/sqrt(n_in), 1/sqrt(n_in))
    weight = net[0].weight
    assert weight.abs().max().item() <= bound
    assert weight.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    assert net[0].bias.abs().max().item() <= bound
    net = init_weights(mlp([400, 300, 2]), generator=rng(7), std=0.02)
    assert net[0].weight.std().item() == pytest.approx(0.02, rel=0.01)
    assert net[0].weight.mean().item() == pytest.approx(0.0, abs=1e-3)
    assert torch.equal(net[0].bias, torch.zeros(300))


def test_init_weights_returns_the_module_and_keeps_dtype():
    net = mlp([2, 3, 1]).double()
    assert init_weights(net, generator=rng()) is net
    assert net[0].weight.dtype == F64


def test_init_weights_skips_layers_without_bias():
    net = nn.Sequential(nn.Linear(3, 2, bias=False), nn.Linear(2, 1))
    init_weights(net, generator=rng(), std=0.5)
    assert net[0].bias is None


def test_init_weights_draws_on_the_generator_device():
    # A CPU generator fills a module on any device; here the meta device, which holds no values.
    meta = init_weights(mlp([2, 3, 1]).to("meta"), generator=rng(9))
    assert meta[0].weight.device == torch.device("meta")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_init_weights_gives_the_same_network_on_cuda_and_cpu():
    cpu = init_weights(mlp([2, 3, 1]), generator=rng(9))
    cuda = init_weights(mlp([2, 3, 1]).cuda(), generator=rng(9))
    for a, b in zip(cpu.parameters(), cuda.parameters(), strict=True):
        assert torch.equal(a, b.cpu())


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "error", "message"),
    [
        ([100], ValueError, r"^mlp: sizes must have at least two entries .*; got \[100\]"),
        ([], ValueError, r"^mlp: sizes must have at least two entries"),
        ([3, 0, 1], ValueError, r"^mlp: sizes\[1\] must be >= 1; got 0\. Layer widths"),
        ([3, -2], ValueError, r"^mlp: sizes\[1\] must be >= 1; got -2"),
        ([3, 2.5], TypeError, r"^mlp: sizes\[1\] must be an int; got float 2.5"),
        ([True, 2], TypeError, r"^mlp: sizes\[0\] must be an int; got bool"),
        ("784", TypeError, r"^mlp: sizes must be a sequence of ints; got str"),
        (784, TypeError, r"^mlp: sizes must be a sequence of ints; got int"),
    ],
)
def test_sizes_are_validated(sizes, error, message):
    with pytest.raises(error, match=message):
        mlp(sizes)


def test_unknown_activation_lists_the_known_ones():
    message = r"^mlp: activation must be one of \['leaky_relu', 'maxout', 'relu', 'tanh'\]; "
    with pytest.raises(ValueError, match=message + r"got 'gelu'"):
        mlp([2, 2], activation="gelu")
    assert list(ACTIVATIONS) == ["leaky_relu", "maxout", "relu", "tanh"]
    with pytest.raises(ValueError, match=r"^generator: activation must be one of"):
        generator(2, 2, activation="ReLU")


def test_unknown_output_lists_the_known_ones():
    message = r"^mlp: output must be one of \['sigmoid', 'tanh', None\]; got 'softmax'"
    with pytest.raises(ValueError, match=message):
        mlp([2, 2], output="softmax")


@pytest.mark.parametrize("name", ["dropout", "input_dropout"])
def test_dropout_must_be_in_zero_one(name):
    message = (
        rf"^discriminator: {name} must be a finite number in \[0, 1\); got 1\. Pass the "
        r"probability of zeroing a unit, e\.g\. 0\.5, or 0\.0 for no dropout\.$"
    )
    with pytest.raises(ValueError, match=message):
        discriminator(2, **{name: 1})
    with pytest.raises(
        ValueError, match=rf"^mlp: {name} must be a finite number in \[0, 1\).*got -0.1"
    ):
        mlp([2, 2], **{name: -0.1})
    with pytest.raises(TypeError, match=rf"^mlp: {name} must be a real number; got str"):
        mlp([2, 2], **{name: "0.5"})


def test_negative_slope_is_validated():
    with pytest.raises(
        TypeError, match=r"^mlp: negative_slope must be a real number; got NoneType"
    ):
        mlp([2, 2], negative_slope=None)
    message = (
        r"^generator: negative_slope must be a finite number; got nan\. The seed uses 0\.01\.$"
    )
    with pytest.raises(ValueError, match=message):
        generator(2, 2, negative_slope=math.nan)


def test_maxout_pieces_are_validated():
    message = r"^discriminator: maxout_pieces must be >= 2; got 1\. The paper used 5"
    with pytest.raises(ValueError, match=message):
        discriminator(2, activation="maxout", maxout_pieces=1)
    with pytest.raises(TypeError, match=r"^Maxout: pieces must be an int; got float 2.0"):
        Maxout(2, 2, 2.0)
    with pytest.raises(ValueError, match=r"^Maxout: in_features must be >= 1; got 0"):
        Maxout(0, 2, 2)


def test_generator_and_discriminator_name_their_arguments():
    with pytest.raises(ValueError, match=r"^generator: latent_dim must be >= 1; got 0"):
        generator(0, 784)
    with pytest.raises(TypeError, match=r"^generator: data_dim must be an int; got float 784.0"):
        generator(100, 784.0)
    with pytest.raises(ValueError, match=r"^generator: hidden\[1\] must be >= 1; got 0"):
        generator(100, 784, hidden=(128, 0))
    with pytest.raises(TypeError, match=r"^discriminator: hidden must be a sequence of ints; got"):
        discriminator(784, hidden=128)
    with pytest.raises(ValueError, match=r"^discriminator: data_dim must be >= 1; got -1"):
        discriminator(-1)


def test_init_weights_arguments_are_validated():
    net = mlp([2, 1])
    message = r"^init_weights: generator must be a torch\.Generator; got None\. "
    with pytest.raises(TypeError, match=message + r"Pass generator=torch\.Generator\(\)"):
        init_weights(net, generator=None)
    with pytest.raises(TypeError, match=r"missing 1 required keyword-only argument: 'generator'"):
        init_weights(net)
    with pytest.raises(TypeError, match=r"^init_weights: module must be a torch.nn.Module; got"):
        init_weights([net], generator=rng())
    message = r"^init_weights: std must be a finite number > 0; got 0\.0\. Use None for PyTorch's"
    with pytest.raises(ValueError, match=message):
        init_weights(net, generator=rng(), std=0.0)
    with pytest.raises(
        ValueError, match=r"^init_weights: std must be a finite number > 0; got inf"
    ):
        init_weights(net, generator=rng(), std=math.inf)
    with pytest.raises(TypeError, match=r"^init_weights: std must be a real number or None; got"):
        init_weights(net, generator=rng(), std="0.02")
    message = r"^init_weights: module must contain an nn.Linear or Maxout layer; got ReLU"
    with pytest.raises(ValueError, match=message):
        init_weights(nn.ReLU(), generator=rng())


@pytest.mark.parametrize(
    "build",
    [
        lambda rng: mlp([3, 8, 2], rng=rng),
        lambda rng: generator(5, 3, (8,), rng=rng),
        lambda rng: discriminator(3, (8, 8), rng=rng),
    ],
)
def test_rng_seeds_the_weights_and_leaves_the_global_rng_alone(build):
    state = torch.get_rng_state()
    first = build(torch.Generator().manual_seed(11))
    second = build(torch.Generator().manual_seed(11))
    assert torch.equal(torch.get_rng_state(), state)
    for a, b in zip(first.parameters(), second.parameters(), strict=True):
        assert torch.equal(a, b)
    reference = init_weights(build(None), generator=torch.Generator().manual_seed(11))
    for a, b in zip(first.parameters(), reference.parameters(), strict=True):
        assert torch.equal(a, b)


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match=r"discriminator: rng must be a torch\.Generator or None"):
        discriminator(3, rng=0)
