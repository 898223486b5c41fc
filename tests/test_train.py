import dataclasses
import math

import pytest
import torch
from torch.nn.functional import softplus

import ganlib
from ganlib import (
    GaussianMixture1d,
    Noise,
    Run,
    TrainingDivergedError,
    discriminator,
    init_weights,
    load_checkpoint,
    optimal_discriminator,
    train,
    train_discriminator,
)
from ganlib.checkpoint import CheckpointError
from ganlib.distributions import Gaussian1d
from ganlib.history import READBACK_EVERY
from ganlib.run import SNAPSHOT_SAMPLES


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
        ({"steps": 0}, ValueError, "steps must be >= 1; got 0"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be an int; got float 2.5"),
        ({"generator": 0}, TypeError, "generator must be a CPU torch.Generator"),
        ({"real_label": 0.0}, ValueError, r"real_label must be a finite number in \(0, 1\]"),
        ({"lr_decay_steps": 5}, TypeError, "lr_decay_steps must be a tuple of ints"),
        ({"lr_decay_steps": (0,)}, ValueError, "lr_decay_steps must be >= 1; got 0"),
        ({"lr_decay": 1.5}, ValueError, r"lr_decay must be a finite number in \(0, 1\]"),
        ({"snapshot": 3}, TypeError, "snapshot must be callable as snapshot"),
        ({"snapshot_steps": (1,)}, ValueError, "snapshot_steps needs a snapshot function"),
        ({"snapshot_steps": 1}, TypeError, "snapshot_steps must be a tuple of ints"),
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


# --- Algorithm 1: ganlib.train ---------------------------------------------------------------


def test_smoke_run_is_deterministic_and_leaves_the_global_rng_alone(
    toy_networks, toy_data, small_config, assert_same_run
):
    runs = []
    for _ in range(2):
        g, d = toy_networks(dropout=0.2)  # dropout draws from the global RNG, which train forks
        state = torch.get_rng_state()
        history = train(g, d, toy_data, small_config(snapshot_steps=(0, 5, 12)))
        assert torch.equal(torch.get_rng_state(), state)
        runs.append((g, d, history))
    (g1, d1, h1), (g2, d2, h2) = runs
    assert_same_run(h1, h2)
    assert_same_run(g1, g2)
    assert_same_run(d1, d2)
    assert len(h1) == 12 and h1.d_real.shape == (12,) and h1.d_real.device.type == "cpu"
    assert h1.snapshots[0].shape == (SNAPSHOT_SAMPLES, 1)
    assert ((h1.d_real > 0) & (h1.d_real < 1)).all() and ((h1.d_fake > 0) & (h1.d_fake < 1)).all()
    other = train(*toy_networks(), toy_data, small_config(seed=1))
    assert not torch.equal(other.discriminator_loss, h1.discriminator_loss)


def test_history_records_the_losses_the_config_names(toy_networks, toy_data, small_config):
    g, d = toy_networks()
    minimax = train(g, d, toy_data, small_config())
    # log(1 - D(G(z))) <= 0 and -log D(G(z)) >= 0: the record shows which loss G descended.
    assert (minimax.generator_loss <= 0).all()
    nonsaturating = train(*toy_networks(), toy_data, small_config(generator_loss="nonsaturating"))
    assert (nonsaturating.generator_loss >= 0).all()
    # The discriminator's loss is -V estimated on the batch, at least 0.
    assert (minimax.discriminator_loss >= 0).all()


def test_recorded_figures_match_a_direct_computation_of_the_first_step(
    toy_networks, toy_data, small_config
):
    # Redo step 0 by hand, with the draws train makes in the order it makes them.
    config = small_config(steps=1, k=1)
    g, d = toy_networks()
    g0, d0 = toy_networks()
    history = train(g, d, toy_data, config)
    rng = torch.Generator().manual_seed(config.seed)
    torch.randint(2**62, (2,), generator=rng)  # the seeds of the fixed noise and dropout
    z = Noise(config.latent_dim, config.noise).sample((16,), rng)
    x = toy_data.sample((16,), rng, dtype=torch.float32)
    with torch.no_grad():
        real, fake = d0(x), d0(g0(z))
    expected_loss = -(
        torch.log(torch.sigmoid(real)).mean() + torch.log1p(-torch.sigmoid(fake)).mean()
    )
    assert torch.allclose(history.discriminator_loss[0], expected_loss, atol=1e-6)
    assert torch.allclose(history.d_real[0], torch.sigmoid(real).mean(), atol=1e-6)
    assert torch.allclose(history.d_fake[0], torch.sigmoid(fake).mean(), atol=1e-6)


def test_a_plain_loop_drawing_in_the_documented_order_reproduces_the_run(
    toy_networks, toy_data, small_config
):
    # train's docstring states the order of its random draws; Algorithm 1 written in plain
    # PyTorch with that order ends where train ends, up to float rounding.
    config = small_config(
        steps=5, k=2, noise="uniform", optimizer="adam", generator_lr=1e-2, discriminator_lr=1e-2
    )
    g, d = toy_networks()
    train(g, d, toy_data, config)
    own_g, own_d = toy_networks()
    m = config.batch_size
    rng = torch.Generator().manual_seed(config.seed)
    torch.randint(2**62, (2,), generator=rng)
    d_opt = torch.optim.Adam(own_d.parameters(), lr=1e-2, betas=config.adam_betas)
    g_opt = torch.optim.Adam(own_g.parameters(), lr=1e-2, betas=config.adam_betas)

    def noise():
        return (2 * torch.rand((m, 1), generator=rng) - 1) * math.sqrt(3.0)

    for _ in range(config.steps):
        for _ in range(config.k):
            z = noise()
            x = toy_data.sample((m,), rng, dtype=torch.float32)
            with torch.no_grad():
                fake = own_g(z)
            d_loss = softplus(-own_d(x)).mean() + softplus(own_d(fake)).mean()
            d_opt.zero_grad()
            d_loss.backward()
            d_opt.step()
        g_loss = -softplus(own_d(own_g(noise()))).mean()  # log(1 - D(G(z)))
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()

    def largest_difference(first, second):
        pairs = zip(first, second, strict=True)
        return max(float((a - b).detach().abs().max()) for a, b in pairs)

    library, own = [*g.parameters(), *d.parameters()], [*own_g.parameters(), *own_d.parameters()]
    assert largest_difference(library, own) < 1e-6
    assert largest_difference(g.parameters(), toy_networks()[0].parameters()) > 1e-3


def test_k_discriminator_steps_change_the_run(toy_networks, toy_data, small_config):
    one = train(*toy_networks(), toy_data, small_config(k=1))
    three = train(*toy_networks(), toy_data, small_config(k=3))
    assert len(three) == len(one) == 12
    assert not torch.equal(one.d_real, three.d_real)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_an_interrupted_run_resumes_bit_for_bit(
    tmp_path, optimizer, toy_networks, toy_data, small_config, assert_same_run
):
    lr = {"discriminator_lr": 1e-3, "generator_lr": 1e-3} if optimizer == "adam" else {}
    config = small_config(steps=30, optimizer=optimizer, snapshot_steps=(0, 10, 20, 30), **lr)
    g_full, d_full = toy_networks(dropout=0.3)
    full = train(g_full, d_full, toy_data, config)

    path = tmp_path / "run.pt"
    g_first, d_first = toy_networks(dropout=0.3)
    train(g_first, d_first, toy_data, dataclasses.replace(config, steps=13), checkpoint_path=path)
    g_resumed, d_resumed = toy_networks(
        seed=5, dropout=0.3
    )  # other weights: all come from the file
    resumed = train(g_resumed, d_resumed, toy_data, config, checkpoint_path=path, resume=True)

    assert_same_run(g_full, g_resumed)
    assert_same_run(d_full, d_resumed)
    assert_same_run(full, resumed)
    saved = torch.load(path, weights_only=True)  # primitives and tensors only
    assert saved["step"] == 30 and saved["config"]["optimizer"] == optimizer


def test_periodic_checkpoints_and_resuming_from_a_given_path(
    tmp_path, toy_networks, toy_data, small_config
):
    path = tmp_path / "run.pt"
    on_disk = []  # the step of the checkpoint file, read while the run goes on

    def look(generator, discriminator, step):
        on_disk.append(load_checkpoint(path)["step"] if path.exists() else None)
        return torch.zeros(1)

    config = small_config(steps=25, checkpoint_every=10, snapshot_steps=(9, 10, 21))
    train(*toy_networks(), toy_data, config, checkpoint_path=path, snapshot=look)
    assert on_disk == [None, 10, 20]  # saved after steps 10 and 20
    assert load_checkpoint(path)["step"] == 25
    g, d = toy_networks()
    history = train(g, d, toy_data, small_config(steps=30), resume=path)  # resume from a path
    assert len(history) == 30


def test_snapshots_do_not_change_the_trajectory(
    toy_networks, toy_data, small_config, assert_same_run
):
    g1, d1 = toy_networks(dropout=0.3)
    train(g1, d1, toy_data, small_config())
    g2, d2 = toy_networks(dropout=0.3)
    calls = []

    def snapshot(generator, discriminator, step):
        calls.append((step, generator.training, discriminator.training, torch.is_grad_enabled()))
        torch.rand(3)  # the global RNG is restored afterwards
        return {"samples": generator(torch.zeros(4, 1)), "d": discriminator(torch.zeros(2, 1))}

    history = train(
        g2, d2, toy_data, small_config(snapshot_steps=(0, 6, 12, 99)), snapshot=snapshot
    )
    assert_same_run(g1, g2)
    assert_same_run(d1, d2)
    assert [c[0] for c in calls] == [0, 6, 12]  # 99 lies beyond steps: never reached
    assert all(c[1:] == (False, False, False) for c in calls)  # eval mode, no gradients
    assert history.snapshots[6]["samples"].shape == (4, 1)


def test_learning_rates_decay_after_the_scheduled_steps(toy_networks, toy_data, small_config):
    config = small_config(steps=9, k=2, lr_decay_steps=(6, 3), lr_decay=0.5, generator_lr=0.08)
    assert config.lr_decay_steps == (3, 6)
    run = Run(*toy_networks(), toy_data, config)
    rates = []  # the rates each iteration of the run trains with
    with run:
        for _ in run.iterations():
            rates.append(
                tuple(
                    run.optimizers[who].param_groups[0]["lr"]
                    for who in ("generator", "discriminator")
                )
            )
            run.record(torch.zeros(()), torch.zeros(2, 1), torch.zeros(()))
    factors = [1.0] * 3 + [0.5] * 3 + [0.25] * 3  # iterations 0-2, 3-5, 6-8
    assert rates == [(0.08 * f, 0.05 * f) for f in factors]
    assert run.step == 9 and len(run.history) == 9


def test_a_decay_after_the_last_step_changes_nothing_and_a_tiny_one_freezes_the_run(
    toy_networks, toy_data, small_config, assert_same_run
):
    plain_g, plain_d = toy_networks()
    plain = train(plain_g, plain_d, toy_data, small_config())
    late_g, late_d = toy_networks()
    late = train(late_g, late_d, toy_data, small_config(lr_decay_steps=(12,), lr_decay=1e-9))
    assert_same_run(plain, late)
    assert_same_run(plain_g, late_g)
    # Decayed to 1e-9 of the rate after 6 steps, the last 6 steps barely move the weights.
    six_g, _ = toy_networks()
    train(six_g, toy_networks()[1], toy_data, small_config(steps=6))
    frozen_g, _ = toy_networks()
    train(frozen_g, toy_networks()[1], toy_data, small_config(lr_decay_steps=(6,), lr_decay=1e-9))

    def largest_change(first, second):
        pairs = zip(first.parameters(), second.parameters(), strict=True)
        return max(float((a - b).detach().abs().max()) for a, b in pairs)

    assert largest_change(frozen_g, six_g) < 1e-8 < largest_change(plain_g, six_g)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_run_resumed_across_a_decay_follows_the_schedule(
    tmp_path, optimizer, toy_networks, toy_data, small_config, assert_same_run
):
    lr = {"discriminator_lr": 1e-3, "generator_lr": 1e-3} if optimizer == "adam" else {}
    config = small_config(steps=20, optimizer=optimizer, lr_decay_steps=(8, 14), lr_decay=0.3, **lr)
    g_full, d_full = toy_networks()
    full = train(g_full, d_full, toy_data, config)
    path = tmp_path / "run.pt"
    first = dataclasses.replace(config, steps=11)  # one decay done, the second to come
    train(*toy_networks(), toy_data, first, checkpoint_path=path)
    g, d = toy_networks(seed=4)  # other weights: all come from the file
    resumed = train(g, d, toy_data, config, checkpoint_path=path, resume=True)
    assert_same_run(full, resumed)
    assert_same_run(g_full, g)
    assert_same_run(d_full, d)


def test_stop_when_ends_the_run_at_the_first_snapshot_that_satisfies_it(
    tmp_path, toy_networks, toy_data, small_config, assert_same_run
):
    calls = []

    def stop_when(samples, step):
        calls.append(step)
        return step >= 8

    config = small_config(steps=20, snapshot_steps=(0, 4, 8, 12, 20))
    g, d = toy_networks()
    path = tmp_path / "run.pt"
    stopped = train(g, d, toy_data, config, stop_when=stop_when, checkpoint_path=path)
    assert calls == [0, 4, 8]
    assert len(stopped) == 8 and sorted(stopped.snapshots) == [0, 4, 8]
    # The same as a run of 8 steps: stopping early changes nothing before the stop.
    g8, d8 = toy_networks()
    eight = train(g8, d8, toy_data, dataclasses.replace(config, steps=8))
    assert_same_run(eight, stopped)
    assert_same_run(g8, g)
    assert_same_run(d8, d)
    assert torch.load(path, weights_only=True)["step"] == 8
    # Never satisfied: every snapshot is offered, the final one included, and the run ends.
    calls.clear()
    whole = train(
        *toy_networks(), toy_data, config, stop_when=lambda samples, step: calls.append(step)
    )
    assert calls == [0, 4, 8, 12, 20] and len(whole) == 20


def test_stop_when_sees_what_the_snapshot_function_returns(toy_networks, toy_data, small_config):
    def coverage_like(generator, discriminator, step):
        return {"mean": generator(torch.zeros(1, 1)).mean(), "step": torch.tensor(step)}

    seen = []
    train(
        *toy_networks(),
        toy_data,
        small_config(snapshot_steps=(3, 6)),
        snapshot=coverage_like,
        stop_when=lambda value, step: seen.append((sorted(value), int(value["step"]), step)),
    )
    assert seen == [(["mean", "step"], 3, 3), (["mean", "step"], 6, 6)]


def test_modes_and_frozen_parameters_are_restored(toy_networks, toy_data, small_config):
    g, d = toy_networks(dropout=0.3)
    d.eval()
    frozen = d[0].bias
    frozen.requires_grad_(False)
    before = frozen.detach().clone()
    train(g, d, toy_data, small_config())
    assert not d.training and g.training
    assert not frozen.requires_grad and torch.equal(frozen, before)
    assert all(p.requires_grad for n, p in d.named_parameters() if n != "0.bias")


class PoisonedGenerator(torch.nn.Module):
    """A generator whose output turns NaN in the generator's step of iteration ``bad``."""

    def __init__(self, network: torch.nn.Module, bad: int) -> None:
        super().__init__()
        self.network, self.bad, self.steps = network, bad, 0

    def forward(self, z):
        x = self.network(z)
        if torch.is_grad_enabled():  # G's own step (D's steps run G without gradients)
            self.steps += 1
            if self.steps == self.bad + 1:
                return x * math.nan
        return x


def test_a_nan_loss_stops_training_naming_the_step_and_the_quantity(
    toy_networks, toy_data, small_config
):
    bad = READBACK_EVERY + 20  # the bad step lies in the second chunk read back
    g, d = toy_networks()
    with pytest.raises(
        TrainingDivergedError, match=f"the generator loss became nan at step {bad}"
    ) as info:
        train(PoisonedGenerator(g, bad), d, toy_data, small_config(steps=bad + 20))
    assert info.value.step == bad and info.value.quantity == "the generator loss"
    assert len(info.value.history) == bad and torch.isfinite(info.value.history.d_real).all()
    assert isinstance(info.value, FloatingPointError)


def test_a_huge_learning_rate_is_caught(toy_networks, toy_data, small_config):
    config = small_config(steps=20, discriminator_lr=1e6, generator_lr=1e6, momentum=0.9)
    with pytest.raises(
        TrainingDivergedError, match=r"became (nan|inf|-inf) at step \d+ \(of 20\)"
    ) as info:
        train(*toy_networks(), toy_data, config)
    assert len(info.value.history) == info.value.step


def test_a_parameter_that_is_not_finite_is_caught(toy_networks, toy_data, small_config):
    g, d = toy_networks()
    g.register_parameter("unused", torch.nn.Parameter(torch.zeros(2)))  # no gradient, no update

    def poison(generator, discriminator, step):
        generator.unused.fill_(math.inf)
        return torch.zeros(1)

    with pytest.raises(TrainingDivergedError, match="the generator parameter 'unused' became inf"):
        train(g, d, toy_data, small_config(snapshot_steps=(3,)), snapshot=poison)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda g, d, toy_data, small_config: train("g", d, toy_data, small_config()),
            TypeError,
            "generator must be a torch.nn.Module",
        ),
        (
            lambda g, d, toy_data, small_config: train(g, d, [1.0], small_config()),
            TypeError,
            "p_data must have a sample",
        ),
        (
            lambda g, d, toy_data, small_config: train(g, d, toy_data, {"steps": 3}),
            TypeError,
            "config must be a TrainConfig",
        ),
        (
            lambda g, d, toy_data, small_config: train(g, d, toy_data, small_config(latent_dim=3)),
            ValueError,
            "config.latent_dim must be the generator's input width; got latent_dim=3",
        ),
        (
            lambda g, d, toy_data, small_config: train(g, d.double(), toy_data, small_config()),
            ValueError,
            "generator and discriminator must share a device and dtype",
        ),
        (
            lambda g, d, toy_data, small_config: train(
                g, torch.nn.Sequential(torch.nn.BatchNorm1d(1), d), toy_data, small_config()
            ),
            ValueError,
            "must not use batch statistics",
        ),
        (
            lambda g, d, toy_data, small_config: train(
                g, d, toy_data, small_config(checkpoint_every=5)
            ),
            ValueError,
            "checkpoint_path must be given when config.checkpoint_every is set",
        ),
        (
            lambda g, d, toy_data, small_config: train(g, d, toy_data, small_config(), resume=True),
            ValueError,
            "resume=True needs checkpoint_path",
        ),
        (
            lambda g, d, toy_data, small_config: train(g, d, toy_data, small_config(), resume=3),
            TypeError,
            "resume must be False, True or a checkpoint path",
        ),
        (
            lambda g, d, toy_data, small_config: train(g, d, toy_data, small_config(), snapshot=3),
            TypeError,
            "snapshot must be callable",
        ),
        (
            lambda g, d, toy_data, small_config: train(
                g, d, toy_data, small_config(snapshot_steps=(0,)), snapshot=lambda *a: [1]
            ),
            TypeError,
            "snapshot must return a tensor or a dict of tensors; got list at step 0",
        ),
        (
            lambda g, d, toy_data, small_config: train(
                g, d, toy_data, small_config(), stop_when=0.9
            ),
            TypeError,
            r"stop_when must be callable as stop_when\(snapshot, step\) or None; got float",
        ),
    ],
)
def test_bad_train_arguments_are_clear_errors(
    call, error, match, toy_networks, toy_data, small_config
):
    with pytest.raises(error, match=match):
        call(*toy_networks(), toy_data, small_config)


