r"""The gradient rules a run may use, and the learning-rate schedule they follow.

Algorithm 1 allows "any standard gradient-based learning rule"; the paper used momentum.
:data:`OPTIMIZERS` names the two rules ``ganlib`` offers, :class:`SGD` and :class:`Adam` are
them (torch's arithmetic, bit for bit, at a fraction of ``torch.optim``'s per-step cost),
:func:`build_optimizer` builds one by name, and :func:`learning_rate` is the
step schedule that :class:`ganlib.TrainConfig` describes with ``lr_decay_steps`` and
``lr_decay``. :func:`ganlib.train` and :func:`ganlib.train_discriminator` both use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from torch import Tensor

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "build_optimizer",
    "learning_rate",
    "schedule_players",
    "set_learning_rate",
]

OPTIMIZERS = ("sgd", "adam")
"""``"sgd"``: SGD with momentum (the paper's rule); ``"adam"``: Adam (Kingma & Ba, 2015)."""


class _Rule:
    """What both rules share: the parameters, one parameter group (its ``"lr"`` is the rate,
    set by :func:`set_learning_rate`), and a state of tensors, one list per name.

    Every parameter is updated at every step; one without a gradient (``grad`` None) is
    updated as if its gradient were zero, where ``torch.optim`` would skip it. Pass only the
    parameters that train.
    """

    name = ""
    _STATE: tuple[str, ...] = ()

    def __init__(self, parameters: Iterable[Tensor], lr: float) -> None:
        self.parameters = list(parameters)
        self.param_groups = [{"lr": lr}]
        self.step_count = 0
        self.state: dict[str, list[Tensor]] = {}

    def state_dict(self) -> dict:
        """The rate, the step count and the state tensors (``torch.load(weights_only=True)``)."""
        return {
            "rule": self.name,
            "lr": self.param_groups[0]["lr"],
            "step_count": self.step_count,
            "state": {key: list(values) for key, values in self.state.items()},
        }

    def load_state_dict(self, state: dict) -> None:
        """Continue from :meth:`state_dict`; ``ValueError`` if it belongs to another rule or
        other parameters."""
        if state.get("rule") != self.name:
            raise ValueError(f"the state is of the rule {state.get('rule')!r}, not {self.name!r}")
        shapes = [tuple(p.shape) for p in self.parameters]
        for key, values in state["state"].items():
            if key not in self._STATE or [tuple(v.shape) for v in values] != shapes:
                raise ValueError(
                    f"the state's {key!r} does not fit the parameters (shapes {shapes})"
                )
        device = self.parameters[0].device
        self.state = {k: [v.to(device) for v in values] for k, values in state["state"].items()}
        self.param_groups[0]["lr"] = state["lr"]
        self.step_count = int(state["step_count"])

    def _grads(self) -> list[Tensor]:
        return [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.parameters]


class SGD(_Rule):
    r"""SGD with momentum, the paper's rule: :math:`v \leftarrow \mu v + g`,
    :math:`\theta \leftarrow \theta - \eta v` (the first step sets :math:`v = g`).

    The arithmetic of ``torch.optim.SGD(momentum=mu)`` (its foreach path, whose results its
    fused path gives too), bit for bit, in three multi-tensor operations per step, without the
    per-step bookkeeping of ``torch.optim`` (hooks, profiler records, parameter-group checks),
    which costs a small network more than the update itself.
    """

    name = "sgd"
    _STATE = ("momentum_buffer",)

    def __init__(self, parameters: Iterable[Tensor], lr: float, momentum: float) -> None:
        super().__init__(parameters, lr)
        self.momentum = momentum

    @torch.no_grad()
    def step(self) -> None:
        grads = self._grads()
        if "momentum_buffer" not in self.state:
            self.state["momentum_buffer"] = [g.detach().clone() for g in grads]
        else:
            buffers = self.state["momentum_buffer"]
            torch._foreach_mul_(buffers, self.momentum)
            torch._foreach_add_(buffers, grads)
        self.step_count += 1
        lr = self.param_groups[0]["lr"]
        torch._foreach_add_(self.parameters, self.state["momentum_buffer"], alpha=-lr)


class Adam(_Rule):
    r"""Adam (Kingma & Ba, 2015): with :math:`t` the step, :math:`m \leftarrow \beta_1 m +
    (1 - \beta_1) g`, :math:`s \leftarrow \beta_2 s + (1 - \beta_2) g^2`, and
    :math:`\theta \leftarrow \theta - \frac{\eta}{1 - \beta_1^t}
    \frac{m}{\sqrt{s} / \sqrt{1 - \beta_2^t} + \epsilon}`, :math:`\epsilon = 10^{-8}`.

    The arithmetic of ``torch.optim.Adam(betas=betas)`` (its foreach path), bit for bit, without
    the per-step bookkeeping of ``torch.optim``.
    """

    name = "adam"
    _STATE = ("exp_avg", "exp_avg_sq")
    EPS = 1e-8

    def __init__(self, parameters: Iterable[Tensor], lr: float, betas: tuple[float, float]) -> None:
        super().__init__(parameters, lr)
        self.betas = betas

    @torch.no_grad()
    def step(self) -> None:
        grads = self._grads()
        if not self.state:
            self.state = {
                key: [torch.zeros_like(p) for p in self.parameters] for key in self._STATE
            }
        exp_avgs, exp_avg_sqs = self.state["exp_avg"], self.state["exp_avg_sq"]
        beta1, beta2 = self.betas
        self.step_count += 1
        torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
        torch._foreach_mul_(exp_avg_sqs, beta2)
        torch._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
        t = float(self.step_count)
        step_size = (self.param_groups[0]["lr"] / (1 - beta1**t)) * -1
        denominators = torch._foreach_sqrt(exp_avg_sqs)
        torch._foreach_div_(denominators, (1 - beta2**t) ** 0.5)
        torch._foreach_add_(denominators, self.EPS)
        torch._foreach_addcdiv_(self.parameters, exp_avgs, denominators, step_size)


def build_optimizer(
    parameters: Iterable[Tensor],
    name: str,
    lr: float,
    *,
    momentum: float = 0.5,
    betas: tuple[float, float] = (0.5, 0.999),
) -> SGD | Adam:
    """:class:`SGD` with ``momentum`` or :class:`Adam` with ``betas``, by :data:`OPTIMIZERS` name.

    ``name`` and the numbers are checked by :class:`ganlib.TrainConfig`, which is where they
    come from.
    """
    if name == "sgd":
        return SGD(parameters, lr, momentum)
    if name == "adam":
        return Adam(parameters, lr, betas)
    raise ValueError(
        f"build_optimizer: name must be one of {list(OPTIMIZERS)}; got {name!r}. "
        "Use 'sgd' (with momentum, the paper) or 'adam'."
    )


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


def set_learning_rate(optimizer: torch.optim.Optimizer | SGD | Adam, lr: float) -> None:
    """Set every parameter group's rate (read at each call: loading a state replaces the
    optimizer's list of groups)."""
    for group in optimizer.param_groups:
        group["lr"] = lr


def schedule_players(optimizers: dict, config, step: int) -> None:
    """Set both players' optimizers to the rates of iteration ``step`` under ``config``'s
    schedule (``generator_lr``, ``discriminator_lr``, ``lr_decay_steps``, ``lr_decay``);
    ``optimizers`` maps ``"generator"`` and ``"discriminator"`` to their optimizers."""
    for who, lr in (("generator", config.generator_lr), ("discriminator", config.discriminator_lr)):
        rate = learning_rate(lr, step, config.lr_decay_steps, config.lr_decay)
        set_learning_rate(optimizers[who], rate)
