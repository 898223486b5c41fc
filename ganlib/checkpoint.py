r"""Checkpoints of a training run: written atomically, verified when read back.

A checkpoint is a ``dict`` of tensors, dicts (with str or int keys), lists, tuples, strings,
numbers, booleans, None, ``torch.Size``, ``torch.dtype`` and ``torch.device``, so that
``torch.load(path, weights_only=True)`` reads it without unpickling arbitrary objects;
:func:`save_checkpoint` refuses anything else before it writes, naming the key path of the
first value it cannot store. It tags the state with :data:`CHECKPOINT_FORMAT`, its version and
a SHA-256 digest of the payload, and writes it atomically: into the temporary file
``.<name>.tmp`` beside the destination (so a later save replaces what a killed one left),
flushed and fsynced, then moved over the destination with ``os.replace``. A crash while
writing leaves the previous checkpoint as it was, never half a file. The file gets the
permissions of any new file, ``0o666`` less the umask.

:func:`load_checkpoint` turns a truncated file, a text file or another program's ``.pt`` into
a :class:`CheckpointError` that says which, and recomputes the digest: a flipped bit in a
weight, which torch's zip container does not notice, is an error naming the file.

* **The digest.** SHA-256 of a canonical serialisation of the state (everything but the
  ``"digest"`` key): each value is written as a type tag and its content, containers with
  their length, dicts in their order (which ``torch.save`` keeps), tensors as their dtype,
  shape and the bytes of their values in row-major order. It does not depend on the device,
  the strides or the sharing of storages, only on the values.

What goes into a checkpoint (networks, optimizers, random number generators, history) is
:func:`ganlib.train`'s business (:meth:`ganlib.Run.state_dict`); this module stores it, and
:func:`check_run_state` checks that a loaded run state is consistent in every entry.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "run.pt"
>>> save_checkpoint({"step": 3, "weights": torch.ones(2)}, path)
>>> load_checkpoint(path, required=("step",))["step"]
3
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import torch

from ganlib._checks import check_device, check_path, shown
from ganlib.config import TrainConfig
from ganlib.history import History

__all__ = [
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_VERSION",
    "CheckpointError",
    "load_checkpoint",
    "save_checkpoint",
]

CHECKPOINT_FORMAT = "ganlib checkpoint"
"""The value of the ``"format"`` key that marks a file as one of ganlib's checkpoints."""

CHECKPOINT_VERSION = 2
"""The layout version (2: with a ``"digest"``); :func:`load_checkpoint` reads only this one."""

_TAGS = ("format", "version", "digest")  # the keys save_checkpoint adds


class CheckpointError(ValueError):
    """A file that is not a readable ganlib checkpoint: truncated, corrupted, foreign, of
    another layout, or holding a state that is not consistent. The message names the file
    and what is wrong with it."""


def save_checkpoint(state: Mapping[str, object], path: str | os.PathLike) -> None:
    """Write ``state`` (plus the format tag, the version and the digest) to ``path``, atomically.

    The folder must exist. The temporary file is ``.<name>.tmp`` beside ``path``, so that
    ``os.replace`` is a rename within one file system; it is removed if writing fails, and a
    stale one (from a process killed while saving) is replaced.

    Raises:
        TypeError: if ``state`` is not a dict, or holds a value that ``torch.load`` with
            ``weights_only=True`` could not read back (the message names its key path).
        ValueError: if ``state`` uses one of the keys ``"format"``, ``"version"``, ``"digest"``
            (unless it is a checkpoint read back with :func:`load_checkpoint`, whose tags
            are written anew).
        FileNotFoundError: if the folder of ``path`` does not exist.
    """
    if not isinstance(state, Mapping):
        raise TypeError(
            f"save_checkpoint: state must be a dict; got {type(state).__name__}. "
            "Pass a dict of tensors, dicts, lists and primitives."
        )
    path = check_checkpoint_path("save_checkpoint", "path", path)
    taken = [key for key in _TAGS if key in state]
    if taken and state.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(
            f"save_checkpoint: state must not use the keys {list(_TAGS)}, which the checkpoint "
            f"adds; got {taken}. Rename them."
        )
    payload = {key: value for key, value in state.items() if key not in _TAGS}
    tagged = {"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, **payload}
    tagged["digest"] = _digest(tagged, "save_checkpoint")  # refuses what cannot be stored
    temporary = path.with_name(f".{path.name}.tmp")
    _remove_stale(path, temporary)
    try:
        # O_EXCL after the unlink: a new file, whose mode is 0o666 less the umask.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as handle:
            torch.save(tagged, handle)
            handle.flush()
            os.fsync(handle.fileno())  # the bytes are on disk before the rename makes them live
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)  # and the rename itself survives a power cut