def _ring_pair(latent_dim: int, data_dim: int):
    rng = torch.Generator().manual_seed(0)
    g = init_weights(ganlib.generator(latent_dim, data_dim, (8,), output=None), generator=rng)
    return g, init_weights(discriminator(data_dim, (8,)), generator=rng)


@pytest.mark.parametrize(
    ("build", "p_data", "error", "match"),
    [
        (
            lambda tmp: (*_ring_pair(1, 2)[:1], discriminator(1, (8,))),
            Gaussian1d(0.0, 1.0),
            ValueError,
            r"generator must return samples of p_data's shape \(m, 1\); got shape \(2, 2\) "
            r"for noise of shape \(2, 1\), where p_data Gaussian1d\(loc=0.0, scale=1.0\) draws",
        ),
        (
            lambda tmp: _ring_pair(1, 1),
            ganlib.ring_of_gaussians(),
            ValueError,
            r"generator must return samples of p_data's shape \(m, 2\); got shape \(2, 1\).* "
            r"e\.g\. ganlib\.generator\(latent_dim, 2, hidden\)",
        ),
        (
            lambda tmp: (_ring_pair(1, 2)[0], discriminator(1, (8,))),
            ganlib.ring_of_gaussians(),
            ValueError,
            r"discriminator must take a batch of shape \(4, 2\); calling it raised RuntimeError",
        ),
        (
            lambda tmp: (_ring_pair(1, 1)[0], torch.nn.Linear(1, 2)),
            Gaussian1d(0.0, 1.0),
            ValueError,
            r"discriminator must return one logit per sample, shape \(4, 1\) for a batch of "
            r"shape \(4, 1\); got shape \(4, 2\)",
        ),
        (
            lambda tmp: (*_ring_pair(1, 1), {"checkpoint_path": tmp / "no" / "run.pt"}),
            Gaussian1d(0.0, 1.0),
            FileNotFoundError,
            "the folder of checkpoint_path must exist",
        ),
        (
            lambda tmp: (*_ring_pair(1, 1), {"checkpoint_path": tmp}),
            Gaussian1d(0.0, 1.0),
            ValueError,
            "checkpoint_path must be the path of a file; got .*, which is a folder",
        ),
        (
            lambda tmp: (*_ring_pair(1, 1), {"checkpoint_path": 12}),
            Gaussian1d(0.0, 1.0),
            TypeError,
            "checkpoint_path must be a str or os.PathLike; got int 12",
        ),
        (
            lambda tmp: (*_ring_pair(1, 1), {"progress": "yes"}),
            Gaussian1d(0.0, 1.0),
            TypeError,
            "progress must be a bool; got str 'yes'",
        ),
    ],
)
def test_networks_and_paths_that_do_not_fit_fail_before_the_first_step(
    tmp_path, small_config, build, p_data, error, match
):
    g, d, *options = build(tmp_path)
    g.eval()  # the check puts them in eval mode and back
    steps = []
    d.register_forward_pre_hook(lambda module, args: steps.append(torch.is_grad_enabled()))
    before = torch.get_rng_state()
    with pytest.raises(error, match=match):
        train(g, d, p_data, small_config(checkpoint_every=0), **(options[0] if options else {}))
    assert not any(steps)  # D was called, if at all, only without gradients: no step taken
    assert torch.equal(torch.get_rng_state(), before) and not g.training and d.training


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (
            {"p_g": ganlib.ring_of_gaussians()},
            ValueError,
            r"p_g must draw samples of p_data's shape \(1,\); got \(2,\)",
        ),
        (
            {
                "discriminator": (two := torch.nn.Linear(1, 2)),
                "optimizer": torch.optim.SGD(two.parameters(), lr=0.1),
            },
            ValueError,
            r"discriminator must return one logit per sample, shape \(2, 1\)",
        ),
        (
            {"optimizer": torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=0.1)},
            ValueError,
            "optimizer must update the discriminator's parameters; got an optimizer of other",
        ),
        (
            {"discriminator": torch.nn.Sequential()},
            ValueError,
            "discriminator must have floating-point parameters to train; got none",
        ),
    ],
)
def test_train_discriminator_checks_that_the_network_fits_the_data(change, error, match):
    net = init_weights(discriminator(1, (8,)), generator=torch.Generator().manual_seed(0))
    arguments = {
        "discriminator": net,
        "optimizer": torch.optim.SGD(net.parameters(), lr=0.1),
        "p_data": Gaussian1d(0.0, 1.0),
        "p_g": Gaussian1d(1.0, 1.0),
        **change,
    }
    seed = torch.Generator().manual_seed(1)
    before = seed.get_state()
    with pytest.raises(error, match=match):
        train_discriminator(**arguments, steps=3, batch_size=4, generator=seed)
    assert torch.equal(seed.get_state(), before)  # the check draws from its own generator


