r"""Training: Algorithm 1 of the paper, and its discriminator half on fixed distributions.

:func:`train` runs Algorithm 1 of Goodfellow et al. (2014), with :math:`V(D, G) =
\mathbb E \log D(x) + \mathbb E \log(1 - D(G(z)))`:

    **for** each training iteration **do**
        **for** k steps **do**
            sample m noise samples :math:`z^{(i)} \sim p_z` and m examples
            :math:`x^{(i)} \sim p_{data}`; update the discriminator by *ascending*
            :math:`\nabla_{\theta_d} \frac1m \sum_i [\log D(x^{(i)}) + \log(1 - D(G(z^{(i)})))]`
        **end for**
        sample m noise samples :math:`z^{(i)} \sim p_z`; update the generator by *descending*
        :math:`\nabla_{\theta_g} \frac1m \sum_i \log(1 - D(G(z^{(i)})))`
    **end for**

The discriminator ascends V by descending :func:`ganlib.minimax_discriminator_loss`; the
generator descends :func:`ganlib.minimax_generator_loss` (``generator_loss="minimax"``, the
box above) or the paper's practical alternative :func:`ganlib.nonsaturating_generator_loss`.
:class:`TrainConfig` holds every choice, :class:`History` what the run recorded.

How the loop is built, and why:

* **Randomness.** Data and noise come from one CPU ``torch.Generator`` seeded with
  ``config.seed`` and are moved to the networks' device, so a run draws the same numbers on
  every device. Dropout uses torch's global RNG: ``train`` forks it, seeds it from the run, and
  gives the caller's state back at the end, so the caller's global RNG is left untouched.
* **No host sync per step.** The per-step figures are written into a preallocated tensor on
  the device and copied to the CPU every :data:`READBACK_EVERY` steps, where the divergence
  guard checks them: a NaN or inf raises :class:`TrainingDivergedError` naming the first bad
  step and quantity. Data and noise go to the device with ``non_blocking=True``, which stages
  the copy from pageable memory without waiting for the device's queue.
* **Speed on small networks** (a per-operation overhead game on a CPU): one discriminator
  pass on the concatenated real and fake batch; the generator runs without autograd in the
  discriminator's steps; the discriminator's parameters are frozen in the generator's step so
  that their gradients are not computed; one fused kernel for the discriminator's loss;
  gradients set to None rather than zeroed; fused (or foreach) optimizers.
  ``benchmarks/`` measures the gain over a loop written the way tutorials write it.
* **Checkpoints** (:mod:`ganlib.checkpoint`) hold the networks, optimizers, both RNG states
  and the history: a run resumed from step n ends bit for bit where the uninterrupted run
  ends, on the same device (on the CPU always; CUDA kernels may not be deterministic).

:func:`train_discriminator` runs the inner loop alone, with the generator replaced by a fixed
distribution :math:`p_g`: trained long enough it approaches Proposition 1's
:math:`D^* = p_{data} / (p_{data} + p_g)`.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import Tensor, nn
from torch.nn.functional import binary_cross_entropy_with_logits
from tqdm import tqdm

from ganlib.checkpoint import load_checkpoint, save_checkpoint
from ganlib.config import TrainConfig
from ganlib.losses import (
    minimax_discriminator_loss,
    minimax_generator_loss,
    nonsaturating_generator_loss,
)

__all__ = [
    "GENERATOR_LOSSES",
    "History",
    "Sampler",
    "TrainConfig",
    "TrainingDivergedError",
    "sample_noise",
    "train",
    "train_discriminator",
]

GENERATOR_LOSSES: Mapping[str, Callable[[Tensor], Tensor]] = {
    "minimax": minimax_generator_loss,
    "nonsaturating": nonsaturating_generator_loss,
}
"""The generator losses :class:`TrainConfig` knows, by name; each takes the fakes' logits."""

READBACK_EVERY = 256
"""Steps between two copies of the recorded figures to the CPU (and divergence checks)."""

SNAPSHOT_SAMPLES = 1000
"""How many samples of G on fixed noise the default snapshot records."""

_QUANTITIES = ("discriminator_loss", "d_real", "d_fake", "generator_loss")  # in step order
_SAID = ("the discriminator loss", "mean D(x)", "mean D(G(z))", "the generator loss")
_RESUME_MAY_CHANGE = ("steps", "snapshot_steps", "checkpoint_every")


