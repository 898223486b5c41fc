import pytest
import torch

from ganlib import OPTIMIZERS, TrainConfig, discriminator
from ganlib.optimizers import SGD, Adam, build_optimizer, learning_rate, set_learning_rate


def test_the_step_schedule_counts_the_decays_before_each_step():
    rates = [learning_rate(0.2, step, (3, 6), 0.5) for step in range(8)]
    assert rates == [0.2] * 3 + [0.1] * 3 + [0.05] * 2
    assert learning_rate(0.2, 100, (), 0.5) == 0.2


def network(dtype=torch.float32):
    return discriminator(1, (8, 8), rng=torch.Generator().manual_seed(0)).to(dtype)


def descend(net, optimizer, steps: int, first: int = 0) -> None:
    """``steps`` updates on a seeded least-squares loss, with a rate change half-way."""
    for step in range(first, first + steps):
        rng = torch.Generator().manual_seed(step)
        x = torch.randn(32, 1, generator=rng, dtype=next(net.parameters()).dtype)
        for parameter in net.parameters():
            parameter.grad = None
        (net(x) - x.sin()).pow(2).mean().backward()
        if step == 6:
            set_learning_rate(optimizer, 0.3 * optimizer.param_groups[0]["lr"])
        optimizer.step()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda p: SGD(p, 0.05, 0.5), lambda p: torch.optim.SGD(p, 0.05, 0.5, foreach=True)),
        (lambda p: SGD(p, 0.05, 0.9), lambda p: torch.optim.SGD(p, 0.05, 0.9, foreach=False)),
        (
            lambda p: Adam(p, 1e-2, (0.5, 0.999)),
            lambda p: torch.optim.Adam(p, 1e-2, (0.5, 0.999), foreach=True),
        ),
        (
            lambda p: Adam(p, 3e-3, (0.9, 0.99)),
            lambda p: torch.optim.Adam(p, 3e-3, (0.9, 0.99), foreach=False),
        ),
    ],
    ids=["sgd-foreach", "sgd-for-loop", "adam-foreach", "adam-for-loop"],
)
def test_the_rules_give_torch_optims_results_bit_for_bit(ours, theirs, dtype):
    mine, reference = network(dtype), network(dtype)
    descend(mine, ours(list(mine.parameters())), 12)
    descend(reference, theirs(list(reference.parameters())), 12)
    for a, b in zip(mine.parameters(), reference.parameters(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_rule_resumed_from_its_state_continues_bit_for_bit(name):
    whole, first = network(), network()
    build = lambda net: build_optimizer(list(net.parameters()), name, 0.02, betas=(0.5, 0.9))  # noqa: E731
    descend(whole, build(whole), 10)
    optimizer = build(first)
    descend(first, optimizer, 4)
    state = optimizer.state_dict()
    resumed = build(first)
    resumed.load_state_dict(state)
    assert resumed.step_count == 4 and resumed.param_groups[0]["lr"] == 0.02
    descend(first, resumed, 6, first=4)
    for a, b in zip(whole.parameters(), first.parameters(), strict=True):
        assert torch.equal(a, b)


def test_a_state_of_another_rule_or_other_parameters_is_refused():
    sgd = SGD(list(network().parameters()), 0.1, 0.5)
    descend(network(), sgd, 1)
    with pytest.raises(ValueError, match="the state is of the rule 'sgd', not 'adam'"):
        Adam(list(network().parameters()), 0.1, (0.5, 0.9)).load_state_dict(sgd.state_dict())
    small = discriminator(1, (4,))
    with pytest.raises(ValueError, match="'momentum_buffer' does not fit the parameters"):
        SGD(list(small.parameters()), 0.1, 0.5).load_state_dict(sgd.state_dict())


def test_a_parameter_without_a_gradient_does_not_move():
    net = network()
    unused = torch.nn.Parameter(torch.ones(3))
    for rule in (SGD([*net.parameters(), unused], 0.1, 0.9), Adam([unused], 0.1, (0.5, 0.9))):
        for _ in range(3):
            rule.step()
        assert torch.equal(unused, torch.ones(3))


def test_every_named_rule_builds_and_the_config_knows_the_same_names():
    for name, kind in zip(OPTIMIZERS, (SGD, Adam), strict=True):
        assert isinstance(build_optimizer(network().parameters(), name, 0.01), kind)
        assert TrainConfig(optimizer=name).optimizer == name
    with pytest.raises(ValueError, match=r"build_optimizer: name must be one of \['sgd', 'adam'\]"):
        build_optimizer(network().parameters(), "rmsprop", 0.1)
