import os
import pickle
import stat

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
    """A value whose pickling raises: one that torch.load(weights_only=True) could not read."""

    def __reduce__(self):
        raise OSError("never pickled")


def test_a_value_that_cannot_be_loaded_back_is_refused_before_writing(tmp_path):
    path = tmp_path / "run.pt"
    save_checkpoint(STATE, path)
    good = path.read_bytes()
    broken = {**STATE, "step": 8, "nested": {"list": [1, FailsWhenPickled()]}}
    with pytest.raises(TypeError, match=r"state\['nested'\]\['list'\]\[1\] must be a tensor, dict"):
        save_checkpoint(broken, path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["run.pt"]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_while_writing_leaves_the_old_checkpoint_intact(tmp_path, monkeypatch, error):
    path = tmp_path / "run.pt"
    save_checkpoint(STATE, path)
    good = path.read_bytes()
    written = []

    def fail(descriptor):  # the temporary file is written; the disk fails before the rename
        written.append(sorted(p.name for p in tmp_path.iterdir()))
        raise error

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(type(error)):
        save_checkpoint({**STATE, "step": 8, "big": torch.ones(10_000)}, path)
    monkeypatch.undo()
    assert written == [[".run.pt.tmp", "run.pt"]]
    assert path.read_bytes() == good
    assert load_checkpoint(path)["step"] == 7
    assert [p.name for p in tmp_path.iterdir()] == ["run.pt"]  # the temporary file is removed


def test_a_killed_save_leaves_nothing_that_a_later_save_keeps(tmp_path):
    path = tmp_path / "run.pt"
    for stale in (".run.pt.tmp", ".run.pt.x8k2q9.tmp"):  # this version's, and older ones'
        (tmp_path / stale).write_bytes(b"half a checkpoint")
    (tmp_path / ".other.pt.tmp").write_bytes(b"another file's")
    save_checkpoint(STATE, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.pt.tmp", "run.pt"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_checkpoint_gets_the_permissions_of_a_new_file(tmp_path, umask):
    old = os.umask(umask)
    try:
        save_checkpoint(STATE, tmp_path / "run.pt")
        save_checkpoint(STATE, tmp_path / "run.pt")  # replacing keeps them
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "run.pt").stat().st_mode) == 0o666 & ~umask


def test_a_flipped_bit_in_a_weight_is_caught_by_the_digest(tmp_path):
    path = tmp_path / "run.pt"
    weights = torch.arange(50_000, dtype=torch.float32)
    save_checkpoint({"step": 1, "weights": weights}, path)
    data = bytearray(path.read_bytes())
    start = data.find(weights.numpy().tobytes())  # torch's zip stores tensors uncompressed
    assert start > 0
    data[start + len(weights) * 2] ^= 0x04  # one bit of one weight, in the middle
    path.write_bytes(bytes(data))
    unchecked = torch.load(path, weights_only=True)["weights"]  # torch itself does not notice
    assert (unchecked != weights).sum() == 1
    with pytest.raises(CheckpointError, match=r"run\.pt' must match the SHA-256 digest .*corrupt"):
        load_checkpoint(path)


def test_the_digest_covers_every_kind_of_value_and_only_the_values(tmp_path):
    state = {
        "strided": torch.arange(12.0).reshape(3, 4).t(),  # not contiguous
        "scalar": torch.tensor(2.5, dtype=torch.float64),
        "kinds": [torch.ones(2, dtype=d) for d in (torch.bool, torch.bfloat16, torch.complex64)],
        "meta": (torch.Size([2, 3]), torch.float16, torch.device("cpu"), None, True, 1.5, "s"),
        "by_step": {0: torch.zeros(1), 10: {"d": torch.ones(1)}},
    }
    save_checkpoint(state, tmp_path / "a.pt")
    loaded = load_checkpoint(tmp_path / "a.pt")
    assert torch.equal(loaded["strided"], state["strided"]) and loaded["meta"] == state["meta"]
    save_checkpoint(loaded, tmp_path / "b.pt")  # a loaded checkpoint saves again, re-tagged
    assert load_checkpoint(tmp_path / "b.pt")["digest"] == loaded["digest"]
    save_checkpoint(
        {**state, "scalar": torch.tensor(2.5000001, dtype=torch.float64)}, tmp_path / "c.pt"
    )
    assert load_checkpoint(tmp_path / "c.pt")["digest"] != loaded["digest"]


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


