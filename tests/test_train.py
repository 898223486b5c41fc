import pytest
import torch

from ganlib import discriminator, init_weights, optimal_discriminator
from ganlib.distributions import Gaussian1d
from ganlib.train import train_discriminator


def fitted(seed: int, steps: int = 600):
    generator = torch.Generator().manual_seed(seed)
    net = init_weights(discriminator(1, (32, 32)), generator=generator)
    optimizer = torch.optim.Adam(net.parameters(), lr=5e-3)
    p_data, p_g = Gaussian1d(0.0, 1.0), Gaussian1d(1.5, 1.0)
    losses = train_discriminator(
        net, optimizer, p_data, p_g, steps=steps, batch_size=256, generator=generator
    )
    return net, losses, p_data, p_g


def test_trained_discriminator_approaches_the_optimal_one():
    net, losses, p_data, p_g = fitted(seed=0)
    x = torch.linspace(-2.0, 3.5, 221).unsqueeze(-1)  # (221, 1): where both have mass
    with torch.no_grad():
        d = torch.sigmoid(net(x)).squeeze(-1)
    d_star = optimal_discriminator(
        p_data.log_prob(x.double()).exp(), p_g.log_prob(x.double()).exp()
    )
    # 600 Adam steps on 256 + 256 fresh samples: the estimate carries sampling noise of a few
    # percent; 0.06 is about three times the error seen across seeds 0-4.
    assert (d.double() - d_star).abs().max() < 0.06
    assert losses.shape == (600,)
    assert losses[-50:].mean() < losses[:50].mean()


def test_training_is_reproducible_and_leaves_the_global_rng_alone():
    runs = []
    for _ in range(2):
        generator = torch.Generator().manual_seed(3)
        net = init_weights(discriminator(1, (8,)), generator=generator)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        state = torch.get_rng_state()
        losses = train_discriminator(
            net,
            optimizer,
            Gaussian1d(0.0, 1.0),
            Gaussian1d(1.0, 1.0),
            steps=20,
            batch_size=16,
            generator=generator,
        )
        assert torch.equal(torch.get_rng_state(), state)
        runs.append((net, losses))
    (first, losses_first), (second, losses_second) = runs
    assert torch.equal(losses_first, losses_second)
    for a, b in zip(first.parameters(), second.parameters(), strict=True):
        assert torch.equal(a, b)


def test_label_smoothing_moves_the_optimum_down():
    generator = torch.Generator().manual_seed(1)
    net = init_weights(discriminator(1, (16,)), generator=generator)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    same = Gaussian1d(0.0, 1.0)
    train_discriminator(
        net, optimizer, same, same, steps=400, batch_size=256, generator=generator, real_label=0.8
    )
    with torch.no_grad():
        d = torch.sigmoid(net(torch.linspace(-1.5, 1.5, 31).unsqueeze(-1)))
    # With p_g = p_data the smoothed optimum is 0.8 / 2 = 0.4 everywhere.
    assert (d - 0.4).abs().max() < 0.05


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"discriminator": "net"}, TypeError, "discriminator must be a torch.nn.Module"),
        ({"optimizer": None}, TypeError, "optimizer must be a torch.optim.Optimizer"),
        ({"p_data": [1.0]}, TypeError, "p_data must have a sample"),
        ({"steps": 0}, ValueError, "steps must be a positive int"),
        ({"batch_size": 2.5}, ValueError, "batch_size must be a positive int"),
        ({"generator": 0}, TypeError, "generator must be a CPU torch.Generator"),
        ({"real_label": 0.0}, ValueError, r"real_label must lie in \(0, 1\]"),
    ],
)
def test_bad_arguments_are_clear_errors(change, error, match):
    net = discriminator(1, (4,))
    arguments = {
        "discriminator": net,
        "optimizer": torch.optim.SGD(net.parameters(), lr=0.1),
        "p_data": Gaussian1d(0.0, 1.0),
        "p_g": Gaussian1d(1.0, 1.0),
        "steps": 1,
        "batch_size": 4,
        "generator": torch.Generator().manual_seed(0),
    }
    arguments.update(change)
    positional = [arguments.pop(k) for k in ("discriminator", "optimizer", "p_data", "p_g")]
    with pytest.raises(error, match=match):
        train_discriminator(*positional, **arguments)
