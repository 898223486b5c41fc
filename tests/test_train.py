import dataclasses
import importlib
import math

import pytest
import torch

import ganlib
from ganlib import GaussianMixture1d, discriminator, generator, init_weights, optimal_discriminator
from ganlib.checkpoint import CheckpointError
from ganlib.distributions import Gaussian1d
from ganlib.train import (
    History,
    TrainConfig,
    TrainingDivergedError,
    sample_noise,
    train,
    train_discriminator,
)

# ganlib.train is the function (the flat API); the module that holds it is reached by name.
train_module = importlib.import_module("ganlib.train")


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


# --- Algorithm 1: ganlib.train ---------------------------------------------------------------

P_DATA = Gaussian1d(2.0, 0.5)


def networks(seed: int = 0, *, dropout: float = 0.0, hidden=(8,)):
    rng = torch.Generator().manual_seed(seed)
    g = init_weights(generator(1, 1, hidden, output=None), generator=rng)
    d = init_weights(discriminator(1, hidden, dropout=dropout), generator=rng)
    return g, d


def small(**changes) -> TrainConfig:
    return TrainConfig(
        **{"steps": 12, "batch_size": 16, "discriminator_lr": 0.05, "generator_lr": 0.05, **changes}
    )


def assert_same_parameters(first: torch.nn.Module, second: torch.nn.Module) -> None:
    for (name, a), (_, b) in zip(first.named_parameters(), second.named_parameters(), strict=True):
        assert torch.equal(a, b), name


def assert_same_history(first: History, second: History) -> None:
    for name in ("discriminator_loss", "d_real", "d_fake", "generator_loss"):
        assert torch.equal(getattr(first, name), getattr(second, name)), name
    assert first.snapshots.keys() == second.snapshots.keys()
    for step, value in first.snapshots.items():
        assert torch.equal(value, second.snapshots[step]), step


def test_smoke_run_is_deterministic_and_leaves_the_global_rng_alone():
    runs = []
    for _ in range(2):
        g, d = networks(dropout=0.2)  # dropout draws from the global RNG, which train forks
        state = torch.get_rng_state()
        history = train(g, d, P_DATA, small(snapshot_steps=(0, 5, 12)))
        assert torch.equal(torch.get_rng_state(), state)
        runs.append((g, d, history))
    (g1, d1, h1), (g2, d2, h2) = runs
    assert_same_history(h1, h2)
    assert_same_parameters(g1, g2)
    assert_same_parameters(d1, d2)
    assert len(h1) == 12 and h1.d_real.shape == (12,) and h1.d_real.device.type == "cpu"
    assert h1.snapshots[0].shape == (train_module.SNAPSHOT_SAMPLES, 1)
    assert ((h1.d_real > 0) & (h1.d_real < 1)).all() and ((h1.d_fake > 0) & (h1.d_fake < 1)).all()
    other = train(*networks(), P_DATA, small(seed=1))
    assert not torch.equal(other.discriminator_loss, h1.discriminator_loss)


def test_history_records_the_losses_the_config_names():
    g, d = networks()
    minimax = train(g, d, P_DATA, small())
    # log(1 - D(G(z))) <= 0 and -log D(G(z)) >= 0: the record shows which loss G descended.
    assert (minimax.generator_loss <= 0).all()
    nonsaturating = train(*networks(), P_DATA, small(generator_loss="nonsaturating"))
    assert (nonsaturating.generator_loss >= 0).all()
    # The discriminator's loss is -V estimated on the batch, at least 0.
    assert (minimax.discriminator_loss >= 0).all()


