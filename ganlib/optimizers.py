r"""The gradient rules a run may use, and the learning-rate schedule they follow.

Algorithm 1 allows "any standard gradient-based learning rule"; the paper used momentum.
:data:`OPTIMIZERS` names the two rules ``ganlib`` offers, :func:`build_optimizer` builds one on
the fastest of torch's implementations that keeps results, and :func:`learning_rate` is the
step schedule that :class:`ganlib.TrainConfig` describes with ``lr_decay_steps`` and
``lr_decay``. :func:`ganlib.train` and :func:`ganlib.train_discriminator` both use them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import torch
from torch import Tensor

__all__ = ["OPTIMIZERS", "build_optimizer", "learning_rate", "set_learning_rate"]

OPTIMIZERS = ("sgd", "adam")
"""``"sgd"``: SGD with momentum (the paper's rule); ``"adam"``: Adam (Kingma & Ba, 2015)."""


def build_optimizer(
    parameters: Iterable[Tensor],
    name: str,
    lr: float,
    *,
    momentum: float = 0.5,
    betas: tuple[float, float] = (0.5, 0.999),
    device: torch.device | str = "cpu",
) -> torch.optim.Optimizer:
    """SGD with ``momentum`` or Adam with ``betas``, for parameters on ``device``.

    A fused kernel updates every parameter in one call: the fastest path on CUDA, and for SGD
    on a one-thread CPU, where it gives the foreach result bit for bit. With several CPU
    threads a fused update opens a parallel region per call, which costs small networks more
    than it saves; and fused Adam rounds differently, so CPU runs keep foreach for Adam.
    ``name`` and the numbers are checked by :class:`ganlib.TrainConfig`, which is where they
    come from.
    """
    parameters = list(parameters)
    if name == "sgd":
        build = functools.partial(torch.optim.SGD, lr=lr, momentum=momentum)
    elif name == "adam":
        build = functools.partial(torch.optim.Adam, lr=lr, betas=betas)
    else:
        raise ValueError(
            f"build_optimizer: name must be one of {list(OPTIMIZERS)}; got {name!r}. "
            "Use 'sgd' (with momentum, the paper) or 'adam'."
        )
    device = torch.device(device)
    one_thread_sgd = name == "sgd" and torch.get_num_threads() == 1
    if device.type == "cuda" or (device.type == "cpu" and one_thread_sgd):
        try:
            return build(parameters, fused=True)
        except (RuntimeError, TypeError, ValueError):  # an older torch without this kernel
            pass
    return build(parameters, foreach=True)


def learning_rate(lr: float, step: int, decay_steps: Sequence[int], decay: float) -> float:
    r"""The rate of iteration ``step`` (0-based) under a step schedule.

    .. math:: \eta_t = \eta_0 \, \gamma^{\#\{s \in S :\, s \le t\}}

    with ``decay_steps`` :math:`S` (counts of finished iterations) and ``decay``
    :math:`\gamma`. It is computed from the count of decays before ``step``, never multiplied
    in place, so a resumed run follows the schedule of an uninterrupted one.

    >>> [learning_rate(1.0, t, (2, 4), 0.5) for t in range(6)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """
    return lr * decay ** sum(1 for after in decay_steps if after <= step)


def set_learning_rate(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Set every parameter group's rate (read at each call: loading a state replaces the
    optimizer's list of groups)."""
    for group in optimizer.param_groups:
        group["lr"] = lr