def test_resuming_checks_the_checkpoint_fits_the_run(
    tmp_path, toy_networks, toy_data, small_config
):
    path = tmp_path / "run.pt"
    train(*toy_networks(), toy_data, small_config(steps=10), checkpoint_path=path)
    with pytest.raises(ValueError, match=r"config\.k must match the checkpoint's"):
        train(*toy_networks(), toy_data, small_config(k=2), checkpoint_path=path, resume=True)
    with pytest.raises(ValueError, match=r"config\.steps must be at least the checkpoint's step"):
        train(*toy_networks(), toy_data, small_config(steps=5), checkpoint_path=path, resume=True)
    mixture = GaussianMixture1d([0.5, 0.5], [-1.0, 1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="p_data must be the checkpoint's"):
        train(*toy_networks(), mixture, small_config(), checkpoint_path=path, resume=True)
    with pytest.raises(ValueError, match="must have the architecture of the checkpoint's"):
        train(
            *toy_networks(hidden=(4,)), toy_data, small_config(), checkpoint_path=path, resume=True
        )
    with pytest.raises(FileNotFoundError, match="does not exist"):
        train(*toy_networks(), toy_data, small_config(), resume=tmp_path / "missing.pt")
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        train(*toy_networks(), toy_data, small_config(), checkpoint_path=path, resume=True)


def test_resuming_at_the_end_returns_the_saved_history(
    tmp_path, toy_networks, toy_data, small_config, assert_same_run
):
    path = tmp_path / "run.pt"
    first = train(*toy_networks(), toy_data, small_config(), checkpoint_path=path)
    again = train(*toy_networks(), toy_data, small_config(), checkpoint_path=path, resume=True)
    assert_same_run(first, again)


def test_progress_bar_goes_to_stderr(capsys, toy_networks, toy_data, small_config):
    train(*toy_networks(), toy_data, small_config(), progress=True)
    assert "train" in capsys.readouterr().err
    train(*toy_networks(), toy_data, small_config())
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU; none is present")
def test_cuda_run_matches_the_cpu_run(toy_networks, toy_data, small_config):
    cuda = torch.device("cuda")
    config = small_config(steps=5)
    cpu_history = train(*toy_networks(), toy_data, config)
    g, d = toy_networks()
    before = torch.get_rng_state()
    history = train(g.to(cuda), d.to(cuda), toy_data, config)  # the same data: drawn on the CPU
    assert torch.equal(torch.get_rng_state(), before)
    assert next(g.parameters()).device.type == "cuda"
    assert history.d_real.device.type == "cpu"
    # Same draws, same weights; only the kernels' rounding differs over 5 steps.
    assert torch.allclose(history.discriminator_loss, cpu_history.discriminator_loss, atol=1e-4)


def test_train_discriminator_follows_the_schedule_and_takes_snapshots():
    net = init_weights(discriminator(1, (8,)), generator=torch.Generator().manual_seed(0))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.2)
    seen = []

    def snapshot(network, step):
        seen.append(
            (step, network.training, torch.is_grad_enabled(), optimizer.param_groups[0]["lr"])
        )

    rates = []
    optimizer.register_step_pre_hook(lambda opt, *_: rates.append(opt.param_groups[0]["lr"]))
    train_discriminator(
        net,
        optimizer,
        Gaussian1d(0.0, 1.0),
        Gaussian1d(1.0, 1.0),
        steps=6,
        batch_size=8,
        generator=torch.Generator().manual_seed(1),
        lr_decay_steps=(2, 4),
        lr_decay=0.5,
        snapshot=snapshot,
        snapshot_steps=(0, 3, 6, 9),
    )
    assert rates == [0.2, 0.2, 0.1, 0.1, 0.05, 0.05]
    assert [s[0] for s in seen] == [0, 3, 6]  # 9 lies beyond the steps
    assert all(not training and not grad for _, training, grad, _ in seen)