def test_recorded_figures_match_a_direct_computation_of_the_first_step():
    # Redo step 0 by hand, with the draws train makes in the order it makes them.
    config = small(steps=1, k=1)
    g, d = networks()
    g0, d0 = networks()
    history = train(g, d, P_DATA, config)
    rng = torch.Generator().manual_seed(config.seed)
    torch.randint(2**62, (2,), generator=rng)  # the seeds of the fixed noise and dropout
    z = sample_noise(16, config, rng)
    x = P_DATA.sample((16,), rng, dtype=torch.float32)
    with torch.no_grad():
        real, fake = d0(x), d0(g0(z))
    expected_loss = -(
        torch.log(torch.sigmoid(real)).mean() + torch.log1p(-torch.sigmoid(fake)).mean()
    )
    assert torch.allclose(history.discriminator_loss[0], expected_loss, atol=1e-6)
    assert torch.allclose(history.d_real[0], torch.sigmoid(real).mean(), atol=1e-6)
    assert torch.allclose(history.d_fake[0], torch.sigmoid(fake).mean(), atol=1e-6)


def test_k_discriminator_steps_change_the_run():
    one = train(*networks(), P_DATA, small(k=1))
    three = train(*networks(), P_DATA, small(k=3))
    assert len(three) == len(one) == 12
    assert not torch.equal(one.d_real, three.d_real)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_an_interrupted_run_resumes_bit_for_bit(tmp_path, optimizer):
    lr = {"discriminator_lr": 1e-3, "generator_lr": 1e-3} if optimizer == "adam" else {}
    config = small(steps=30, optimizer=optimizer, snapshot_steps=(0, 10, 20, 30), **lr)
    g_full, d_full = networks(dropout=0.3)
    full = train(g_full, d_full, P_DATA, config)

    path = tmp_path / "run.pt"
    g_first, d_first = networks(dropout=0.3)
    train(g_first, d_first, P_DATA, dataclasses.replace(config, steps=13), checkpoint_path=path)
    g_resumed, d_resumed = networks(seed=5, dropout=0.3)  # other weights: all come from the file
    resumed = train(g_resumed, d_resumed, P_DATA, config, checkpoint_path=path, resume=True)

    assert_same_parameters(g_full, g_resumed)
    assert_same_parameters(d_full, d_resumed)
    assert_same_history(full, resumed)
    saved = torch.load(path, weights_only=True)  # primitives and tensors only
    assert saved["step"] == 30 and saved["config"]["optimizer"] == optimizer


def test_periodic_checkpoints_and_resuming_from_a_given_path(tmp_path, monkeypatch):
    saved_steps = []
    real_save = train_module.save_checkpoint

    def spy(state, path):
        saved_steps.append(state["step"])
        real_save(state, path)

    monkeypatch.setattr(train_module, "save_checkpoint", spy)
    path = tmp_path / "run.pt"
    train(*networks(), P_DATA, small(steps=25, checkpoint_every=10), checkpoint_path=path)
    assert saved_steps == [10, 20, 25]
    g, d = networks()
    history = train(g, d, P_DATA, small(steps=30), resume=path)  # resume from a path
    assert len(history) == 30


def test_snapshots_do_not_change_the_trajectory():
    g1, d1 = networks(dropout=0.3)
    train(g1, d1, P_DATA, small())
    g2, d2 = networks(dropout=0.3)
    calls = []

    def snapshot(generator, discriminator, step):
        calls.append((step, generator.training, discriminator.training, torch.is_grad_enabled()))
        torch.rand(3)  # the global RNG is restored afterwards
        return {"samples": generator(torch.zeros(4, 1)), "d": discriminator(torch.zeros(2, 1))}

    history = train(g2, d2, P_DATA, small(snapshot_steps=(0, 6, 12, 99)), snapshot=snapshot)
    assert_same_parameters(g1, g2)
    assert_same_parameters(d1, d2)
    assert [c[0] for c in calls] == [0, 6, 12]  # 99 lies beyond steps: never reached
    assert all(c[1:] == (False, False, False) for c in calls)  # eval mode, no gradients
    assert history.snapshots[6]["samples"].shape == (4, 1)


