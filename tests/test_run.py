import dataclasses
import os
import signal

import pytest
import torch

from ganlib import CheckpointError, Run, load_checkpoint, save_checkpoint, train
from ganlib.run import RUN_STATE_VERSION


def test_the_state_of_a_run_is_its_checkpoint_and_resumes_it_bit_for_bit(
    tmp_path, toy_networks, toy_data, small_config, assert_same_run
):
    config = small_config(steps=20, snapshot_steps=(0, 10, 20))
    g_full, d_full = toy_networks(dropout=0.2)
    full = train(g_full, d_full, toy_data, config)

    path = tmp_path / "run.pt"
    g, d = toy_networks(dropout=0.2)
    train(g, d, toy_data, dataclasses.replace(config, steps=7), checkpoint_path=path)
    state = load_checkpoint(path)
    assert state["run_state"] == RUN_STATE_VERSION and state["step"] == 7
    assert (
        sorted(state["networks"]) == sorted(state["optimizers"]) == ["discriminator", "generator"]
    )
    assert sorted(state["rng"]) == ["data_and_noise", "global"]
    assert len(state["history"]["d_real"]) == 7

    g_again, d_again = toy_networks(seed=9, dropout=0.2)  # every weight comes from the state
    run = Run(g_again, d_again, toy_data, config)
    run.load_state_dict(state)
    assert run.step == 7 and len(run.history) == 7
    assert_same_run(run.generator, g)
    rest = train(g_again, d_again, toy_data, config, resume=path)
    assert_same_run(rest, full)
    assert_same_run(g_again, g_full)
    assert_same_run(d_again, d_full)


def test_a_run_trains_through_its_iterations(toy_networks, toy_data, small_config):
    run = Run(*toy_networks(), toy_data, small_config(steps=5, batch_size=4))
    seen = []
    with run:
        for step in run.iterations():
            z, x = run.noise(), run.data()
            assert z.shape == (4, 1) and x.shape == (4, 1)
            seen.append(step)
            run.record(torch.zeros(()), torch.zeros(8, 1), torch.ones(()))
    assert seen == [0, 1, 2, 3, 4] and run.step == 5
    assert torch.equal(run.history.d_real, torch.full((5,), 0.5))  # sigmoid(0)
    assert torch.equal(run.history.generator_loss, torch.ones(5))


def test_the_run_gives_the_global_rng_and_the_modes_back(toy_networks, toy_data, small_config):
    g, d = toy_networks(dropout=0.5)
    g.eval()
    before = torch.get_rng_state()
    run = Run(g, d, toy_data, small_config())
    with pytest.raises(RuntimeError, match="inside"):
        with run:
            assert g.training and d.training
            torch.rand(3)
            raise RuntimeError("a failure inside the run")
    assert torch.equal(torch.get_rng_state(), before)
    assert not g.training and d.training


def test_a_state_that_does_not_fit_the_run_is_refused(
    tmp_path, toy_networks, toy_data, small_config
):
    path = tmp_path / "run.pt"
    train(*toy_networks(), toy_data, small_config(steps=4), checkpoint_path=path)
    state = load_checkpoint(path)
    with pytest.raises(ValueError, match=r"config\.batch_size must match the checkpoint's"):
        Run(*toy_networks(), toy_data, small_config(batch_size=8)).load_state_dict(state)
    with pytest.raises(CheckpointError, match="must hold a run state of layout 2; got 1"):
        Run(*toy_networks(), toy_data, small_config()).load_state_dict({**state, "run_state": 1})
    damaged = tmp_path / "damaged.pt"
    save_checkpoint({key: v for key, v in state.items() if key != "optimizers"}, damaged)
    with pytest.raises(CheckpointError, match=r"lacks the keys \['optimizers'\] of a run state"):
        train(*toy_networks(), toy_data, small_config(), resume=damaged)


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (("step", -5), r"step of .* must be in \[0, 4\] \(its config's steps\); got -5"),
        (("step", 5), r"step of .* must be in \[0, 4\]"),
        (("step", 4.0), "step of .* must be an int; got float 4.0"),
        (("step", True), "step of .* must be an int; got bool True"),
        (("config", [1]), "config of .* must be a dict; got list"),
        (("config", "k", "x"), "config of .* must be a valid TrainConfig; got TrainConfig: k must"),
        (("p_data", 3), "p_data of .* must be a str; got int"),
        (("networks", "critic", {}), r"networks of .* must have the keys \['discriminator', 'gen"),
        (("networks", "generator", "0.weight", "x"), r"networks\['generator'\]\['0.weight'\] of"),
        (("optimizers", "generator", []), r"optimizers\['generator'\] of .* must be a dict"),
        (("optimizers", "generator", "lr", "fast"), r"\['lr'\] of .* must be a number; got str"),
        (("optimizers", "discriminator", "step_count", -1), "have lr >= 0 and step_count >= 0"),
        (("optimizers", "generator", "state", {"momentum": 3}), r"\['momentum'\] of .* a list"),
        (
            ("rng", "data_and_noise", torch.zeros(3, dtype=torch.uint8)),
            r"rng\['data_and_noise'\] of .* must be a uint8 RNG state of 5056 bytes; got a tor",
        ),
        (("rng", "global", "cpu", torch.zeros(5056)), r"rng\['global'\]\['cpu'\] of .* uint8"),
        (("rng", "global", None), r"rng\['global'\] of .* must be a dict; got NoneType"),
        (("history", "snapshots", None), "history of .* without \\['snapshots'\\]"),
        (("history", "d_real", torch.zeros(3)), "history of .* must have one length"),
        (("history", "d_real", [0.5] * 4), "history of .* d_real must be a 1-D floating-point"),
        (("history", "snapshots", {"0": torch.zeros(1)}), "keyed by iteration counts"),
        (("history", "snapshots", {20: torch.zeros(1)}), r"\['snapshots'\] .* steps up to 4"),
        (("history", None), r"lacks the keys \['history'\] of a run state"),
        (("run_state", 1), "must hold a run state of layout 2; got 1"),
    ],
)
def test_a_damaged_state_is_a_checkpoint_error_naming_the_file_and_the_entry(
    tmp_path, toy_networks, toy_data, small_config, damaged_copy, damage, match
):
    path = tmp_path / "run.pt"
    train(*toy_networks(), toy_data, small_config(steps=4), checkpoint_path=path)
    state = load_checkpoint(path)
    damaged = tmp_path / "damaged.pt"
    save_checkpoint(damaged_copy(state, *damage), damaged)
    g, d = toy_networks(seed=5)
    before = [p.clone() for p in g.parameters()]
    with pytest.raises(CheckpointError, match=match) as info:
        train(g, d, toy_data, small_config(), resume=damaged)
    assert str(damaged) in str(info.value)
    assert all(torch.equal(a, b) for a, b in zip(before, g.parameters(), strict=True))
    if damage[0] != "run_state":
        with pytest.raises(CheckpointError, match="the state"):  # a state that is no file
            Run(g, d, toy_data, small_config()).load_state_dict(damaged_copy(state, *damage))


