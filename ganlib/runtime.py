r"""Where tensors live and how runs are seeded.

``device()`` picks the accelerator a chapter or a training run uses,
``seed_everything()`` seeds every random number generator a run can touch, and
``use_one_thread()`` makes torch compute on one CPU thread, the fastest choice for the book's
small networks. All three are explicit calls: importing ganlib changes no global state.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from ganlib._checks import check_int, device_available

DEVICE_ENV_VAR = "GANLIB_DEVICE"
"""Name of the environment variable that overrides :func:`device` (e.g. ``cpu``, ``cuda:1``)."""


def device() -> torch.device:
    r"""The device a run should use: CUDA when available, then Apple's MPS, then the CPU.

    The environment variable ``GANLIB_DEVICE`` overrides the choice, e.g.
    ``GANLIB_DEVICE=cpu`` to run a chapter on the CPU on a machine that has a GPU.
    Asking for a device this machine does not have is an error, not a silent fallback: a
    ``ValueError``, as for a name that is no torch device, and as for the ``device=`` arguments
    of the library (e.g. :func:`ganlib.load_sklearn_digits`).

    >>> import os
    >>> os.environ["GANLIB_DEVICE"] = "cpu"
    >>> device()
    device(type='cpu')
    >>> del os.environ["GANLIB_DEVICE"]
    """
    requested = os.environ.get(DEVICE_ENV_VAR, "").strip()
    if requested:
        try:
            chosen = torch.device(requested)
        except RuntimeError as error:
            raise ValueError(
                f"device: {DEVICE_ENV_VAR} must name a torch device such as 'cpu', 'cuda' or "
                f"'cuda:1'; got {requested!r}. Unset it to let ganlib choose."
            ) from error
        if not device_available(chosen):
            raise ValueError(
                f"device: {DEVICE_ENV_VAR} must name a device this machine has; got "
                f"{requested!r}, which this machine does not have. Unset {DEVICE_ENV_VAR} or "
                "set it to 'cpu'."
            )
        return chosen
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int) -> torch.Generator:
    r"""Seed Python's ``random``, NumPy's legacy global generator and torch (CPU and CUDA).

    Returns a fresh CPU ``torch.Generator`` seeded with ``seed``, which library functions
    that take ``generator=`` should prefer to the global state.

    >>> g = seed_everything(0)
    >>> a = torch.rand(2, generator=g)
    >>> b = torch.rand(2, generator=seed_everything(0))
    >>> bool((a == b).all())
    True
    """
    fix = "Pass an integer such as 0 (NumPy's legacy generator takes seeds below 2**32)."
    seed = check_int("seed_everything", "seed", seed, minimum=0, maximum=2**32 - 1, fix=fix)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeding the legacy global generator is the point
    torch.manual_seed(seed)  # also seeds every CUDA device
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


def use_one_thread() -> int:
    r"""Make torch run its CPU operations on one thread; returns the previous thread count.

    The book's networks are small (tens to hundreds of units a layer), so a training step is
    hundreds of tiny operations, each costing more in per-operation overhead than in arithmetic.
    A second thread then adds a hand-off and a synchronisation to every operation and gains
    nothing. Measured on the 2-core machine the book is tested on: the 1-D GAN of "Training a
    GAN" runs about 1.1x to 1.2x faster on one thread than on torch's default two when the
    machine is idle, and tens of times faster when another process keeps the second core busy
    (the two threads then contend for one core; a 28 x 28 MLP step was 25x slower). Every
    chapter that trains calls this once, at the top. Networks with wider layers (the benchmarks'
    256-unit MLPs) gain from a second thread instead, so the library itself never sets it.

    >>> previous = use_one_thread()
    >>> torch.get_num_threads()
    1
    >>> torch.set_num_threads(previous)
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    return previous