def test_learning_rates_decay_after_the_scheduled_steps(monkeypatch):
    seen = []  # (optimizer, its lr) at each optimizer step, through a hook on the optimizers
    real_optimizer = train_module._optimizer

    def spy(network, lr, config, device):
        optimizer = real_optimizer(network, lr, config, device)
        optimizer.register_step_pre_hook(
            lambda opt, args, kwargs: seen.append((id(opt), opt.param_groups[0]["lr"]))
        )
        return optimizer

    monkeypatch.setattr(train_module, "_optimizer", spy)
    config = small(steps=9, k=2, lr_decay_steps=(6, 3), lr_decay=0.5, generator_lr=0.08)
    assert config.lr_decay_steps == (3, 6)
    train(*networks(), P_DATA, config)
    d_id = seen[0][0]  # the discriminator steps first
    d_lrs = [lr for who, lr in seen if who == d_id]
    g_lrs = [lr for who, lr in seen if who != d_id]
    assert len(d_lrs) == 18 and len(g_lrs) == 9  # k = 2 discriminator steps per iteration
    factors = [1.0] * 3 + [0.5] * 3 + [0.25] * 3  # iterations 0-2, 3-5, 6-8
    assert g_lrs == [0.08 * f for f in factors]
    assert d_lrs == [0.05 * f for f in factors for _ in range(2)]


def test_a_decay_after_the_last_step_changes_nothing_and_a_tiny_one_freezes_the_run():
    plain_g, plain_d = networks()
    plain = train(plain_g, plain_d, P_DATA, small())
    late_g, late_d = networks()
    late = train(late_g, late_d, P_DATA, small(lr_decay_steps=(12,), lr_decay=1e-9))
    assert_same_history(plain, late)
    assert_same_parameters(plain_g, late_g)
    # Decayed to 1e-9 of the rate after 6 steps, the last 6 steps barely move the weights.
    six_g, _ = networks()
    train(six_g, networks()[1], P_DATA, small(steps=6))
    frozen_g, _ = networks()
    train(frozen_g, networks()[1], P_DATA, small(lr_decay_steps=(6,), lr_decay=1e-9))

    def largest_change(first, second):
        pairs = zip(first.parameters(), second.parameters(), strict=True)
        return max(float((a - b).detach().abs().max()) for a, b in pairs)

    assert largest_change(frozen_g, six_g) < 1e-8 < largest_change(plain_g, six_g)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_run_resumed_across_a_decay_follows_the_schedule(tmp_path, optimizer):
    lr = {"discriminator_lr": 1e-3, "generator_lr": 1e-3} if optimizer == "adam" else {}
    config = small(steps=20, optimizer=optimizer, lr_decay_steps=(8, 14), lr_decay=0.3, **lr)
    g_full, d_full = networks()
    full = train(g_full, d_full, P_DATA, config)
    path = tmp_path / "run.pt"
    first = dataclasses.replace(config, steps=11)  # one decay done, the second to come
    train(*networks(), P_DATA, first, checkpoint_path=path)
    g, d = networks(seed=4)  # other weights: all come from the file
    resumed = train(g, d, P_DATA, config, checkpoint_path=path, resume=True)
    assert_same_history(full, resumed)
    assert_same_parameters(g_full, g)
    assert_same_parameters(d_full, d)


def test_stop_when_ends_the_run_at_the_first_snapshot_that_satisfies_it(tmp_path):
    calls = []

    def stop_when(samples, step):
        calls.append(step)
        return step >= 8

    config = small(steps=20, snapshot_steps=(0, 4, 8, 12, 20))
    g, d = networks()
    path = tmp_path / "run.pt"
    stopped = train(g, d, P_DATA, config, stop_when=stop_when, checkpoint_path=path)
    assert calls == [0, 4, 8]
    assert len(stopped) == 8 and sorted(stopped.snapshots) == [0, 4, 8]
    # The same as a run of 8 steps: stopping early changes nothing before the stop.
    g8, d8 = networks()
    eight = train(g8, d8, P_DATA, dataclasses.replace(config, steps=8))
    assert_same_history(eight, stopped)
    assert_same_parameters(g8, g)
    assert_same_parameters(d8, d)
    assert torch.load(path, weights_only=True)["step"] == 8
    # Never satisfied: every snapshot is offered, the final one included, and the run ends.
    calls.clear()
    whole = train(*networks(), P_DATA, config, stop_when=lambda samples, step: calls.append(step))
    assert calls == [0, 4, 8, 12, 20] and len(whole) == 20


