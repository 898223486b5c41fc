"""The ensemble is Algorithm 1 for each member: ``ganlib.train`` with the member's seed, from
the same initial weights, ends at the member's parameters; divergence, resume and members as
modules; every error message."""

import copy
import math

import pytest
import torch

import ganlib
from ganlib import (
    Ensemble,
    Gaussian1d,
    Noise,
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


def member_tensors(batched, i):
    """Member i's slices of the stacked parameters and optimizer states."""
    state = batched.state_dict()
    tensors = [*state["parameters"]["generator"], *state["parameters"]["discriminator"]]
    for who in ("generator", "discriminator"):
        tensors += [t for ts in state["optimizers"][who]["state"].values() for t in ts]
    return [t[i].clone() for t in tensors]


def test_a_diverging_member_is_reported_and_frozen_while_the_others_go_on():
    config = TrainConfig(steps=20, batch_size=16, discriminator_lr=0.05, generator_lr=0.05)
    batched = ensemble(config)
    with torch.no_grad():
        batched.discriminator.parameters[-1][1] = math.inf  # member 1's D output bias
    initial = member_tensors(batched, 1)[:6]  # G's parameters
    batched.readback_every = 5
    batched.train(until=5)  # the read-back at step 5 finds member 1's NaN losses from step 0
    assert list(batched.diverged) == [1]
    report = batched.diverged[1]
    assert (report.member, report.seed, report.step) == (1, SEEDS[1], 0)
    assert report.quantity == "the discriminator loss" and not math.isfinite(report.value)
    assert len(batched.histories[1]) == 0 and len(batched.histories[0]) == 5
    frozen = member_tensors(batched, 1)
    assert all(torch.isfinite(t).all() for t in frozen[:6])  # G's parameters stay finite,
    assert not any(torch.equal(a, b) for a, b in zip(initial, frozen[:6], strict=True))  # moving
    batched.train()
    for a, b in zip(frozen, member_tensors(batched, 1), strict=True):  # parameters and state
        torch.testing.assert_close(b, a, rtol=0, atol=0, equal_nan=True)
    assert len(batched.histories[1]) == 0 and len(batched.histories[2]) == 20
    for i in (0, 2):  # the others are untouched by member 1
        g, d = networks(SEEDS[i])
        train(g, d, Gaussian1d(2.0, 0.5), TrainConfig(**{**vars(config), "seed": SEEDS[i]}))
        for single, member in zip((g, d), batched.member(i), strict=True):
            for a, b in zip(single.parameters(), member.parameters(), strict=True):
                torch.testing.assert_close(b, a, rtol=1e-10, atol=1e-12)


def test_a_member_whose_parameters_overflow_is_named():
    config = TrainConfig(steps=4, batch_size=16, discriminator_lr=1e300, generator_lr=1e300)
    batched = ensemble(config, seeds=(0,))
    batched.train()
    report = batched.diverged[0]
    assert report.step < 4 and report.member == 0
    assert len(batched.histories[0]) == report.step


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_an_interrupted_and_resumed_ensemble_ends_bit_for_bit_where_it_would_have(
    tmp_path, optimizer
):
    config = TrainConfig(steps=30, k=2, batch_size=16, optimizer=optimizer,
                         discriminator_lr=1e-2, generator_lr=1e-2, snapshot_steps=(0, 10, 30),
                         lr_decay_steps=(20,))  # fmt: skip
    whole = ensemble(config, dtype=torch.float32)
    whole.train()
    first = ensemble(config, dtype=torch.float32)
    first.train(until=13)
    first.save(tmp_path / "ensemble.pt")
    second = ensemble(config, dtype=torch.float32)
    second.resume(tmp_path / "ensemble.pt")
    assert second.step == 13
    second.train()
    for who in ("generator", "discriminator"):
        for a, b in zip(whole.state_dict()["parameters"][who],
                        second.state_dict()["parameters"][who], strict=True):  # fmt: skip
            assert torch.equal(a, b)
    for a, b in zip(whole.histories, second.histories, strict=True):
        assert torch.equal(a.d_fake, b.d_fake) and torch.equal(a.generator_loss, b.generator_loss)
        assert all(torch.equal(a.snapshots[s], b.snapshots[s]) for s in (0, 10, 30))


def test_a_state_of_another_ensemble_is_refused():
    config = TrainConfig(steps=5, batch_size=16)
    state = ensemble(config).state_dict()
    other = ensemble(config, seeds=(3, 0, 12))
    with pytest.raises(ValueError, match=r"Ensemble.load_state_dict: seeds must be the"):
        other.load_state_dict(state)
    with pytest.raises(ValueError, match=r"load_state_dict: config must be the checkpoint's"):
        ensemble(TrainConfig(steps=5, batch_size=8)).load_state_dict(state)
    with pytest.raises(ganlib.CheckpointError, match=r"must be an ensemble state of layout 1"):
        other.load_state_dict({"run_state": 2})


def test_a_member_taken_out_computes_what_the_member_computes():
    config = TrainConfig(steps=5, batch_size=16, latent_dim=2)
    batched = ensemble(config, latent_dim=2, data_dim=2, output="tanh",
                       p_data=ring_of_gaussians())  # fmt: skip
    batched.train()
    z = torch.randn(3, 7, 2, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    with torch.no_grad():
        fakes, logits = batched.generator(z), batched.discriminator(batched.generator(z))
        for i in range(3):
            g, d = batched.member(i)
            assert isinstance(g, torch.nn.Sequential) and isinstance(g[-1], torch.nn.Tanh)
            torch.testing.assert_close(g(z[i]), fakes[i], rtol=1e-12, atol=1e-14)
            torch.testing.assert_close(d(g(z[i])), logits[i], rtol=1e-12, atol=1e-14)
    with torch.no_grad():
        g[0].weight.add_(1.0)  # a copy: the ensemble is not changed
    torch.testing.assert_close(batched.member(2)[0](z[2]), fakes[2])


def test_the_callers_networks_and_global_rng_are_left_alone():
    g, d = networks(0)
    before = [p.clone() for p in (*g.parameters(), *d.parameters())]
    state = torch.get_rng_state()
    batched = Ensemble([g], [d], Gaussian1d(2.0, 0.5), TrainConfig(steps=3), [0])
    batched.train()
    assert torch.equal(torch.get_rng_state(), state)
    assert all(
        torch.equal(a, b) for a, b in zip(before, (*g.parameters(), *d.parameters()), strict=True)
    )


# --- errors ------------------------------------------------------------------------------


def bad(**changes):
    g, d = networks(0)
    arguments = {"generators": [g], "discriminators": [d], "p_data": Gaussian1d(2.0, 0.5),
                 "config": TrainConfig(steps=3), "seeds": [0]}  # fmt: skip
    arguments.update(changes)
    return arguments


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"generators": networks(0)[0]}, TypeError,
         r"Ensemble: generators must be a list of nn.Module, one per member; got Sequential\. "),
        ({"discriminators": []}, ValueError,
         r"Ensemble: discriminators must hold at least one network; got an empty list\."),
        ({"generators": ["G"]}, TypeError,
         r"Ensemble: generators must be a list of nn.Module; got str at index 0\."),
        ({"discriminators": [networks(0)[1]] * 2}, ValueError,
         r"Ensemble: discriminators must have one network per generator; got 2 "),
        ({"p_data": 3}, TypeError, r"Ensemble: p_data must have a sample\("),
        ({"config": {"steps": 3}}, TypeError, r"Ensemble: config must be a ganlib.TrainConfig"),
        ({"seeds": 0}, TypeError, r"Ensemble: seeds must be a sequence of ints, one per member"),
        ({"seeds": [-1]}, ValueError, r"Ensemble: seeds\[0\] must be in \[0, "),
        ({"seeds": [0, 1]}, ValueError, r"Ensemble: seeds must have one seed per member; got 2"),
        ({"readback_every": 0}, ValueError, r"Ensemble: readback_every must be >= 1; got 0\."),
        ({"discriminators": [discriminator(1, (8,), dropout=0.5).double()]}, ValueError,
         r"Ensemble: discriminators must be MLPs of nn.Linear layers .* got Dropout as layer "
         r"'2'\. Build them with ganlib.discriminator\(...\) without dropout or maxout\."),
        ({"discriminators": [discriminator(1, (8,), activation="maxout").double()]}, ValueError,
         r"got Maxout as layer '0'"),
        ({"generators": [torch.nn.Linear(1, 1).double()]}, ValueError,
         r"Ensemble: generators must be nn.Sequential MLPs with at least one nn.Linear; got "
         r"Linear\."),
        ({"generators": [networks(0)[0], generator(1, 1, (9, 8), output=None).double()],
          "discriminators": [networks(0)[1]] * 2, "seeds": [0, 1]}, ValueError,
         r"Ensemble: generators must all have one architecture; got generators\[1\] = "),
        ({"discriminators": [networks(0)[1].float()]}, ValueError,
         r"Ensemble: discriminators must all be on one device with one floating dtype, "
         r"generators\[0\]'s \(cpu, torch.float64\); got discriminators\[0\] with a parameter "
         r"on \(cpu, torch.float32\)\."),
        ({"config": TrainConfig(latent_dim=2)}, ValueError,
         r"Ensemble: config.latent_dim must fit the networks, 1; got 2\."),
        ({"p_data": ring_of_gaussians()}, ValueError,
         r"Ensemble: p_data's samples must fit the networks, \(2, 1\); got \(2, 2\)\."),
        ({"discriminators": [discriminator(1, (8,)).double()[:2]]}, ValueError,
         r"Ensemble: the discriminator's outputs must fit the networks, 1; got 8\."),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused_with_a_message(changes, error, message):
    with pytest.raises(error, match=message):
        Ensemble(**bad(**changes))