def test_other_layouts_a_missing_digest_and_missing_keys_are_clear_errors(tmp_path):
    path = tmp_path / "run.pt"
    torch.save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION + 1}, path)
    with pytest.raises(CheckpointError, match="has layout version 3; this ganlib reads version 2"):
        load_checkpoint(path)
    torch.save({"format": CHECKPOINT_FORMAT, "version": 1, "step": 1}, path)
    with pytest.raises(CheckpointError, match=r"has layout version 1; .* An older ganlib wrote"):
        load_checkpoint(path)
    torch.save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, "step": 1}, path)
    with pytest.raises(CheckpointError, match="must hold the digest of its payload; got None"):
        load_checkpoint(path)
    save_checkpoint({"step": 1}, path)
    with pytest.raises(CheckpointError, match=r"lacks the keys \['history'\]"):
        load_checkpoint(path, required=("step", "history"))


def _saved(tmp_path):
    save_checkpoint(STATE, tmp_path / "run.pt")
    return tmp_path / "run.pt"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda d: load_checkpoint(d / "missing.pt"), FileNotFoundError, "which does not exist"),
        (lambda d: load_checkpoint(d), FileNotFoundError, "which is a folder"),
        (lambda d: load_checkpoint(123), TypeError, "path must be a str or os.PathLike; got int"),
        (
            lambda d: load_checkpoint(_saved(d), required="step"),
            TypeError,
            r"required must be a tuple or list of str; got str 'step'",
        ),
        (
            lambda d: load_checkpoint(_saved(d), required=("step", 3)),
            TypeError,
            "required must hold key names",
        ),
        (
            lambda d: load_checkpoint(_saved(d), map_location="banana"),
            ValueError,
            "map_location must name a torch device .* got 'banana'",
        ),
        (
            lambda d: load_checkpoint(d / "missing.pt", map_location=3.5),
            TypeError,
            "map_location must be a str or torch.device",  # checked before the file
        ),
        (
            lambda d: save_checkpoint(STATE, d / "no" / "run.pt"),
            FileNotFoundError,
            "the folder of path must exist",
        ),
        (lambda d: save_checkpoint(STATE, d), ValueError, "path must be the path of a file"),
        (lambda d: save_checkpoint(STATE, 7), TypeError, "path must be a str or os.PathLike"),
        (lambda d: save_checkpoint([1, 2], d / "run.pt"), TypeError, "state must be a dict"),
        (
            lambda d: save_checkpoint({"version": 3}, d / "run.pt"),
            ValueError,
            r"state must not use the keys \['format', 'version', 'digest'\]",
        ),
        (
            lambda d: save_checkpoint({"x": {1, 2}}, d / "run.pt"),
            TypeError,
            r"state\['x'\] must be a tensor, dict, .* got set",
        ),
        (
            lambda d: save_checkpoint({"x": {1.5: 2}}, d / "run.pt"),
            TypeError,
            r"the keys of state\['x'\] must be str or int; got float 1.5",
        ),
        (
            lambda d: save_checkpoint({"x": [torch.eye(2).to_sparse()]}, d / "run.pt"),
            TypeError,
            r"state\['x'\]\[0\] must be a dense tensor",
        ),
    ],
)
def test_bad_paths_and_states_are_clear_errors(tmp_path, call, error, match):
    with pytest.raises(error, match=match):
        call(tmp_path)