def check_checkpoint_path(function: str, name: str, value: object) -> Path:
    """A path (str or os.PathLike) of a file, not a folder, in a folder that exists."""
    path = check_path(function, name, value, fix="Pass e.g. 'runs/checkpoint.pt'.")
    if path.is_dir():
        raise ValueError(
            f"{function}: {name} must be the path of a file; got {str(path)!r}, which is a "
            "folder. Pass a file in it, e.g. folder / 'checkpoint.pt'."
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"{function}: the folder of {name} must exist; got {str(path)!r}, whose folder "
            f"{str(path.parent)!r} does not. Create it first, e.g. with Path.mkdir(parents=True)."
        )
    return path


def _remove_stale(path: Path, temporary: Path) -> None:
    """Remove what an interrupted save left beside ``path``: ``.<name>.tmp`` and the
    ``.<name>.<random>.tmp`` files of earlier versions."""
    temporary.unlink(missing_ok=True)
    prefix = f".{path.name}."
    for entry in path.parent.iterdir():
        name = entry.name
        if name.startswith(prefix) and name.endswith(".tmp") and len(name) > len(prefix) + 4:
            if entry.is_file():
                entry.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable where the platform allows it (not on Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def load_checkpoint(
    path: str | os.PathLike,
    *,
    required: Iterable[str] = (),
    map_location: str | torch.device = "cpu",
) -> dict:
    """Read a checkpoint written by :func:`save_checkpoint`, with ``weights_only=True``.

    Tensors come back on ``map_location`` (the CPU by default; ``load_state_dict`` moves them
    to the networks). ``required`` names keys the caller needs; a missing one is an error.
    The digest is recomputed from what was read and compared with the stored one.

    Raises:
        TypeError: if ``path`` is not a path, ``required`` not a collection of str (a single
            str is refused), or ``map_location`` not a str or torch.device.
        ValueError: if ``map_location`` names no device of this machine.
        FileNotFoundError: if ``path`` is not a file.
        CheckpointError: if the file is truncated or not a torch file, holds something other
            than a ganlib checkpoint, has another layout version, does not match its digest
            (corrupted), or lacks a required key.
    """
    function = "load_checkpoint"
    path = check_path(function, "path", path, fix="Pass e.g. 'runs/run.pt'.")
    keys = _check_required(required)
    check_device(function, "map_location", map_location, fix="Pass e.g. map_location='cpu'.")
    if not path.is_file():
        what = "a folder" if path.is_dir() else "does not exist"
        raise FileNotFoundError(
            f"{function}: path must be an existing checkpoint file; got {str(path)!r}, which "
            f"{'is ' if path.is_dir() else ''}{what}. Check the path, or train without "
            "resuming first."
        )
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # torch raises RuntimeError, UnpicklingError, EOFError, ...
        raise CheckpointError(
            f"{function}: {str(path)!r} is not a readable checkpoint (truncated, corrupted "
            f"or not written by torch.save): {type(error).__name__}: {_first_line(error)}. "
            "Resume from an intact checkpoint, or start the run again."
        ) from error
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        found = (
            shown(sorted(map(str, state)), 200) if isinstance(state, dict) else type(state).__name__
        )
        raise CheckpointError(
            f"{function}: {str(path)!r} must be a ganlib checkpoint (a dict with "
            f"format={CHECKPOINT_FORMAT!r}); got {found}. It was written by another "
            "program; pass a checkpoint that ganlib.train or `python -m ganlib train` wrote."
        )
    version = state.get("version")
    if version != CHECKPOINT_VERSION:
        newer = type(version) is int and version > CHECKPOINT_VERSION
        fix = (
            "Upgrade ganlib to read it."
            if newer
            else "An older ganlib wrote it: resume it with that ganlib, or start a new run."
        )
        raise CheckpointError(
            f"{function}: {str(path)!r} has layout version {shown(version)}; this ganlib "
            f"reads version {CHECKPOINT_VERSION}. {fix}"
        )
    _verify(state, path)
    missing = [key for key in keys if key not in state]
    if missing:
        raise CheckpointError(
            f"{function}: {str(path)!r} lacks the keys {missing}; got keys "
            f"{shown(sorted(map(str, state)), 200)}. The file is damaged or from an "
            "incompatible program."
        )
    return state


def _check_required(required: object) -> list[str]:
    """``required`` as a list of str; a str itself is refused (it is not a list of keys)."""
    fix = "Pass a tuple of key names, e.g. required=('step',)."
    if isinstance(required, str | bytes) or not isinstance(required, Iterable):
        raise TypeError(
            f"load_checkpoint: required must be a tuple or list of str; got "
            f"{type(required).__name__} {shown(required)}. {fix}"
        )
    keys = list(required)
    bad = [key for key in keys if not isinstance(key, str)]
    if bad:
        raise TypeError(
            f"load_checkpoint: required must hold key names (str); got {shown(bad[0])}. {fix}"
        )
    return keys


def _verify(state: dict, path: Path) -> None:
    """Compare the stored digest with one of what was read; a CheckpointError if they differ."""
    stored = state.get("digest")
    if not isinstance(stored, str):
        raise CheckpointError(
            f"load_checkpoint: {str(path)!r} must hold the digest of its payload; got "
            f"{shown(stored)}. The file is damaged; resume from an intact checkpoint, or "
            "start the run again."
        )
    try:
        actual = _digest({k: v for k, v in state.items() if k != "digest"}, "load_checkpoint")
    except TypeError as error:
        raise CheckpointError(f"load_checkpoint: {str(path)!r} is damaged: {error}") from error
    if actual != stored:
        raise CheckpointError(
            f"load_checkpoint: {str(path)!r} must match the SHA-256 digest it was saved with; "
            f"got {actual[:16]}..., the file says {stored[:16]}... The file is corrupted (a "
            "changed byte); resume from an intact checkpoint, or start the run again."
        )


def _digest(state: Mapping, function: str) -> str:
    """The SHA-256 of the canonical serialisation of ``state`` (see the module's docstring).

    A value that cannot be serialised (one ``weights_only`` could not load back) is a
    TypeError naming its key path, e.g. ``state['networks']['generator']``.
    """
    hasher = hashlib.sha256()
    _feed(hasher, state, "state", function)
    return hasher.hexdigest()


def _feed(hasher, value: object, where: str, function: str) -> None:
    put = hasher.update
    kind = type(value)
    if value is None:
        put(b"N")
    elif kind is bool:
        put(b"B1" if value else b"B0")
    elif kind is int:
        text = str(value).encode()
        put(b"I" + struct.pack("<Q", len(text)) + text)
    elif kind is float:
        put(b"F" + struct.pack("<d", value))
    elif kind is str:
        data = value.encode("utf-8", "surrogatepass")
        put(b"S" + struct.pack("<Q", len(data)) + data)
    elif kind is torch.Size:
        put(b"Z" + struct.pack(f"<Q{len(value)}q", len(value), *value))
    elif kind is torch.dtype or kind is torch.device:
        _feed(hasher, str(value), where, function)
        put(b"Y" if kind is torch.dtype else b"V")
    elif kind in (list, tuple):
        put((b"L" if kind is list else b"T") + struct.pack("<Q", len(value)))
        for index, item in enumerate(value):
            _feed(hasher, item, f"{where}[{index}]", function)
    elif isinstance(value, dict) and kind.__module__ in ("builtins", "collections"):
        put(b"D" + struct.pack("<Q", len(value)))
        for key, item in value.items():
            if type(key) not in (str, int):
                raise TypeError(
                    f"{function}: the keys of {where} must be str or int; got "
                    f"{type(key).__name__} {shown(key)}. Use str keys."
                )
            _feed(hasher, key, where, function)
            _feed(hasher, item, f"{where}[{key!r}]", function)
    elif kind is torch.Tensor or kind is torch.nn.Parameter:
        if value.layout != torch.strided or value.is_quantized:
            raise TypeError(
                f"{function}: {where} must be a dense tensor; got a {value.layout} "
                f"{'quantized ' if value.is_quantized else ''}tensor. Store it with .to_dense() "
                "or .dequantize()."
            )
        data = value.detach().resolve_conj().resolve_neg().cpu().contiguous().reshape(-1)
        _feed(hasher, (str(value.dtype), tuple(value.shape)), where, function)
        put(b"X" + struct.pack("<Q", data.numel() * data.element_size()))
        hasher.update(data.view(torch.uint8).numpy())
    else:
        raise TypeError(
            f"{function}: {where} must be a tensor, dict, list, tuple, str, int, float, bool, "
            f"None, torch.Size, torch.dtype or torch.device, which torch.load(weights_only=True) "
            f"reads back; got {kind.__name__} {shown(value)}. Store its state_dict() or its "
            "numbers instead."
        )


def check_run_state(
    state: object,
    source: str,
    device: torch.device,
    *,
    version: int,
    players: tuple[str, ...] = ("generator", "discriminator"),
) -> TrainConfig:
    """A run state (:meth:`ganlib.Run.state_dict`) of layout ``version`` whose every entry has
    its type and shape; returns its configuration. An inconsistent entry is a
    :class:`CheckpointError` naming ``source`` and the entry: a step outside
    ``[0, config.steps]``, a history whose length is not the step or with snapshots after
    it, an RNG state of the wrong size, ..."""

    def damaged(key: str, constraint: str, got: object) -> CheckpointError:
        return CheckpointError(
            f"train: {key} of {source} must {constraint}; got {str(got).rstrip('.')}. The "
            "state is damaged: "
            "resume from an intact checkpoint, or start a new run."
        )

    def need(key: str, value: object, types: tuple, what: str) -> Any:
        if not isinstance(value, types) or (type(value) is bool and bool not in types):
            got = (
                f"a {value.dtype} tensor of shape {tuple(value.shape)}"
                if isinstance(value, torch.Tensor)
                else f"{type(value).__name__} {shown(value)}"
            )
            raise damaged(key, f"be {what}", got)
        return value

    if not isinstance(state, dict):
        raise CheckpointError(
            f"train: {source} must be a run state (a dict); got {type(state).__name__}. "
            "Pass what Run.state_dict() returned."
        )
    if state.get("run_state") != version:
        raise CheckpointError(
            f"train: {source} must hold a run state of layout {version}; got "
            f"{state.get('run_state', 'none (an older ganlib wrote it)')!r}. Resume it "
            "with the ganlib that wrote it, or start a new run."
        )
    keys = ("step", "config", "p_data", "networks", "optimizers", "rng", "history")
    missing = [key for key in keys if key not in state]
    if missing:
        raise CheckpointError(
            f"train: {source} lacks the keys {missing} of a run state. The file is "
            "damaged; resume from an intact checkpoint, or start a new run."
        )
    try:
        config = TrainConfig.from_dict(need("config", state["config"], (dict,), "a dict"))
    except (TypeError, ValueError) as error:
        raise damaged("config", "be a valid TrainConfig", error) from error
    step = need("step", state["step"], (int,), "an int")
    if not 0 <= step <= config.steps:
        raise damaged("step", f"be in [0, {config.steps}] (its config's steps)", step)
    need("p_data", state["p_data"], (str,), "a str")
    for part in ("networks", "optimizers"):
        if sorted(need(part, state[part], (dict,), "a dict")) != sorted(players):
            raise damaged(part, f"have the keys {sorted(players)}", sorted(state[part]))
    tensor, number = (torch.Tensor,), (int, float)
    for who in players:
        at = f"networks[{who!r}]"
        for key, value in need(at, state["networks"][who], (dict,), "a dict").items():
            need(f"{at}[{key!r}]", value, tensor, "a tensor")
        at = f"optimizers[{who!r}]"
        optimizer = need(at, state["optimizers"][who], (dict,), "a dict")
        for key, types, what in (
            ("rule", (str,), "a str"),
            ("lr", number, "a number"),
            ("step_count", (int,), "an int"),
            ("state", (dict,), "a dict"),
        ):
            need(f"{at}[{key!r}]", optimizer.get(key), types, what)
        if not (optimizer["lr"] >= 0 and optimizer["step_count"] >= 0):
            got = f"lr={optimizer['lr']!r}, step_count={optimizer['step_count']!r}"
            raise damaged(at, "have lr >= 0 and step_count >= 0", got)
        for key, values in optimizer["state"].items():
            for i, value in enumerate(need(f"{at}['state'][{key!r}]", values, (list,), "a list")):
                need(f"{at}['state'][{key!r}][{i}]", value, tensor, "a tensor")
    rng = need("rng", state["rng"], (dict,), "a dict")
    global_rng = need("rng['global']", rng.get("global"), (dict,), "a dict")
    size = torch.Generator().get_state().numel()
    cuda = torch.cuda.get_rng_state(device).numel() if device.type == "cuda" else None
    for key, value, numel in (
        ("rng['data_and_noise']", rng.get("data_and_noise"), size),
        ("rng['global']['cpu']", global_rng.get("cpu"), size),
        ("rng['global']['cuda']", global_rng.get("cuda"), cuda),
    ):
        if key.endswith("['cuda']") and value is None:
            continue  # a run on the CPU
        need(key, value, tensor, "a tensor")
        if value.dtype != torch.uint8 or value.ndim != 1 or (numel and len(value) != numel):
            what = f"a uint8 RNG state of {numel} bytes" if numel else "a uint8 RNG state"
            raise damaged(key, f"be {what}", f"a {value.dtype} tensor of {len(value)} entries")
    try:
        history = History.from_dict(state["history"])
    except (TypeError, ValueError) as error:
        raise damaged("history", "be what History.to_dict() returns", error) from error
    if len(history) != step:
        raise damaged("history", f"have {step} entries (one per step)", len(history))
    late = sorted(s for s in history.snapshots if s > step)
    if late:
        raise damaged("history['snapshots']", f"be keyed by steps up to {step}", late)
    return config


def _first_line(error: BaseException) -> str:
    """The first line of an error's message, at most 200 characters."""
    lines = str(error).strip().splitlines()
    line = lines[0] if lines else "(no message)"
    return line if len(line) <= 200 else line[:197] + "..."