def test_bad_steps_and_members_are_refused_with_a_message():
    batched = Ensemble(**bad())
    with pytest.raises(ValueError, match=r"Ensemble.train: until must be in \[0, 3\]; got 4\."):
        batched.train(until=4)
    with pytest.raises(TypeError, match=r"Ensemble.member: i must be an int; got str"):
        batched.member("0")
    with pytest.raises(ValueError, match=r"Ensemble.member: i must be in \[0, 0\]; got 1\. "):
        batched.member(1)


def test_a_checkpoint_of_another_run_or_target_or_length_is_refused(tmp_path):
    config = TrainConfig(steps=6, batch_size=16)
    saved = ensemble(config)
    saved.train(until=4)
    state = saved.state_dict()
    with pytest.raises(ValueError, match=r"load_state_dict: p_data must be the checkpoint's"):
        ensemble(config, p_data=Gaussian1d(0.0, 1.0)).load_state_dict(state)
    with pytest.raises(ValueError, match=r"config.steps must be at least the checkpoint's step"):
        ensemble(TrainConfig(steps=3, batch_size=16)).load_state_dict(state)
    with pytest.raises(ValueError, match=r"load_state_dict: parameters must be the checkpoint's"):
        ensemble(config, hidden=(8, 4)).load_state_dict(state)
    g, d = networks(0)
    train(g, d, Gaussian1d(2.0, 0.5), config, checkpoint_path=tmp_path / "single.pt")
    with pytest.raises(ganlib.CheckpointError, match=r"lacks the keys \['ensemble_state'\]"):
        ensemble(config).resume(tmp_path / "single.pt")
    longer = ensemble(TrainConfig(steps=9, batch_size=16, snapshot_steps=(9,)))
    longer.load_state_dict(state)  # steps and snapshot_steps may change on a resume
    longer.train()
    assert longer.step == 9 and len(longer.histories[0]) == 9 and 9 in longer.histories[0].snapshots