def test_stop_when_sees_what_the_snapshot_function_returns():
    def coverage_like(generator, discriminator, step):
        return {"mean": generator(torch.zeros(1, 1)).mean(), "step": torch.tensor(step)}

    seen = []
    train(
        *networks(),
        P_DATA,
        small(snapshot_steps=(3, 6)),
        snapshot=coverage_like,
        stop_when=lambda value, step: seen.append((sorted(value), int(value["step"]), step)),
    )
    assert seen == [(["mean", "step"], 3, 3), (["mean", "step"], 6, 6)]


def test_modes_and_frozen_parameters_are_restored():
    g, d = networks(dropout=0.3)
    d.eval()
    frozen = d[0].bias
    frozen.requires_grad_(False)
    before = frozen.detach().clone()
    train(g, d, P_DATA, small())
    assert not d.training and g.training
    assert not frozen.requires_grad and torch.equal(frozen, before)
    assert all(p.requires_grad for n, p in d.named_parameters() if n != "0.bias")


def test_a_nan_loss_stops_training_naming_the_step_and_the_quantity(monkeypatch):
    monkeypatch.setattr(train_module, "READBACK_EVERY", 8)  # the bad step lies in a later chunk
    calls = {"n": 0}

    def poisoned(fake_logits):
        calls["n"] += 1
        loss = torch.nn.functional.softplus(fake_logits).mean().neg()
        return loss * math.nan if calls["n"] == 21 else loss  # the 21st call is step 20

    monkeypatch.setitem(train_module.GENERATOR_LOSSES, "minimax", poisoned)
    with pytest.raises(
        TrainingDivergedError, match="the generator loss became nan at step 20"
    ) as info:
        train(*networks(), P_DATA, small(steps=40))
    assert info.value.step == 20 and info.value.quantity == "the generator loss"
    assert len(info.value.history) == 20 and torch.isfinite(info.value.history.d_real).all()
    assert isinstance(info.value, FloatingPointError)


def test_a_huge_learning_rate_is_caught():
    config = small(steps=20, discriminator_lr=1e6, generator_lr=1e6, momentum=0.9)
    with pytest.raises(
        TrainingDivergedError, match=r"became (nan|inf|-inf) at step \d+ \(of 20\)"
    ) as info:
        train(*networks(), P_DATA, config)
    assert len(info.value.history) == info.value.step


def test_a_parameter_that_is_not_finite_is_caught():
    g, d = networks()
    g.register_parameter("unused", torch.nn.Parameter(torch.zeros(2)))  # no gradient, no update

    def poison(generator, discriminator, step):
        generator.unused.fill_(math.inf)
        return torch.zeros(1)

    with pytest.raises(TrainingDivergedError, match="the generator parameter 'unused' became inf"):
        train(g, d, P_DATA, small(snapshot_steps=(3,)), snapshot=poison)


def test_uniform_noise_has_unit_variance():
    z = sample_noise(
        20_000,
        TrainConfig(noise="uniform", latent_dim=2),
        torch.Generator().manual_seed(0),
        dtype=torch.float64,
    )
    assert z.shape == (20_000, 2) and z.abs().max() <= math.sqrt(3)
    assert abs(float(z.var()) - 1) < 0.03  # the standard error of the variance is about 0.006


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda g, d: train("g", d, P_DATA, small()),
            TypeError,
            "generator must be a torch.nn.Module",
        ),
        (lambda g, d: train(g, d, [1.0], small()), TypeError, "p_data must have a sample"),
        (lambda g, d: train(g, d, P_DATA, {"steps": 3}), TypeError, "config must be a TrainConfig"),
        (
            lambda g, d: train(g, d, P_DATA, small(latent_dim=3)),
            ValueError,
            "config.latent_dim must be the generator's input width; got latent_dim=3",
        ),
        (
            lambda g, d: train(g, d.double(), P_DATA, small()),
            ValueError,
            "generator and discriminator must share a device and dtype",
        ),
        (
            lambda g, d: train(g, torch.nn.Sequential(torch.nn.BatchNorm1d(1), d), P_DATA, small()),
            ValueError,
            "must not use batch statistics",
        ),
        (
            lambda g, d: train(g, d, P_DATA, small(checkpoint_every=5)),
            ValueError,
            "checkpoint_path must be given when config.checkpoint_every is set",
        ),
        (
            lambda g, d: train(g, d, P_DATA, small(), resume=True),
            ValueError,
            "resume=True needs checkpoint_path",
        ),
        (
            lambda g, d: train(g, d, P_DATA, small(), resume=3),
            TypeError,
            "resume must be False, True or a checkpoint path",
        ),
        (
            lambda g, d: train(g, d, P_DATA, small(), snapshot=3),
            TypeError,
            "snapshot must be callable",
        ),
        (
            lambda g, d: train(g, d, P_DATA, small(snapshot_steps=(0,)), snapshot=lambda *a: [1]),
            TypeError,
            "snapshot must return a tensor or a dict of tensors; got list at step 0",
        ),
        (
            lambda g, d: train(g, d, P_DATA, small(), stop_when=0.9),
            TypeError,
            r"stop_when must be callable as stop_when\(snapshot, step\) or None; got float",
        ),
    ],
)
def test_bad_train_arguments_are_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(*networks())