def test_a_state_of_another_dtype_is_refused(tmp_path, toy_networks, toy_data, small_config):
    path = tmp_path / "run.pt"
    train(*toy_networks(), toy_data, small_config(steps=4), checkpoint_path=path)
    g, d = (network.double() for network in toy_networks())
    with pytest.raises(ValueError, match="generator must have the dtype of the checkpoint's"):
        train(g, d, toy_data, small_config(), resume=path)
    with pytest.raises(CheckpointError, match="must be a run state \\(a dict\\); got list"):
        Run(*toy_networks(), toy_data, small_config()).load_state_dict([])


def test_ctrl_c_stops_the_run_at_the_end_of_the_iteration_and_saves_it(
    tmp_path, toy_networks, toy_data, small_config, assert_same_run
):
    config = small_config(steps=20, snapshot_steps=(6, 20))

    def look(generator, discriminator, step):
        return generator(torch.linspace(-1, 1, 3)[:, None])

    g_full, d_full = toy_networks(dropout=0.2)
    full = train(g_full, d_full, toy_data, config, snapshot=look)
    path = tmp_path / "run.pt"

    def press_ctrl_c(generator, discriminator, step):  # a SIGINT in the middle of step 6
        os.kill(os.getpid(), signal.SIGINT)
        return look(generator, discriminator, step)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        g, d = toy_networks(dropout=0.2)
        with pytest.raises(KeyboardInterrupt, match=r"interrupted at step 7 \(of 20\); the che"):
            train(g, d, toy_data, config, checkpoint_path=path, snapshot=press_ctrl_c)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back
        assert load_checkpoint(path)["step"] == 7  # the last whole iteration
        with pytest.raises(KeyboardInterrupt, match="nothing was saved"):
            train(*toy_networks(), toy_data, config, snapshot=press_ctrl_c)

        def press_twice(generator, discriminator, step):  # the second one interrupts at once
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)

        with pytest.raises(KeyboardInterrupt) as info:
            train(*toy_networks(), toy_data, config, snapshot=press_twice)
        assert str(info.value) == ""
    finally:
        signal.signal(signal.SIGINT, previous)
    g, d = toy_networks(seed=3, dropout=0.2)
    resumed = train(g, d, toy_data, config, checkpoint_path=path, resume=True, snapshot=look)
    assert_same_run(resumed, full)
    assert_same_run(g, g_full)
    assert_same_run(d, d_full)


def test_a_history_summarises_its_last_iterations(toy_networks, toy_data, small_config):
    history = train(*toy_networks(), toy_data, small_config(steps=12))
    summary = history.summary(window=5)
    assert summary["final"]["d_real"] == pytest.approx(float(history.d_real[-5:].mean()))
    assert summary["last_step"]["generator_loss"] == float(history.generator_loss[-1])
    assert history.summary(window=100)["final"]["d_fake"] == pytest.approx(
        float(history.d_fake.mean())
    )