@pytest.mark.parametrize("pack", [2, 3])
def test_packed_members_end_where_packed_train_ends(pack):
    config = TrainConfig(steps=20, batch_size=8, optimizer="adam", latent_dim=2, pack=pack,
                         discriminator_lr=1e-3, generator_lr=1e-3, k=2)  # fmt: skip
    pairs = []
    for seed in SEEDS:
        rng = torch.Generator().manual_seed(100 + seed)
        g = generator(2, 2, (8,), output=None, rng=rng).double()
        pairs.append((g, discriminator(2 * pack, (8,), rng=rng).double()))
    copies = [(copy.deepcopy(g), copy.deepcopy(d)) for g, d in pairs]
    batched = Ensemble([g for g, _ in pairs], [d for _, d in pairs], ring_of_gaussians(),
                       config, SEEDS)  # fmt: skip
    batched.train()
    for i, (seed, (g, d)) in enumerate(zip(SEEDS, copies, strict=True)):
        history = train(g, d, ring_of_gaussians(), TrainConfig(**{**vars(config), "seed": seed}))
        for single, member in zip((g, d), batched.member(i), strict=True):
            for a, b in zip(single.parameters(), member.parameters(), strict=True):
                torch.testing.assert_close(b, a, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(batched.histories[i].d_real, history.d_real)


def test_a_packed_ensemble_needs_a_discriminator_of_the_packed_width():
    config = TrainConfig(steps=2, batch_size=8, pack=2)
    with pytest.raises(ValueError, match=r"must fit the networks.*times config.pack"):
        ensemble(config)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("n", [1, 7, 16, 100, 257])  # randn fills 16 at a time from 16 on
def test_members_draw_in_one_tensor_what_each_draws_alone(dtype, n):
    def rngs():
        return [torch.Generator().manual_seed(seed) for seed in (0, 5, 11)]

    samplers = [Noise(d, kind) for d in (1, 3) for kind in ("normal", "uniform")]
    for sampler in [*samplers, Gaussian1d(2.0, 0.5)]:
        together, alone = rngs(), rngs()
        for _ in range(2):  # and the generators are left in the same states
            drawn = sampler._draw_members(together, n, dtype)
            expected = torch.stack([sampler.sample((n,), rng, dtype=dtype) for rng in alone])
            assert torch.equal(drawn, expected.reshape(drawn.shape)), sampler


@pytest.mark.parametrize("against_other", [False, True])
def test_generators_trained_alone_end_where_train_generator_ends(against_other):
    config = TrainConfig(steps=3, batch_size=16, noise="uniform")
    batched = ensemble(config)
    batched.train()
    other = ensemble(config)  # fresh discriminators of the same size
    against = other if against_other else batched
    pairs = [(batched.member(i)[0], against.member(i)[1]) for i in range(batched.size)]
    optimizer = torch.optim.Adam(batched.generator.parameters, lr=1e-2, betas=(0.5, 0.999))
    losses = batched.train_generators(
        optimizer, steps=6, batch_size=8, seeds=(7, 8, 9), against=against
    )
    assert losses.shape == (6, batched.size)
    for i, (g, d) in enumerate(pairs):
        expected = ganlib.train_generator(
            g, d, torch.optim.Adam(g.parameters(), lr=1e-2, betas=(0.5, 0.999)),
            Noise(1, "uniform"), steps=6, batch_size=8, rng=torch.Generator().manual_seed(7 + i),
        )  # fmt: skip
        torch.testing.assert_close(losses[:, i], expected, rtol=1e-5, atol=1e-6)
        x = torch.linspace(-1, 1, 5, dtype=torch.float64)[:, None]
        torch.testing.assert_close(batched.member(i)[0](x), g(x))
    assert all(p.requires_grad for p in against.discriminator.parameters)  # unfrozen after


def test_training_generators_alone_refuses_bad_arguments():
    batched = ensemble(TrainConfig(steps=1, batch_size=8))
    optimizer = torch.optim.SGD(batched.generator.parameters, lr=0.1)
    with pytest.raises(ValueError, match="must have 3 members"):
        batched.train_generators(optimizer, steps=1, batch_size=4, seeds=range(3), loss="hinge")
    with pytest.raises(TypeError, match=r"torch\.optim\.Optimizer"):
        batched.train_generators("adam", steps=1, batch_size=4, seeds=range(3))
