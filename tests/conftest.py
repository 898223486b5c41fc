"""Fixtures shared by the tests of training: tiny seeded networks and configs, and
comparisons of networks and histories bit for bit."""

import pytest
import torch

from ganlib import Gaussian1d, History, TrainConfig, discriminator, generator, init_weights


@pytest.fixture
def toy_networks():
    """A factory of 1-D generator/discriminator pairs, weights drawn from ``seed``."""

    def build(seed: int = 0, *, dropout: float = 0.0, hidden=(8,)):
        rng = torch.Generator().manual_seed(seed)
        g = init_weights(generator(1, 1, hidden, output=None), generator=rng)
        d = init_weights(discriminator(1, hidden, dropout=dropout), generator=rng)
        return g, d

    return build


@pytest.fixture
def toy_data():
    """The data of the toy runs: N(2, 0.5^2)."""
    return Gaussian1d(2.0, 0.5)


@pytest.fixture
def small_config():
    """A factory of short run configurations (12 steps of batch 16, SGD at 0.05)."""

    def build(**changes) -> TrainConfig:
        defaults = {"steps": 12, "batch_size": 16, "discriminator_lr": 0.05, "generator_lr": 0.05}
        return TrainConfig(**{**defaults, **changes})

    return build


@pytest.fixture
def assert_same_run():
    """Assert that two networks, or two histories, are equal bit for bit."""

    def compare(first, second) -> None:
        if isinstance(first, History):
            for name in ("discriminator_loss", "d_real", "d_fake", "generator_loss"):
                assert torch.equal(getattr(first, name), getattr(second, name)), name
            assert first.snapshots.keys() == second.snapshots.keys()
            for step, value in first.snapshots.items():
                assert torch.equal(value, second.snapshots[step]), step
            return
        pairs = zip(first.named_parameters(), second.named_parameters(), strict=True)
        for (name, a), (_, b) in pairs:
            assert torch.equal(a, b), name

    return compare


@pytest.fixture
def damaged_copy():
    """``damaged_copy(state, *path, value)``: a copy of a checkpoint's state with the entry at
    ``path`` set to ``value``, or removed when ``value`` is None (the containers on the path
    are copied; the rest is shared)."""

    def damaged(state, *path_and_value):
        *path, last, value = path_and_value
        copy = dict(state)
        node = copy
        for key in path:
            node[key] = dict(node[key])
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
        return copy

    return damaged
