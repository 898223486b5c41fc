import dataclasses

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
