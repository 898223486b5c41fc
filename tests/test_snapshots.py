"""Tests of ganlib.snapshots.FixedSnapshot: its docstring equation evaluated literally, its
use as ganlib.train's snapshot (the same inputs at every step, results on the CPU, a run
identical to one with the same snapshot written by hand), and its error messages. Every
random draw comes from a seeded torch.Generator."""

from __future__ import annotations

import pytest
import torch

from ganlib import Gaussian1d, Noise, TrainConfig, discriminator, generator, train
from ganlib.snapshots import FixedSnapshot


def networks(seed: int):
    rng = torch.Generator().manual_seed(seed)
    return generator(1, 1, (8,), output=None, rng=rng), discriminator(1, (8,), rng=rng)


def test_fixed_snapshot_docstring_equation():
    g, d = networks(0)
    z = Noise(1, "uniform").sample((7,), torch.Generator().manual_seed(1))
    x = torch.linspace(-2, 2, 5)[:, None]
    with torch.no_grad():
        record = FixedSnapshot(z, x)(g, d, 3)
        assert torch.equal(record["samples"], g(z))
        assert torch.equal(record["d"], 1 / (1 + torch.exp(-d(x))))  # sigma(a) written out
    assert set(FixedSnapshot(z)(g, d, 0)) == {"samples"}


def test_fixed_snapshot_in_train_matches_a_hand_written_snapshot():
    z = Noise(1, "normal").sample((6,), torch.Generator().manual_seed(2))
    x = torch.linspace(-1, 1, 4)[:, None]
    config = TrainConfig(steps=6, batch_size=8, snapshot_steps=(0, 3, 6))

    def by_hand(generator, discriminator, step):
        return {"samples": generator(z), "d": torch.sigmoid(discriminator(x))}

    runs = [
        train(*networks(4), Gaussian1d(1.0, 0.5), config, snapshot=s)
        for s in (FixedSnapshot(z, x), by_hand)
    ]
    assert sorted(runs[0].snapshots) == [0, 3, 6]
    for step in (0, 3, 6):
        for key in ("samples", "d"):
            assert torch.equal(runs[0].snapshots[step][key], runs[1].snapshots[step][key])
            assert runs[0].snapshots[step][key].device.type == "cpu"
    assert not torch.equal(runs[0].snapshots[0]["samples"], runs[0].snapshots[6]["samples"])


def test_fixed_snapshot_repr():
    assert repr(FixedSnapshot(torch.zeros(3, 2), torch.zeros(4, 1))) == (
        "FixedSnapshot(z: (3, 2), x: (4, 1))"
    )


def test_fixed_snapshot_errors():
    with pytest.raises(TypeError, match=r"FixedSnapshot: z must be a floating-point torch.Tensor"):
        FixedSnapshot([[0.0]])
    with pytest.raises(TypeError, match=r"FixedSnapshot: x must be a floating-point"):
        FixedSnapshot(torch.zeros(2, 1), torch.zeros(2, 1, dtype=torch.long))
    with pytest.raises(ValueError, match=r"FixedSnapshot: z must be a non-empty batch"):
        FixedSnapshot(torch.zeros(3))
    with pytest.raises(ValueError, match=r"FixedSnapshot: x must be a non-empty batch"):
        FixedSnapshot(torch.zeros(2, 1), torch.zeros(0, 1))
