"""The ensemble is Algorithm 1 for each member: ``ganlib.train`` with the member's seed, from
the same initial weights, ends at the member's parameters; divergence, resume and members as
modules; every error message."""

import pytest
import torch

from ganlib import (
    Ensemble,
    Gaussian1d,
    TrainConfig,
    discriminator,
    generator,
    ring_of_gaussians,
    train,
)

torch.set_num_threads(1)
SEEDS = (3, 0, 11)


def networks(seed, dtype=torch.float64, data_dim=1, latent_dim=1, hidden=(8, 8), output=None):
    rng = torch.Generator().manual_seed(100 + seed)
    g = generator(latent_dim, data_dim, hidden, output=output, rng=rng).to(dtype)
    d = discriminator(data_dim, hidden, rng=rng).to(dtype)
    return g, d


def ensemble(config, seeds=SEEDS, p_data=None, **options):
    pairs = [networks(s, **options) for s in seeds]
    p_data = Gaussian1d(2.0, 0.5) if p_data is None else p_data
    return Ensemble([g for g, _ in pairs], [d for _, d in pairs], p_data, config, seeds)


@pytest.mark.parametrize(
    ("dtype", "optimizer", "k", "loss"),
    [
        (torch.float64, "sgd", 1, "minimax"),
        (torch.float64, "adam", 2, "nonsaturating"),
        (torch.float64, "sgd", 2, "nonsaturating"),
        (torch.float32, "adam", 1, "minimax"),
        (torch.float32, "sgd", 2, "nonsaturating"),
    ],
)
def test_each_member_ends_where_train_with_its_seed_ends(dtype, optimizer, k, loss):
    lr = 0.05 if optimizer == "sgd" else 1e-2
    config = TrainConfig(
        steps=20, k=k, batch_size=16, optimizer=optimizer, generator_loss=loss,
        discriminator_lr=lr, generator_lr=lr, snapshot_steps=(0, 20), lr_decay_steps=(10,),
    )  # fmt: skip
    batched = ensemble(config, dtype=dtype)
    batched.readback_every = 7
    batched.train()
    tolerance = {"rtol": 1e-10, "atol": 1e-12} if dtype == torch.float64 else {}
    for i, seed in enumerate(SEEDS):
        g, d = networks(seed, dtype=dtype)
        history = train(g, d, Gaussian1d(2.0, 0.5), TrainConfig(**{**vars(config), "seed": seed}))
        member_g, member_d = batched.member(i)
        for single, member in ((g, member_g), (d, member_d)):
            for a, b in zip(single.parameters(), member.parameters(), strict=True):
                torch.testing.assert_close(b, a, **tolerance)
        mine = batched.histories[i]
        assert len(mine) == len(history) == 20
        for name in ("discriminator_loss", "d_real", "d_fake", "generator_loss"):
            torch.testing.assert_close(getattr(mine, name), getattr(history, name), **tolerance)
        assert sorted(mine.snapshots) == [0, 20]
        for step in (0, 20):
            torch.testing.assert_close(mine.snapshots[step], history.snapshots[step], **tolerance)


def test_members_on_the_ring_end_where_train_ends():
    config = TrainConfig(steps=20, batch_size=16, optimizer="adam", latent_dim=2,
                         discriminator_lr=1e-3, generator_lr=1e-3, noise="uniform")  # fmt: skip
    options = {"data_dim": 2, "latent_dim": 2, "output": "tanh"}
    batched = ensemble(config, p_data=ring_of_gaussians(), **options)
    batched.train()
    for i, seed in enumerate(SEEDS):
        g, d = networks(seed, **options)
        train(g, d, ring_of_gaussians(), TrainConfig(**{**vars(config), "seed": seed}))
        for single, member in zip((g, d), batched.member(i), strict=True):
            for a, b in zip(single.parameters(), member.parameters(), strict=True):
                torch.testing.assert_close(b, a, rtol=1e-10, atol=1e-12)