def test_train_discriminator_stops_when_the_loss_diverges():
    net = init_weights(discriminator(1, (8,)), generator=torch.Generator().manual_seed(0))
    optimizer = torch.optim.SGD(net.parameters(), lr=1e6, momentum=0.9)
    with pytest.raises(TrainingDivergedError, match=r"train_discriminator: the discriminator "):
        train_discriminator(
            net,
            optimizer,
            Gaussian1d(0.0, 1.0),
            Gaussian1d(1.0, 1.0),
            steps=50,
            batch_size=8,
            generator=torch.Generator().manual_seed(1),
        )


def test_an_older_checkpoint_layout_is_a_clear_error(
    tmp_path, toy_networks, toy_data, small_config
):
    path = tmp_path / "old.pt"
    ganlib.save_checkpoint({"step": 3, "config": small_config().to_dict(), "generator": {}}, path)
    with pytest.raises(CheckpointError, match="older layout"):
        train(*toy_networks(), toy_data, small_config(), resume=path)


def test_train_generator_moves_samples_up_a_frozen_discriminator(toy_networks):
    """Against a fixed D the generator climbs D: mean D(G(z)) rises, D is untouched, and D's
    mode and requires_grad flags come back as they were."""
    g, _ = toy_networks(0)
    d = ganlib.init_weights(
        ganlib.discriminator(1, (8,), dropout=0.2), generator=torch.Generator().manual_seed(1)
    )
    d.train()
    before_d = [p.detach().clone() for p in d.parameters()]
    z = ganlib.Noise(1).sample((500,), torch.Generator().manual_seed(2))
    d.eval()
    with torch.no_grad():
        mean_before = torch.sigmoid(d(g(z))).mean()
    d.train()
    losses = ganlib.train_generator(
        g,
        d,
        torch.optim.Adam(g.parameters(), lr=1e-2),
        ganlib.Noise(1),
        steps=200,
        batch_size=64,
        rng=torch.Generator().manual_seed(3),
        loss="minimax",
    )
    assert losses.shape == (200,) and torch.isfinite(losses).all()
    assert d.training and all(p.requires_grad for p in d.parameters())
    for old, new in zip(before_d, d.parameters(), strict=True):
        assert torch.equal(old, new)
    d.eval()
    with torch.no_grad():
        assert torch.sigmoid(d(g(z))).mean() > mean_before