class Sampler(Protocol):
    """Anything that draws seeded samples the way ``ganlib``'s distributions do."""

    def sample(
        self,
        sample_shape: tuple[int, ...],
        generator: torch.Generator | None = None,
        *,
        dtype: torch.dtype = torch.float64,
    ) -> Tensor: ...


# --- what a run records ----------------------------------------------------------------------


@dataclass
class History:
    """What :func:`train` recorded: one entry per iteration, float tensors on the CPU.

    ``discriminator_loss``, ``d_real`` (mean :math:`D(x)`) and ``d_fake`` (mean
    :math:`D(G(z))`) come from the last of the iteration's k discriminator steps, before its
    update; ``generator_loss`` from the generator's step. ``snapshots`` maps an iteration
    count (0 = before training) to what the snapshot function returned then.
    """

    discriminator_loss: Tensor = field(default_factory=lambda: torch.empty(0))
    d_real: Tensor = field(default_factory=lambda: torch.empty(0))
    d_fake: Tensor = field(default_factory=lambda: torch.empty(0))
    generator_loss: Tensor = field(default_factory=lambda: torch.empty(0))
    snapshots: dict[int, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.discriminator_loss.numel()

    def to_dict(self) -> dict[str, Any]:
        """Tensors and a dict of snapshots: loadable with ``torch.load(weights_only=True)``."""
        return {**{name: getattr(self, name) for name in _QUANTITIES}, "snapshots": self.snapshots}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> History:
        return cls(**{name: values[name] for name in _QUANTITIES}, snapshots=values["snapshots"])

    def _extend(self, chunk: Tensor) -> None:
        """Append a read-back chunk of shape ``(n, 4)``, columns in ``_QUANTITIES`` order."""
        for column, name in enumerate(_QUANTITIES):
            old = getattr(self, name).to(chunk.dtype)
            setattr(self, name, torch.cat((old, chunk[:, column])))

    def _truncated(self, steps: int) -> History:
        kept = {name: getattr(self, name)[:steps] for name in _QUANTITIES}
        return History(**kept, snapshots={s: v for s, v in self.snapshots.items() if s <= steps})


class TrainingDivergedError(FloatingPointError):
    """A loss or a parameter became NaN or infinite. ``step`` is the first bad iteration,
    ``quantity`` what went bad, ``history`` the record of the iterations before it."""

    def __init__(self, message: str, *, step: int, quantity: str, history: History) -> None:
        super().__init__(message)
        self.step, self.quantity, self.history = step, quantity, history


class _Recorder:
    """Per-step figures in a preallocated device tensor, copied to the CPU in chunks."""

    def __init__(self, history: History, device: torch.device, dtype: torch.dtype) -> None:
        self.history = history
        self.buffer = torch.empty((READBACK_EVERY, len(_QUANTITIES)), device=device, dtype=dtype)
        self.rows = 0

    def record(self, d_loss: Tensor, d_means: Tensor, g_loss: Tensor) -> bool:
        """Write one iteration's figures (no sync); True when the buffer is full."""
        d_real, d_fake = d_means.unbind()
        torch.stack((d_loss.detach(), d_real, d_fake, g_loss.detach()), out=self.buffer[self.rows])
        self.rows += 1
        return self.rows == READBACK_EVERY

    def read_back(self, networks: dict[str, nn.Module], config: TrainConfig) -> None:
        """Copy the figures to the history, or raise at the first non-finite one."""
        first = len(self.history)
        chunk = self.buffer[: self.rows].cpu()  # (rows, 4): the one host sync per chunk
        self.rows = 0
        bad = ~torch.isfinite(chunk)
        if bool(bad.any()):
            row, column = (int(i) for i in bad.nonzero()[0])  # row-major: the first in time
            value = float(chunk[row, column])
            self.history._extend(chunk[:row])
            _diverged(first + row, _SAID[column], value, config, self.history)
        self.history._extend(chunk)
        for who, network in networks.items():
            named = list(network.named_parameters())
            finite = torch.stack([torch.isfinite(p).all() for _, p in named]).cpu()
            if not bool(finite.all()):
                name, value = next(
                    (n, p) for (n, p), ok in zip(named, finite, strict=True) if not ok
                )
                worst = float(value.detach()[~torch.isfinite(value.detach())][0])
                step = len(self.history) - 1  # the losses were finite up to here
                self.history = self.history._truncated(step)
                _diverged(step, f"the {who} parameter {name!r}", worst, config, self.history)


def _diverged(step: int, what: str, value: float, config: TrainConfig, history: History):
    raise TrainingDivergedError(
        f"train: {what} became {value} at step {step} (of {config.steps}); training stopped. "
        f"Lower the learning rates (discriminator_lr={config.discriminator_lr}, generator_lr="
        f"{config.generator_lr}) or change the optimizer. This error's .history holds the "
        f"figures of the {step} steps before.",
        step=step,
        quantity=what,
        history=history,
    )


# --- Algorithm 1 -----------------------------------------------------------------------------


def train(
    generator: nn.Module,
    discriminator: nn.Module,
    p_data: Sampler,
    config: TrainConfig,
    *,
    progress: bool = False,
    snapshot: Callable[[nn.Module, nn.Module, int], Any] | None = None,
    checkpoint_path: str | Path | None = None,
    resume: bool | str | Path = False,
    stop_when: Callable[[Any, int], Any] | None = None,
) -> History:
    r"""Train ``generator`` against ``discriminator`` on ``p_data`` with Algorithm 1.

    The networks must already be on the device to train on (``train`` never picks one) and
    share it and a floating dtype; the discriminator returns logits. They are changed in
    place, and left in the train/eval modes they came in.

    Args:
        generator: maps ``(m, config.latent_dim)`` noise to ``(m, *data)`` samples.
        discriminator: maps samples to one logit each, ``(m, 1)``. It sees the real and fake
            batch in one pass, so it may not hold batch statistics (BatchNorm).
        p_data: the data distribution; anything with ``sample(shape, generator, dtype=)``.
        config: a :class:`TrainConfig`.
        progress: show a tqdm progress bar on stderr (off by default, for chapters and CI).
        snapshot: called as ``snapshot(generator, discriminator, step)`` under
            ``torch.no_grad()``, with both networks in eval mode, at each of
            ``config.snapshot_steps``; it returns a tensor or a dict of tensors, which is
            stored on the CPU in ``history.snapshots[step]``. It must draw any random numbers
            from its own ``torch.Generator`` (the global RNG is restored after it). By default:
            G's samples on fixed noise (:data:`SNAPSHOT_SAMPLES` draws made once from the seed).
        checkpoint_path: where to save a checkpoint every ``config.checkpoint_every`` steps and
            at the end; None saves none.
        resume: False, or True to resume from ``checkpoint_path``, or the path of a checkpoint.
            The run continues from the checkpoint's step to ``config.steps`` with its networks,
            optimizers, RNG states and history; ``config`` must match the checkpoint's except
            for ``steps``, ``snapshot_steps`` and ``checkpoint_every``.
        stop_when: called as ``stop_when(snapshot, step)`` with each snapshot as soon as it is
            recorded; a true result ends the run at that step (early stopping: train until a
            metric computed by the snapshot function reaches its target). None trains all
            ``config.steps`` iterations.

    Returns:
        The :class:`History` of all ``config.steps`` iterations (a resumed run's included), or
        of the ``step`` iterations before ``stop_when`` ended the run (``len(history)``).

    Raises:
        TrainingDivergedError: when a loss, mean D or parameter becomes NaN or infinite.

    >>> from ganlib import Gaussian1d, discriminator, generator, init_weights
    >>> rng = torch.Generator().manual_seed(0)
    >>> g = init_weights(generator(1, 1, (16,), output=None), generator=rng)
    >>> d = init_weights(discriminator(1, (16,)), generator=rng)
    >>> history = train(g, d, Gaussian1d(4.0, 0.5), TrainConfig(steps=20, batch_size=32))
    >>> len(history), history.d_real.shape
    (20, torch.Size([20]))
    """
    device, dtype = _check_networks(generator, discriminator, config)
    _check_sampler("train", "p_data", p_data)
    if snapshot is not None and not callable(snapshot):
        raise TypeError(
            f"train: snapshot must be callable as snapshot(generator, discriminator, step) or "
            f"None; got {type(snapshot).__name__}. Pass a function, or None for G's samples."
        )
    if stop_when is not None and not callable(stop_when):
        raise TypeError(
            f"train: stop_when must be callable as stop_when(snapshot, step) or None; got "
            f"{type(stop_when).__name__}. Pass e.g. lambda samples, step: step >= 1000."
        )
    resume_from = _resume_path(resume, checkpoint_path, config)
    m, k = config.batch_size, config.k
    rng = torch.Generator().manual_seed(config.seed)  # all data and noise of the run
    fixed_seed, global_seed = torch.randint(2**62, (2,), generator=rng).tolist()
    fixed_rng = torch.Generator().manual_seed(fixed_seed)
    labels = _labels(m, config.real_label, dtype, device)  # (2m, 1): real_label, then 0
    fixed_noise = sample_noise(SNAPSHOT_SAMPLES, config, fixed_rng, dtype=dtype).to(device)
    if snapshot is None:
        snapshot = lambda generator, discriminator, step: generator(fixed_noise)  # noqa: E731
    d_optimizer = _optimizer(discriminator, config.discriminator_lr, config, device)
    g_optimizer = _optimizer(generator, config.generator_lr, config, device)
    generator_loss = GENERATOR_LOSSES[config.generator_loss]
    decay_steps = set(config.lr_decay_steps)
    snapshot_steps = set(config.snapshot_steps)
    d_parameters = [p for p in discriminator.parameters() if p.requires_grad]
    g_parameters = list(generator.parameters())
    networks = {"generator": generator, "discriminator": discriminator}

    def save(history: History, step: int) -> None:
        save_checkpoint(
            {
                "step": step,
                "config": config.to_dict(),
                "p_data": _describe(p_data),
                "generator": generator.state_dict(),
                "discriminator": discriminator.state_dict(),
                "generator_optimizer": g_optimizer.state_dict(),
                "discriminator_optimizer": d_optimizer.state_dict(),
                "rng": rng.get_state(),
                "global_rng": _global_rng_state(device),
                "history": history.to_dict(),
            },
            checkpoint_path,
        )

    with contextlib.ExitStack() as stack:
        stack.enter_context(_own_global_rng(device, global_seed))
        stack.enter_context(_train_mode(generator, discriminator))
        stack.enter_context(_trainable_again(d_parameters))
        history, start = History(), 0
        if resume_from is not None:
            history, start = _restore(
                resume_from,
                config,
                p_data,
                networks,
                rng,
                device,
                {"generator": g_optimizer, "discriminator": d_optimizer},
            )
        recorder = _Recorder(history, device, dtype)
        bar = stack.enter_context(
            tqdm(
                total=config.steps,
                initial=start,
                disable=not progress,
                desc="train",
                unit="step",
                dynamic_ncols=True,
            )
        )

        def read_back() -> None:
            recorder.read_back(networks, config)
            if progress and len(recorder.history):  # the latest figures beside the bar
                last = {"D(x)": recorder.history.d_real, "D(G(z))": recorder.history.d_fake}
                bar.set_postfix({key: f"{float(v[-1]):.3f}" for key, v in last.items()}, False)

        def take_snapshot(step: int) -> bool:
            """Record the snapshot of ``step``; whether ``stop_when`` ends the run there."""
            value = _snapshot(snapshot, networks, step, device)
            recorder.history.snapshots[step] = value
            return stop_when is not None and bool(stop_when(value, step))

        _set_learning_rates(config, g_optimizer, d_optimizer, start)  # a resume's too
        end = config.steps
        for step in range(start, config.steps):
            if step in snapshot_steps and step not in recorder.history.snapshots:
                if take_snapshot(step):
                    end = step
                    break
            if step in decay_steps:
                _set_learning_rates(config, g_optimizer, d_optimizer, step)
            for _ in range(k):
                # Sample a minibatch of m noise samples z ~ p_z and m examples x ~ p_data.
                z = sample_noise(m, config, rng, dtype=dtype).to(
                    device, non_blocking=True
                )  # (m, d)
                x_real = p_data.sample((m,), rng, dtype=dtype).to(device, non_blocking=True)
                with torch.no_grad():  # G is held fixed in the discriminator's steps
                    x_fake = generator(z)  # (m, *data)
                # Update D by ascending (1/m) sum [log D(x) + log(1 - D(G(z)))]: descend -V.
                logits = discriminator(torch.cat((x_real, x_fake)))  # (2m, 1), one pass
                d_loss = _discriminator_loss(logits, labels)  # minimax_discriminator_loss
                _clear_gradients(d_parameters)
                d_loss.backward()
                d_optimizer.step()
            # Sample a minibatch of m noise samples z ~ p_z.
            z = sample_noise(m, config, rng, dtype=dtype).to(device, non_blocking=True)  # (m, d)
            # Update G by descending (1/m) sum log(1 - D(G(z))) (or -log D(G(z))), D frozen.
            for parameter in d_parameters:
                parameter.requires_grad_(False)  # no gradients for D's weights in G's step
            g_loss = generator_loss(discriminator(generator(z)))
            _clear_gradients(g_parameters)
            g_loss.backward()
            g_optimizer.step()
            for parameter in d_parameters:
                parameter.requires_grad_(True)
            # Record mean D(x) and D(G(z)) of the last D step, on the device.
            d_means = torch.sigmoid(logits.detach()).reshape(2, -1).mean(1)  # (2,)
            if recorder.record(d_loss, d_means, g_loss):
                read_back()
            done = step + 1
            if config.checkpoint_every and done % config.checkpoint_every == 0:
                read_back()
                save(recorder.history, done)
            bar.update()
        read_back()
        history = recorder.history
        if end == config.steps and end in snapshot_steps and end not in history.snapshots:
            take_snapshot(end)  # stop_when sees it too; the run ends here anyway
        if checkpoint_path is not None:
            save(history, end)
    return history


def _set_learning_rates(config: TrainConfig, g_optimizer, d_optimizer, step: int) -> None:
    """Set both rates for iteration ``step`` (0-based) of ``config.lr_decay_steps``' schedule.

    The rate is computed from the count of decays before ``step``, not multiplied in place, so
    a resumed run (whose optimizers come back with their rates) follows the same schedule.
    """
    factor = config.lr_decay ** sum(1 for after in config.lr_decay_steps if after <= step)
    for lr, optimizer in (
        (config.generator_lr, g_optimizer),
        (config.discriminator_lr, d_optimizer),
    ):
        for group in optimizer.param_groups:  # read here: a resume replaces the list
            group["lr"] = lr * factor


# --- the machinery around the loop ------------------------------------------------------------


def _check_module(function: str, name: str, value: object, example: str) -> nn.Module:
    if not isinstance(value, nn.Module):
        raise TypeError(
            f"{function}: {name} must be a torch.nn.Module; got {type(value).__name__}. "
            f"Build one with {example}."
        )
    return value


def _check_sampler(function: str, name: str, sampler: object) -> None:
    if not callable(getattr(sampler, "sample", None)):
        raise TypeError(
            f"{function}: {name} must have a sample(sample_shape, generator, dtype=...) "
            f"method; got {type(sampler).__name__}. Pass a ganlib distribution."
        )


def _first_width(network: nn.Module) -> int | None:
    """``in_features`` of the first layer that has one (Linear, Maxout), if any."""
    return next((int(m.in_features) for m in network.modules() if hasattr(m, "in_features")), None)


def _check_networks(generator: object, discriminator: object, config: object):
    """Both are modules with parameters on one device and floating dtype; returns those."""
    _check_module("train", "generator", generator, "ganlib.generator(latent_dim, data_dim)")
    _check_module("train", "discriminator", discriminator, "ganlib.discriminator(data_dim)")
    if not isinstance(config, TrainConfig):
        raise TypeError(
            f"train: config must be a TrainConfig; got {type(config).__name__}. "
            "Pass e.g. TrainConfig(steps=1000)."
        )
    found = {}
    for name, network in (("generator", generator), ("discriminator", discriminator)):
        parameter = next(network.parameters(), None)
        if parameter is None or not parameter.is_floating_point():
            raise ValueError(
                f"train: {name} must have floating-point parameters to train; got "
                f"{'none' if parameter is None else parameter.dtype}."
            )
        found[name] = (parameter.device, parameter.dtype)
    if found["generator"] != found["discriminator"]:
        raise ValueError(
            f"train: generator and discriminator must share a device and dtype; got "
            f"{found['generator']} and {found['discriminator']}. Move both, e.g. with "
            "network.to(ganlib.device())."
        )
    width = _first_width(generator)
    if width is not None and width != config.latent_dim:
        raise ValueError(
            f"train: config.latent_dim must be the generator's input width; got latent_dim="
            f"{config.latent_dim} for a generator whose first layer takes {width}. Pass "
            f"TrainConfig(latent_dim={width}, ...) or build the generator for the noise."
        )
    batch_statistics = nn.modules.batchnorm._BatchNorm
    if any(isinstance(module, batch_statistics) for module in discriminator.modules()):
        raise ValueError(
            "train: discriminator must not use batch statistics (BatchNorm): it sees real and "
            "fake samples in one batch. Remove the BatchNorm layers."
        )
    return found["generator"]


def _resume_path(resume: object, checkpoint_path: object, config: TrainConfig) -> Path | None:
    if config.checkpoint_every and checkpoint_path is None:
        raise ValueError(
            f"train: checkpoint_path must be given when config.checkpoint_every is set; got "
            f"None with checkpoint_every={config.checkpoint_every}. Pass checkpoint_path=... "
            "or set checkpoint_every=0."
        )
    if resume is False or resume is None:
        return None
    if resume is True:
        if checkpoint_path is None:
            raise ValueError(
                "train: resume=True needs checkpoint_path (the checkpoint to resume from); got "
                "None. Pass checkpoint_path=..., or resume=<path of a checkpoint>."
            )
        return Path(checkpoint_path)
    if isinstance(resume, str | Path):
        return Path(resume)
    raise TypeError(
        f"train: resume must be False, True or a checkpoint path; got {type(resume).__name__} "
        f"{resume!r}."
    )


def _describe(p_data: object) -> str:
    """A description of p_data to check a resumed run against (no memory addresses)."""
    text = repr(p_data)
    return type(p_data).__qualname__ if text == object.__repr__(p_data) else text


def _restore(path, config, p_data, networks, rng, device, optimizers) -> tuple[History, int]:
    """Load a checkpoint into the run's objects; returns its history and step."""
    keys = (
        "step",
        "config",
        "p_data",
        "generator",
        "discriminator",
        "generator_optimizer",
        "discriminator_optimizer",
        "rng",
        "global_rng",
        "history",
    )
    state = load_checkpoint(path, required=keys)
    saved = TrainConfig.from_dict(state["config"])
    for name in (f.name for f in fields(TrainConfig)):
        if name not in _RESUME_MAY_CHANGE and getattr(saved, name) != getattr(config, name):
            raise ValueError(
                f"train: config.{name} must match the checkpoint's to resume exactly; got "
                f"{getattr(config, name)!r}, the checkpoint {str(path)!r} has "
                f"{getattr(saved, name)!r}. Resume with TrainConfig.from_dict(checkpoint "
                "['config']) and a new steps, or start a new run."
            )
    step = state["step"]
    if step > config.steps:
        raise ValueError(
            f"train: config.steps must be at least the checkpoint's step to resume; got "
            f"steps={config.steps}, the checkpoint {str(path)!r} is at step {step}."
        )
    if state["p_data"] != _describe(p_data):
        raise ValueError(
            f"train: p_data must be the checkpoint's to resume; got {_describe(p_data)}, the "
            f"checkpoint {str(path)!r} was trained on {state['p_data']}."
        )
    for who, network in networks.items():
        try:
            network.load_state_dict(state[who])
            optimizers[who].load_state_dict(state[f"{who}_optimizer"])
        except (RuntimeError, ValueError, KeyError) as error:
            raise ValueError(
                f"train: {who} must have the architecture of the checkpoint's to resume; "
                f"loading {str(path)!r} failed: {error}"
            ) from error
    rng.set_state(state["rng"])
    _set_global_rng_state(device, state["global_rng"])
    return History.from_dict(state["history"]), step


def sample_noise(
    n: int, config: TrainConfig, generator: torch.Generator, *, dtype: torch.dtype = torch.float32
) -> Tensor:
    r"""n draws of the noise :math:`z \sim p_z` that ``config`` names, on the generator's device.

    ``config.noise="normal"`` is :math:`\mathcal N(0, I)`; ``"uniform"`` is
    :math:`U(-\sqrt3, \sqrt3)` on each of the ``config.latent_dim`` axes (unit variance, the
    interval of the paper's code). Returns shape ``(n, latent_dim)``; ``generator`` is a
    seeded ``torch.Generator``, so the global RNG is not touched.

    >>> z = sample_noise(4, TrainConfig(noise="uniform"), torch.Generator().manual_seed(0))
    >>> z.shape, bool(z.abs().max() <= 3**0.5)
    (torch.Size([4, 1]), True)
    """
    shape = (n, config.latent_dim)
    if config.noise == "normal":
        return torch.randn(shape, generator=generator, dtype=dtype, device=generator.device)
    uniform = torch.rand(shape, generator=generator, dtype=dtype, device=generator.device)
    return (2 * uniform - 1) * math.sqrt(3)  # U(0, 1) to U(-sqrt 3, sqrt 3)


def _optimizer(
    network: nn.Module, lr: float, config: TrainConfig, device: torch.device
) -> torch.optim.Optimizer:
    """SGD with momentum or Adam, on the fastest of torch's implementations that keeps results.

    A fused kernel updates every parameter in one call: the fastest path on CUDA, and for SGD
    on a one-thread CPU, where it gives the foreach result bit for bit. With several CPU
    threads a fused update opens a parallel region per call, which costs small networks more
    than it saves; and fused Adam rounds differently, so CPU runs keep foreach for Adam.
    """
    parameters = list(network.parameters())
    if config.optimizer == "sgd":
        build = functools.partial(torch.optim.SGD, lr=lr, momentum=config.momentum)
    else:
        build = functools.partial(torch.optim.Adam, lr=lr, betas=config.adam_betas)
    one_thread_sgd = config.optimizer == "sgd" and torch.get_num_threads() == 1
    if device.type == "cuda" or (device.type == "cpu" and one_thread_sgd):
        try:
            return build(parameters, fused=True)
        except (RuntimeError, TypeError, ValueError):  # an older torch without this kernel
            pass
    return build(parameters, foreach=True)


def _labels(m: int, real_label: float, dtype: torch.dtype, device: torch.device) -> Tensor:
    """The targets of the concatenated batch: ``real_label`` for the m data, 0 for the m fakes."""
    labels = torch.zeros((2 * m, 1), dtype=dtype, device=device)
    labels[:m] = real_label
    return labels


def _discriminator_loss(logits: Tensor, labels: Tensor) -> Tensor:
    r""":func:`ganlib.minimax_discriminator_loss` of ``logits[:m]`` (data) and ``logits[m:]``
    (fakes), in one fused kernel on the concatenated batch.

    Binary cross-entropy with target t is :math:`t \operatorname{softplus}(-l) + (1 - t)
    \operatorname{softplus}(l)`; its mean over the 2m logits is half the sum of the two halves'
    means, so twice it is the minimax loss (with one-sided smoothing when ``real_label < 1``).
    ``tests/test_train.py`` checks the two agree.
    """
    return 2 * binary_cross_entropy_with_logits(logits, labels.view_as(logits))


def _clear_gradients(parameters: list[Tensor]) -> None:
    """``optimizer.zero_grad(set_to_none=True)``, without its per-call overhead (profiling
    hooks), which costs more than the update itself for small networks."""
    for parameter in parameters:
        parameter.grad = None


def _snapshot(function: Callable, networks: dict[str, nn.Module], step: int, device) -> Any:
    """Call the snapshot function in eval mode, without gradients or changing the RNG."""
    generator, discriminator = networks["generator"], networks["discriminator"]
    state = _global_rng_state(device)
    generator.eval(), discriminator.eval()
    try:
        with torch.no_grad():
            value = function(generator, discriminator, step)
    finally:
        generator.train(), discriminator.train()
        _set_global_rng_state(device, state)
    if isinstance(value, Tensor):
        return value.detach().cpu()
    if isinstance(value, dict) and all(isinstance(v, Tensor) for v in value.values()):
        return {key: v.detach().cpu() for key, v in value.items()}
    raise TypeError(
        f"train: snapshot must return a tensor or a dict of tensors; got "
        f"{type(value).__name__} at step {step}. Return e.g. generator(z) or "
        "{'samples': ..., 'd': ...}."
    )


def _global_rng_state(device: torch.device) -> dict[str, Tensor | None]:
    cuda = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
    return {"cpu": torch.get_rng_state(), "cuda": cuda}


def _set_global_rng_state(device: torch.device, state: dict[str, Tensor | None]) -> None:
    torch.set_rng_state(state["cpu"])
    if device.type == "cuda" and state["cuda"] is not None:
        torch.cuda.set_rng_state(state["cuda"], device)


@contextlib.contextmanager
def _own_global_rng(device: torch.device, seed: int) -> Iterator[None]:
    """Seed the global RNG (dropout's) from the run; give the caller's state back after."""
    cuda = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda, device_type="cuda" if cuda else "cpu"):
        torch.default_generator.manual_seed(seed)
        if cuda:
            index = device.index if device.index is not None else torch.cuda.current_device()
            torch.cuda.default_generators[index].manual_seed(seed)
        yield


