r"""Checkpoints of a training run: written atomically, read back safely.

A checkpoint is a ``dict`` of tensors, dicts, lists, tuples, strings, numbers, booleans and
None, so that ``torch.load(path, weights_only=True)`` reads it without unpickling arbitrary
objects. :func:`save_checkpoint` tags it with :data:`CHECKPOINT_FORMAT` and its version and
writes it atomically: into a temporary file in the destination's folder, flushed and fsynced,
then moved over the destination with ``os.replace``. A crash while writing leaves the previous
checkpoint as it was, never half a file. :func:`load_checkpoint` turns a truncated file, a text
file or another program's ``.pt`` into a :class:`CheckpointError` that says which.

What goes into a checkpoint (networks, optimizers, random number generators, history) is
:func:`ganlib.train`'s business; this module only stores and checks it.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "run.pt"
>>> save_checkpoint({"step": 3, "weights": torch.ones(2)}, path)
>>> load_checkpoint(path, required=("step",))["step"]
3
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import torch

from ganlib._checks import shown

__all__ = [
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_VERSION",
    "CheckpointError",
    "load_checkpoint",
    "save_checkpoint",
]

CHECKPOINT_FORMAT = "ganlib checkpoint"
"""The value of the ``"format"`` key that marks a file as one of ganlib's checkpoints."""

CHECKPOINT_VERSION = 1
"""The layout version; :func:`load_checkpoint` refuses a newer one."""


class CheckpointError(ValueError):
    """A file that is not a readable ganlib checkpoint: truncated, foreign, or of a newer
    layout. The message names the file and what is wrong with it."""


def save_checkpoint(state: Mapping[str, object], path: str | os.PathLike) -> None:
    """Write ``state`` (plus the format tag and version) to ``path``, atomically.

    The folder must exist. The temporary file is ``.<name>.<random>.tmp`` beside ``path``, so
    that ``os.replace`` is a rename within one file system; it is removed if writing fails.
    """
    if not isinstance(state, Mapping):
        raise TypeError(
            f"save_checkpoint: state must be a dict; got {type(state).__name__}. "
            "Pass a dict of tensors, dicts, lists and primitives."
        )
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"save_checkpoint: the folder of path must exist; got {str(path)!r}, whose folder "
            f"{str(path.parent)!r} does not. Create it first, e.g. with Path.mkdir(parents=True)."
        )
    tagged = {"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, **state}
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            torch.save(tagged, handle)
            handle.flush()
            os.fsync(handle.fileno())  # the bytes are on disk before the rename makes them live
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)  # and the rename itself survives a power cut


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

    Raises:
        FileNotFoundError: if ``path`` is not a file.
        CheckpointError: if the file is truncated or not a torch file, holds something other
            than a ganlib checkpoint, has a newer layout version, or lacks a required key.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"load_checkpoint: path must be an existing checkpoint file; got {str(path)!r}, "
            "which does not exist. Check the path, or train without resuming first."
        )
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # torch raises RuntimeError, UnpicklingError, EOFError, ...
        raise CheckpointError(
            f"load_checkpoint: {str(path)!r} is not a readable checkpoint (truncated, corrupted "
            f"or not written by torch.save): {type(error).__name__}: {_first_line(error)}. "
            "Resume from an intact checkpoint, or start the run again."
        ) from error
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        found = (
            shown(sorted(map(str, state)), 200) if isinstance(state, dict) else type(state).__name__
        )
        raise CheckpointError(
            f"load_checkpoint: {str(path)!r} must be a ganlib checkpoint (a dict with "
            f"format={CHECKPOINT_FORMAT!r}); got {found}. It was written by another "
            "program; pass a checkpoint that ganlib.train or `python -m ganlib train` wrote."
        )
    version = state.get("version")
    if not isinstance(version, int) or version > CHECKPOINT_VERSION:
        raise CheckpointError(
            f"load_checkpoint: {str(path)!r} has layout version {version!r}; this ganlib reads "
            f"versions up to {CHECKPOINT_VERSION}. Upgrade ganlib to read it."
        )
    missing = [key for key in required if key not in state]
    if missing:
        raise CheckpointError(
            f"load_checkpoint: {str(path)!r} lacks the keys {missing}; got keys "
            f"{shown(sorted(state), 200)}. The file is damaged or from an incompatible program."
        )
    return state


def _first_line(error: BaseException) -> str:
    """The first line of an error's message, at most 200 characters."""
    lines = str(error).strip().splitlines()
    line = lines[0] if lines else "(no message)"
    return line if len(line) <= 200 else line[:197] + "..."
