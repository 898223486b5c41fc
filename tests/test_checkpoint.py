import pickle

import pytest
import torch

from ganlib.checkpoint import (
    CHECKPOINT_FORMAT,
    CHECKPOINT_VERSION,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)

STATE = {"step": 7, "weights": torch.arange(4.0), "config": {"k": 1, "betas": [0.5, 0.9]}}


def test_a_checkpoint_round_trips_and_loads_with_weights_only(tmp_path):
    path = tmp_path / "run.pt"
    save_checkpoint(STATE, path)
    state = load_checkpoint(path, required=("step", "weights"))
    assert state["step"] == 7 and torch.equal(state["weights"], STATE["weights"])
    assert state["format"] == CHECKPOINT_FORMAT and state["version"] == CHECKPOINT_VERSION
    raw = torch.load(path, weights_only=True)  # what a user's own torch.load sees
    assert raw["config"] == STATE["config"]
    assert [p.name for p in tmp_path.iterdir()] == ["run.pt"]  # no temporary file left


class FailsWhenPickled:
    """A value whose pickling raises ``error`` after torch.save has begun writing the file."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __reduce__(self):
        raise self.error


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_while_writing_leaves_the_old_checkpoint_intact(tmp_path, error):
    path = tmp_path / "run.pt"
    save_checkpoint(STATE, path)
    good = path.read_bytes()
    # Tensors are written first, then the pickled dict fails half-way.
    broken = {**STATE, "step": 8, "big": torch.ones(10_000), "bad": FailsWhenPickled(error)}
    with pytest.raises(type(error)):
        save_checkpoint(broken, path)
    assert path.read_bytes() == good
    assert load_checkpoint(path)["step"] == 7
    assert [p.name for p in tmp_path.iterdir()] == ["run.pt"]  # the temporary file is removed


def test_a_truncated_file_is_a_clear_error(tmp_path):
    path = tmp_path / "run.pt"
    save_checkpoint(STATE, path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CheckpointError, match=r"is not a readable checkpoint \(truncated"):
        load_checkpoint(path)


def test_a_text_file_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.pt"
    path.write_text("these are not weights\n")
    with pytest.raises(CheckpointError, match="is not a readable checkpoint"):
        load_checkpoint(path)


def test_an_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.pt"
    path.write_bytes(b"")
    with pytest.raises(CheckpointError, match="is not a readable checkpoint"):
        load_checkpoint(path)


def test_a_foreign_torch_file_is_a_clear_error(tmp_path):
    path = tmp_path / "model.pt"
    torch.save({"model": {"weight": torch.ones(2)}, "epoch": 3}, path)
    with pytest.raises(CheckpointError, match=r"must be a ganlib checkpoint .*got \['epoch', 'mo"):
        load_checkpoint(path)
    torch.save(torch.ones(3), path)
    with pytest.raises(CheckpointError, match=r"must be a ganlib checkpoint .*got Tensor"):
        load_checkpoint(path)


def test_a_pickle_that_needs_code_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"format": CHECKPOINT_FORMAT, "version": 1, "thing": pickle.PickleError()}, path)
    with pytest.raises(CheckpointError, match=r"is not a readable checkpoint .*Unpickl"):
        load_checkpoint(path)


def test_a_newer_layout_and_missing_keys_are_clear_errors(tmp_path):
    path = tmp_path / "run.pt"
    torch.save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION + 1}, path)
    with pytest.raises(CheckpointError, match="has layout version 2; this ganlib reads"):
        load_checkpoint(path)
    save_checkpoint({"step": 1}, path)
    with pytest.raises(CheckpointError, match=r"lacks the keys \['history'\]"):
        load_checkpoint(path, required=("step", "history"))


def test_bad_paths_and_states_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="must be an existing checkpoint file"):
        load_checkpoint(tmp_path / "missing.pt")
    with pytest.raises(FileNotFoundError, match="the folder of path must exist"):
        save_checkpoint(STATE, tmp_path / "no" / "run.pt")
    with pytest.raises(TypeError, match="state must be a dict; got list"):
        save_checkpoint([1, 2], tmp_path / "run.pt")