@contextlib.contextmanager
def _train_mode(*networks: nn.Module) -> Iterator[None]:
    """Put the networks in training mode (dropout on); restore their modes afterwards."""
    modes = [[(module, module.training) for module in net.modules()] for net in networks]
    for network in networks:
        network.train()
    try:
        yield
    finally:
        for module, training in (pair for modes_of in modes for pair in modes_of):
            module.training = training


@contextlib.contextmanager
def _trainable_again(parameters: list[Tensor]) -> Iterator[None]:
    """Make sure D's parameters require gradients again, even if a step raises."""
    try:
        yield
    finally:
        for parameter in parameters:
            parameter.requires_grad_(True)


# --- the discriminator's half, against a fixed distribution ----------------------------------


def train_discriminator(
    discriminator: nn.Module,
    optimizer: torch.optim.Optimizer,
    p_data: Sampler,
    p_g: Sampler,
    *,
    steps: int,
    batch_size: int,
    generator: torch.Generator,
    real_label: float = 1.0,
) -> Tensor:
    r"""Train ``discriminator`` to tell samples of ``p_data`` from samples of ``p_g``.

    Each of the ``steps`` steps draws ``batch_size`` fresh samples from each distribution
    with the seeded ``generator`` (a CPU ``torch.Generator``: the draw is the same on every
    device), moves them to the discriminator's device and dtype, and takes one optimizer step
    on :func:`ganlib.minimax_discriminator_loss` of the discriminator's logits, ascending

    .. math:: \frac1m \sum_{i=1}^m
        \Big[\log D\big(x^{(i)}\big) + \log\big(1 - D(\tilde x^{(i)})\big)\Big].

    ``real_label`` below 1 is one-sided label smoothing, off by default as in the paper.

    Returns the loss at every step, a tensor of shape ``(steps,)`` on the discriminator's
    device, read back by the caller when it wants them (no host sync inside the loop).

    >>> from ganlib import Gaussian1d, discriminator, init_weights
    >>> seed = torch.Generator().manual_seed(0)
    >>> net = init_weights(discriminator(1, (16,)), generator=seed)
    >>> optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    >>> losses = train_discriminator(net, optimizer, Gaussian1d(-2.0, 1.0),
    ...                              Gaussian1d(2.0, 1.0), steps=200, batch_size=64,
    ...                              generator=seed)
    >>> bool(losses[-20:].mean() < losses[:20].mean())   # it learns to tell them apart
    True
    """
    function = "train_discriminator"
    _check_module(function, "discriminator", discriminator, "ganlib.discriminator(...)")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"{function}: optimizer must be a torch.optim.Optimizer; got "
            f"{type(optimizer).__name__}. Pass e.g. torch.optim.Adam(discriminator.parameters())."
        )
    for name, sampler in (("p_data", p_data), ("p_g", p_g)):
        _check_sampler(function, name, sampler)
    for name, value in (("steps", steps), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{function}: {name} must be a positive int; got {value!r}.")
    if not isinstance(generator, torch.Generator) or generator.device.type != "cpu":
        raise TypeError(
            f"{function}: generator must be a CPU torch.Generator; got {generator!r}. "
            "Pass torch.Generator().manual_seed(seed)."
        )
    if (
        isinstance(real_label, bool)
        or not isinstance(real_label, Real)
        or not (0 < real_label <= 1)
    ):
        raise ValueError(
            f"{function}: real_label must lie in (0, 1]; got {real_label!r}. "
            "1 is the paper's label; 0.9 is a common one-sided smoothing."
        )
    parameter = next(discriminator.parameters())
    device, dtype = parameter.device, parameter.dtype

    discriminator.train()
    losses = torch.empty(steps, device=device, dtype=dtype)
    for step in range(steps):
        # Sample a minibatch of m examples from the data and m from the generator's p_g.
        x_real = p_data.sample((batch_size,), generator, dtype=dtype).to(device)  # (m, dim)
        x_fake = p_g.sample((batch_size,), generator, dtype=dtype).to(device)  # (m, dim)
        # Ascend V by descending -V, the binary cross-entropy with labels 1 and 0.
        loss = minimax_discriminator_loss(
            discriminator(x_real), discriminator(x_fake), real_label=real_label
        )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses[step] = loss.detach()
    discriminator.eval()
    return losses
