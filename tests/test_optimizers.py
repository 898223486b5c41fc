import pytest
import torch

from ganlib import OPTIMIZERS, TrainConfig, discriminator
from ganlib.optimizers import build_optimizer, learning_rate, set_learning_rate


def test_the_step_schedule_counts_the_decays_before_each_step():
    rates = [learning_rate(0.2, step, (3, 6), 0.5) for step in range(8)]
    assert rates == [0.2] * 3 + [0.1] * 3 + [0.05] * 2
    assert learning_rate(0.2, 100, (), 0.5) == 0.2


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_named_optimizer_builds_and_takes_its_rate(name):
    net = discriminator(1, (4,))
    optimizer = build_optimizer(net.parameters(), name, 0.01, momentum=0.3, betas=(0.5, 0.9))
    expected = torch.optim.SGD if name == "sgd" else torch.optim.Adam
    assert isinstance(optimizer, expected) and optimizer.param_groups[0]["lr"] == 0.01
    set_learning_rate(optimizer, 0.002)
    assert all(group["lr"] == 0.002 for group in optimizer.param_groups)


def test_the_fused_sgd_update_equals_the_foreach_one():
    results = []
    for fused in (True, False):
        threads = torch.get_num_threads()
        torch.set_num_threads(1 if fused else threads)
        try:
            net = discriminator(1, (8,), rng=torch.Generator().manual_seed(0))
            optimizer = build_optimizer(net.parameters(), "sgd", 0.1, momentum=0.5)
            if not fused:
                optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.5, foreach=True)
            for step in range(3):
                x = torch.randn(16, 1, generator=torch.Generator().manual_seed(step))
                net(x).pow(2).mean().backward()
                optimizer.step()
                optimizer.zero_grad()
        finally:
            torch.set_num_threads(threads)
        results.append([p.detach().clone() for p in net.parameters()])
    for a, b in zip(*results, strict=True):
        assert torch.equal(a, b)


def test_the_config_and_the_builder_know_the_same_names():
    for name in OPTIMIZERS:
        assert TrainConfig(optimizer=name).optimizer == name
    with pytest.raises(ValueError, match=r"build_optimizer: name must be one of \['sgd', 'adam'\]"):
        build_optimizer(discriminator(1, (4,)).parameters(), "rmsprop", 0.1)
