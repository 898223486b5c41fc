"""PacGAN's packing: pack_samples, and train with config.pack (the discriminator judges packs
of samples that are all real or all generated)."""

import pytest
import torch
from torch import nn

from ganlib import (
    TrainConfig,
    discriminator,
    generator,
    pack_samples,
    ring_of_gaussians,
    train,
)


def test_consecutive_samples_are_concatenated_into_one_row():
    x = torch.arange(12.0).reshape(6, 2)
    packed = pack_samples(x, 3)
    assert packed.shape == (2, 6)
    torch.testing.assert_close(packed[0], torch.cat((x[0], x[1], x[2])))
    torch.testing.assert_close(packed[1], torch.cat((x[3], x[4], x[5])))
    assert pack_samples(x, 1) is x


def test_samples_along_dim_with_leading_axes_and_images_flattened():
    x = torch.randn(4, 6, 2, 3)  # 4 members, 6 samples of 2 x 3 images each
    packed = pack_samples(x, 2, dim=1)
    assert packed.shape == (4, 3, 12)
    torch.testing.assert_close(packed[1, 2], torch.cat((x[1, 4].flatten(), x[1, 5].flatten())))


def test_real_and_generated_samples_never_share_a_pack():
    real, fake = torch.zeros(4, 2), torch.ones(4, 2)
    packed = pack_samples(torch.cat((real, fake)), 2)
    assert packed[:2].eq(0).all() and packed[2:].eq(1).all()


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((torch.zeros(5, 2), 2), ValueError, r"\(5, along dim 0 .*\) must be a multiple of pack=2"),
        ((torch.zeros(4, 2), 0), ValueError, r"pack must be >= 1"),
        ((torch.zeros(4, 2), 1.5), TypeError, r"pack must be an int"),
        (([[0.0]], 1), TypeError, r"x must be a tensor"),
    ],
)
def test_bad_input_is_refused(args, error, message):
    with pytest.raises(error, match=message):
        pack_samples(*args)


class Recording(nn.Module):
    """A discriminator that keeps the inputs it was given."""

    def __init__(self, net):
        super().__init__()
        self.net, self.inputs = net, []

    def forward(self, x):
        self.inputs.append(x.detach().clone())
        return self.net(x)


def test_train_feeds_the_discriminator_packs_of_batch_size_and_draws_pack_times_more():
    rng = torch.Generator().manual_seed(0)
    g = generator(2, 2, (8,), output=None, rng=rng)
    d = Recording(discriminator(6, (8,), rng=rng))
    config = TrainConfig(steps=3, batch_size=5, pack=3, latent_dim=2, optimizer="adam",
                         discriminator_lr=1e-3, generator_lr=1e-3)  # fmt: skip
    history = train(g, d, ring_of_gaussians(), config)
    assert len(history) == 3
    steps = [x for x in d.inputs if x.shape[0] != 4]  # without the 4 rows of the shape probe
    assert [tuple(x.shape) for x in steps] == [(10, 6), (5, 6)] * 3  # D's step, then G's
    # The first half of D's batch are packs of 3 data samples: on the ring, each sample has
    # norm 1 to within the modes' standard deviation 0.01.
    norms = steps[0][:5].reshape(5, 3, 2).norm(dim=-1)
    torch.testing.assert_close(norms, torch.ones(5, 3), atol=0.05, rtol=0)


def test_a_discriminator_of_the_unpacked_width_is_refused_with_the_fix():
    rng = torch.Generator().manual_seed(0)
    g, d = generator(2, 2, (8,), rng=rng), discriminator(2, (8,), rng=rng)
    with pytest.raises(ValueError, match=r"With pack=2.*ganlib.discriminator\(2 \* data_dim"):
        train(g, d, ring_of_gaussians(), TrainConfig(steps=1, batch_size=4, pack=2, latent_dim=2))