def test_resuming_checks_the_checkpoint_fits_the_run(tmp_path):
    path = tmp_path / "run.pt"
    train(*networks(), P_DATA, small(steps=10), checkpoint_path=path)
    with pytest.raises(ValueError, match=r"config\.k must match the checkpoint's"):
        train(*networks(), P_DATA, small(k=2), checkpoint_path=path, resume=True)
    with pytest.raises(ValueError, match=r"config\.steps must be at least the checkpoint's step"):
        train(*networks(), P_DATA, small(steps=5), checkpoint_path=path, resume=True)
    mixture = GaussianMixture1d([0.5, 0.5], [-1.0, 1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="p_data must be the checkpoint's"):
        train(*networks(), mixture, small(), checkpoint_path=path, resume=True)
    with pytest.raises(ValueError, match="must have the architecture of the checkpoint's"):
        train(*networks(hidden=(4,)), P_DATA, small(), checkpoint_path=path, resume=True)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        train(*networks(), P_DATA, small(), resume=tmp_path / "missing.pt")
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        train(*networks(), P_DATA, small(), checkpoint_path=path, resume=True)


def test_resuming_at_the_end_returns_the_saved_history(tmp_path):
    path = tmp_path / "run.pt"
    first = train(*networks(), P_DATA, small(), checkpoint_path=path)
    again = train(*networks(), P_DATA, small(), checkpoint_path=path, resume=True)
    assert_same_history(first, again)


def test_progress_bar_goes_to_stderr(capsys):
    train(*networks(), P_DATA, small(), progress=True)
    assert "train" in capsys.readouterr().err
    train(*networks(), P_DATA, small())
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU; none is present")
def test_cuda_run_matches_the_cpu_run():
    cuda = torch.device("cuda")
    config = small(steps=5)
    cpu_history = train(*networks(), P_DATA, config)
    g, d = networks()
    before = torch.get_rng_state()
    history = train(g.to(cuda), d.to(cuda), P_DATA, config)  # the same data: drawn on the CPU
    assert torch.equal(torch.get_rng_state(), before)
    assert next(g.parameters()).device.type == "cuda"
    assert history.d_real.device.type == "cpu"
    # Same draws, same weights; only the kernels' rounding differs over 5 steps.
    assert torch.allclose(history.discriminator_loss, cpu_history.discriminator_loss, atol=1e-4)


@pytest.mark.parametrize("real_label", [1.0, 0.9])
def test_the_fused_discriminator_loss_is_the_minimax_loss(real_label):
    logits = torch.randn(2 * 50, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    labels = train_module._labels(50, real_label, torch.float64, torch.device("cpu"))
    fused = train_module._discriminator_loss(logits, labels)
    expected = ganlib.minimax_discriminator_loss(logits[:50], logits[50:], real_label=real_label)
    assert torch.allclose(fused, expected, rtol=1e-12, atol=0)