def test_train_generator_snapshots_and_is_seeded(toy_networks):
    runs = []
    for _ in range(2):
        g, d = toy_networks(4)
        seen = []
        ganlib.train_generator(
            g,
            d,
            torch.optim.SGD(g.parameters(), lr=0.01),
            ganlib.Noise(1, "uniform"),
            steps=5,
            batch_size=8,
            rng=torch.Generator().manual_seed(5),
            snapshot=lambda net, step, seen=seen: seen.append(step),
            snapshot_steps=(0, 5),
        )
        runs.append([p.detach().clone() for p in g.parameters()])
        assert seen == [0, 5]
    for a, b in zip(*runs, strict=True):
        assert torch.equal(a, b)


def test_train_generator_errors(toy_networks):
    g, d = toy_networks()
    optimizer = torch.optim.SGD(g.parameters(), lr=0.01)
    rng = torch.Generator().manual_seed(0)
    noise = ganlib.Noise(1)
    call = dict(steps=2, batch_size=4, rng=rng)
    with pytest.raises(ValueError, match="train_generator: loss must be one of"):
        ganlib.train_generator(g, d, optimizer, noise, loss="wasserstein", **call)
    with pytest.raises(TypeError, match=r"train_generator: noise must be a ganlib\.Noise"):
        ganlib.train_generator(g, d, optimizer, "normal", **call)
    with pytest.raises(TypeError, match="train_generator: optimizer must be"):
        ganlib.train_generator(g, d, None, noise, **call)
    with pytest.raises(ValueError, match="train_generator: optimizer must update the generator"):
        ganlib.train_generator(g, d, torch.optim.SGD(d.parameters(), lr=0.01), noise, **call)
    with pytest.raises(ValueError, match="train_generator: steps must be"):
        ganlib.train_generator(g, d, optimizer, noise, steps=0, batch_size=4, rng=rng)


def test_train_generator_reports_divergence(toy_networks):
    g, d = toy_networks()
    with pytest.raises(ganlib.TrainingDivergedError, match="train_generator: the generator"):
        ganlib.train_generator(
            g,
            d,
            torch.optim.SGD(g.parameters(), lr=1e30),
            ganlib.Noise(1),
            steps=20,
            batch_size=4,
            rng=torch.Generator().manual_seed(0),
            loss="maximum_likelihood",
        )
