r"""The state of one training run, and everything :func:`ganlib.train` does around Algorithm 1.

A :class:`Run` owns what a run is made of: the two networks and their optimizers, the noise
prior, the seeded random number generators (one CPU ``torch.Generator`` for all data and
noise, and torch's global RNG, which dropout uses, forked for the run), the history, the
step and the learning-rate schedule. The configuration is read once, when the run is built.
Its :meth:`Run.state_dict` is the one checkpoint schema and :meth:`Run.load_state_dict` its
inverse, so a run resumed from step n ends bit for bit where the uninterrupted run ends (on
the CPU; CUDA kernels may not be deterministic).

``train`` asks the run for fresh data and noise, and hands it each iteration's figures; the
run's :meth:`Run.iterations` does the rest between two iterations: snapshots and early
stopping, the schedule, read-back of the figures with the divergence guard, checkpoints and
the progress bar.

* **Randomness.** Data and noise come from the run's CPU generator, seeded with
  ``config.seed``, and are moved to the networks' device, so a run draws the same numbers on
  every device. The global RNG is seeded from the run inside the ``with run:`` block and the
  caller's state is given back when it ends.
* **No host sync per step.** The figures stay on the device and are read back every
  :data:`ganlib.history.READBACK_EVERY` steps (:class:`ganlib.history.Recorder`).
* **Checked before the first step.** The run calls G on two rows of its fixed noise and D on
  those fakes and two draws of ``p_data`` (from a generator of its own, in eval mode, without
  gradients, the global RNG given back), so that networks that do not fit the data fail with a
  message naming the widths, and the run's random numbers stay untouched.
* **Ctrl-C.** In the main thread, where SIGINT has Python's default handler, ``with run:``
  defers a Ctrl-C to the end of the iteration under way: the run then saves its checkpoint
  (if it has a ``checkpoint_path``) at that step and raises ``KeyboardInterrupt``. A second
  Ctrl-C interrupts at once. The previous handler is restored when the block ends.
* **Checked when loaded.** :meth:`Run.load_state_dict` checks the type and shape of every
  entry of a state before it changes anything; an inconsistent one is a
  :class:`ganlib.CheckpointError` naming the source and the entry.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import Tensor, nn
from tqdm import tqdm

from ganlib._checks import (
    check_callable,
    check_sampler,
    check_type,
)
from ganlib._networks import (
    PROBE_ROWS,
    _check_networks,
    _describe,
    _global_rng_state,
    _modes,
    _set_global_rng_state,
    check_shapes,
    probing,
)
from ganlib.checkpoint import (
    CheckpointError,
    check_checkpoint_path,
    check_run_state,
    load_checkpoint,
    save_checkpoint,
)
from ganlib.config import TrainConfig
from ganlib.history import History, Recorder, TrainingDivergedError
from ganlib.losses import GENERATOR_LOSSES, BatchDiscriminatorLoss
from ganlib.nets import pack_samples
from ganlib.noise import Noise
from ganlib.optimizers import build_optimizer, schedule_players

__all__ = ["RUN_STATE_VERSION", "SNAPSHOT_SAMPLES", "Run", "Sampler"]

SNAPSHOT_SAMPLES = 1000
"""How many samples of G on fixed noise the default snapshot records."""

RUN_STATE_VERSION = 2
"""The layout of :meth:`Run.state_dict`; checkpoints of another layout are refused."""

_RESUME_MAY_CHANGE = ("steps", "snapshot_steps", "checkpoint_every")
_PLAYERS = ("generator", "discriminator")


class Sampler(Protocol):
    """Anything that draws seeded samples the way ``ganlib``'s distributions do."""

    def sample(
        self,
        sample_shape: tuple[int, ...],
        generator: torch.Generator | None = None,
        *,
        dtype: torch.dtype = torch.float64,
    ) -> Tensor: ...


class Run:
    r"""One run of Algorithm 1: the networks, optimizers, RNGs, history, step and schedule.

    Built from the arguments of :func:`ganlib.train` (which checks nothing twice: the run
    checks them). ``with run:`` puts the networks in training mode and the global RNG in the
    run's hands, and gives both back at the end, whatever happens. Inside it,
    :meth:`iterations` yields the iteration numbers to train, :meth:`data` and :meth:`noise`
    draw a minibatch, and :meth:`record` keeps an iteration's figures.
    """

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        p_data: Sampler,
        config: TrainConfig,
        *,
        snapshot: Callable[[nn.Module, nn.Module, int], Any] | None = None,
        stop_when: Callable[[Any, int], Any] | None = None,
        checkpoint_path: str | Path | None = None,
        progress: bool = False,
    ) -> None:
        self.device, self.dtype = _check_networks(generator, discriminator, config)
        check_sampler("train", "p_data", p_data)
        check_callable("train", "snapshot", snapshot, "snapshot(generator, discriminator, step)")
        check_callable("train", "stop_when", stop_when, "stop_when(snapshot, step)")
        check_type("train", "progress", progress, bool, "a bool", fix="Pass True or False.")
        if checkpoint_path is not None:
            checkpoint_path = check_checkpoint_path("train", "checkpoint_path", checkpoint_path)
        if config.checkpoint_every and checkpoint_path is None:
            raise ValueError(
                f"train: checkpoint_path must be given when config.checkpoint_every is set; got "
                f"None with checkpoint_every={config.checkpoint_every}. Pass checkpoint_path=... "
                "or set checkpoint_every=0."
            )
        self.generator, self.discriminator, self.p_data, self.config = (
            generator,
            discriminator,
            p_data,
            config,
        )
        self.networks = {"generator": generator, "discriminator": discriminator}
        # m samples of data and of noise per draw: batch_size packs of config.pack samples
        self.m, self.k, self.pack = config.batch_size * config.pack, config.k, config.pack
        self.prior = Noise(config.latent_dim, config.noise)
        self.rng = torch.Generator().manual_seed(config.seed)  # all data and noise of the run
        fixed_seed, self.global_seed = torch.randint(2**62, (2,), generator=self.rng).tolist()
        fixed_rng = torch.Generator().manual_seed(fixed_seed)
        fixed = self.prior.sample((SNAPSHOT_SAMPLES,), fixed_rng, dtype=self.dtype)
        self.fixed_noise = fixed.to(self.device)  # the default snapshot's z
        self.generator_loss = GENERATOR_LOSSES[config.generator_loss]
        packs = config.batch_size  # D's inputs per half: m samples, or m / pack packs
        self.discriminator_loss = BatchDiscriminatorLoss(
            packs, packs, real_label=config.real_label, like=self.fixed_noise
        )  # of D's logits on the data (or packs of it), then the fakes
        z = self.fixed_noise[:PROBE_ROWS]
        check_shapes("train", generator, discriminator, p_data, z, pack=config.pack)
        self.snapshot = snapshot or (
            lambda generator, discriminator, step: generator(self.fixed_noise)
        )
        self.stop_when, self.progress = stop_when, progress
        self.checkpoint_path = None if checkpoint_path is None else Path(checkpoint_path)
        self.optimizers = {
            who: build_optimizer(
                [p for p in network.parameters() if p.requires_grad],
                config.optimizer,
                config.generator_lr if who == "generator" else config.discriminator_lr,
                momentum=config.momentum,
                betas=config.adam_betas,
            )
            for who, network in self.networks.items()
        }
        self.discriminator_parameters = [p for p in discriminator.parameters() if p.requires_grad]
        self.step = 0
        self.recorder = Recorder(History(), self._diverged)
        self._global_rng: dict[str, Tensor | None] | None = None  # set by a resume
        self._stack: contextlib.ExitStack | None = None
        self.interrupted = False  # set by a deferred Ctrl-C, read between two iterations

    @property
    def history(self) -> History:
        """What the run recorded so far (read back up to the last chunk)."""
        return self.recorder.history

    # --- minibatches ---------------------------------------------------------------------

    def data(self) -> Tensor:
        """m fresh examples :math:`x \\sim p_{data}`, ``(m, *data)``, on the networks' device."""
        x = self.p_data.sample((self.m,), self.rng, dtype=self.dtype)
        return x.to(self.device, non_blocking=True)

    def noise(self) -> Tensor:
        """m fresh noise samples :math:`z \\sim p_z`, ``(m, latent_dim)``, on the device."""
        z = self.prior._draw((self.m, self.prior.latent_dim), self.rng, self.dtype)
        return z.to(self.device, non_blocking=True)

    def judge(self, x: Tensor) -> Tensor:
        """D's logits of the samples ``x``, or of their packs of ``config.pack`` samples."""
        if self.pack == 1:
            return self.discriminator(x)
        return self.discriminator(pack_samples(x, self.pack))

    def record(self, d_loss: Tensor, logits: Tensor, g_loss: Tensor) -> None:
        """Keep an iteration's losses and its last D step's logits (no host sync)."""
        if self.recorder.record(d_loss, logits, g_loss):
            self.read_back()

    # --- between two iterations ----------------------------------------------------------

    def __enter__(self) -> Run:
        stack = contextlib.ExitStack()
        stack.enter_context(_own_global_rng(self.device, self.global_seed))
        if self._global_rng is not None:  # a resumed run continues its own stream
            _set_global_rng_state(self.device, self._global_rng)
        stack.enter_context(_modes((self.generator, self.discriminator), True))
        stack.enter_context(_trainable_again(self.discriminator_parameters))
        stack.enter_context(_deferred_interrupts(self))
        self.bar = stack.enter_context(
            tqdm(
                total=self.config.steps,
                initial=self.step,
                disable=not self.progress,
                desc="train",
                unit="step",
                dynamic_ncols=True,
            )
        )
        self._stack = stack
        return self

    def __exit__(self, *exc_info: object) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.__exit__(*exc_info)
        if self.interrupted and exc_info[0] is None:  # a Ctrl-C after the last iteration
            self.interrupted = False
            saved = (
                "" if self.checkpoint_path is None else f" (saved in {str(self.checkpoint_path)!r})"
            )
            raise KeyboardInterrupt(
                f"train: interrupted after the last iteration, at step {self.step}{saved}."
            )

    def iterations(self) -> Iterator[int]:
        """Yield the iteration numbers still to train, and between two of them: take the
        snapshots due (and stop early when ``stop_when`` says so), follow the schedule,
        read back the figures, save checkpoints, move the progress bar. After the last one:
        the final read-back, snapshot and checkpoint."""
        config = self.config
        snapshot_steps, decay_steps = set(config.snapshot_steps), set(config.lr_decay_steps)
        self._set_learning_rates(self.step)  # a resumed run's too
        end = config.steps
        for step in range(self.step, config.steps):
            if step in snapshot_steps and step not in self.history.snapshots:
                if self._take_snapshot(step):
                    end = step
                    break
            if step in decay_steps:
                self._set_learning_rates(step)
            yield step
            self.step = step + 1
            if self.interrupted:  # a Ctrl-C during the iteration: stop at its end
                raise self._interrupt()
            if config.checkpoint_every and self.step % config.checkpoint_every == 0:
                self.save(self.checkpoint_path)
            self.bar.update()
        self.read_back()
        if end == config.steps and end in snapshot_steps and end not in self.history.snapshots:
            self._take_snapshot(end)  # stop_when sees it too; the run ends here anyway
        self.step = end
        if self.checkpoint_path is not None:
            self.save(self.checkpoint_path)

    def _interrupt(self) -> KeyboardInterrupt:
        """Save the run at its step (after the last whole iteration); the error to raise."""
        self.interrupted = False
        where = f"train: interrupted at step {self.step} (of {self.config.steps})"
        if self.checkpoint_path is None:
            return KeyboardInterrupt(f"{where}; nothing was saved (no checkpoint_path).")
        self.save(self.checkpoint_path)
        return KeyboardInterrupt(
            f"{where}; the checkpoint {str(self.checkpoint_path)!r} holds the run up to there, "
            "and resuming from it continues bit for bit."
        )

    def read_back(self) -> None:
        """Copy the pending figures to the history (the divergence guard checks them)."""
        self.recorder.read_back(self.networks)
        if self.progress and len(self.history):  # the latest figures beside the bar
            last = {"D(x)": self.history.d_real, "D(G(z))": self.history.d_fake}
            self.bar.set_postfix({key: f"{float(v[-1]):.3f}" for key, v in last.items()}, False)

    def _set_learning_rates(self, step: int) -> None:
        schedule_players(self.optimizers, self.config, step)

    def _take_snapshot(self, step: int) -> bool:
        """Record the snapshot of ``step``; whether ``stop_when`` ends the run there."""
        value = _snapshot(self.snapshot, self.networks, step, self.device)
        self.history.snapshots[step] = value
        return self.stop_when is not None and bool(self.stop_when(value, step))

    def _diverged(self, step: int, what: str, value: float) -> TrainingDivergedError:
        config = self.config
        return TrainingDivergedError(
            f"train: {what} became {value} at step {step} (of {config.steps}); training "
            f"stopped. Lower the learning rates (discriminator_lr={config.discriminator_lr}, "
            f"generator_lr={config.generator_lr}) or change the optimizer. This error's "
            f".history holds the figures of the {step} steps before.",
            step=step,
            quantity=what,
            history=self.history,
        )

    # --- the checkpoint schema -----------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Everything a resume needs, as tensors, dicts and primitives (``weights_only``).

        Called inside ``with run:`` (between iterations); the figures still on the device
        are read back first, so the history is complete up to ``step``.
        """
        self.read_back()
        return {
            "run_state": RUN_STATE_VERSION,
            "step": self.step,
            "config": self.config.to_dict(),
            "p_data": _describe(self.p_data),
            "networks": {who: net.state_dict() for who, net in self.networks.items()},
            "optimizers": {who: opt.state_dict() for who, opt in self.optimizers.items()},
            "rng": {
                "data_and_noise": self.rng.get_state(),
                "global": _global_rng_state(self.device),
            },
            "history": self.history.to_dict(),
        }

    def load_state_dict(self, state: dict[str, Any], *, source: str = "the state") -> None:
        """Continue from ``state`` (from :meth:`state_dict`): networks, optimizers, RNGs,
        history and step. Its configuration must match the run's, except for ``steps``,
        ``snapshot_steps`` and ``checkpoint_every``; ``source`` names it in errors.

        Raises:
            CheckpointError: if ``state`` is not a consistent run state: another layout, a
                missing entry, an entry of the wrong type or shape (a step outside
                ``[0, steps]``, a history whose length is not the step, an RNG state of
                the wrong size, a snapshot after the step). Nothing is changed then.
            ValueError: if it is a run state of another run (configuration, ``p_data`` or
                architecture differ).
        """
        saved = check_run_state(state, source, self.device, version=RUN_STATE_VERSION)
        for name in (f.name for f in fields(TrainConfig)):
            if name not in _RESUME_MAY_CHANGE and getattr(saved, name) != getattr(
                self.config, name
            ):
                raise ValueError(
                    f"train: config.{name} must match the checkpoint's to resume exactly; got "
                    f"{getattr(self.config, name)!r}, {source} has {getattr(saved, name)!r}. "
                    "Resume with TrainConfig.from_dict(checkpoint['config']) and a new steps, "
                    "or start a new run."
                )
        if state["step"] > self.config.steps:
            raise ValueError(
                f"train: config.steps must be at least the checkpoint's step to resume; got "
                f"steps={self.config.steps}, {source} is at step {state['step']}."
            )
        if state["p_data"] != _describe(self.p_data):
            raise ValueError(
                f"train: p_data must be the checkpoint's to resume; got "
                f"{_describe(self.p_data)}, {source} was trained on {state['p_data']}."
            )
        for who in _PLAYERS:
            own = self.networks[who].state_dict()
            for key, value in state["networks"][who].items():
                if key in own and value.dtype != own[key].dtype:
                    raise ValueError(
                        f"train: {who} must have the dtype of the checkpoint's to resume; got "
                        f"{own[key].dtype} for {key!r}, {source} has {value.dtype}. Convert "
                        f"the networks with .to({value.dtype}), or start a new run."
                    )
        for who in _PLAYERS:
            try:
                self.networks[who].load_state_dict(state["networks"][who])
                self.optimizers[who].load_state_dict(state["optimizers"][who])
            except (RuntimeError, ValueError, KeyError) as error:
                raise ValueError(
                    f"train: {who} must have the architecture of the checkpoint's to resume; "
                    f"loading {source} failed: {error}"
                ) from error
        self.rng.set_state(state["rng"]["data_and_noise"])
        self._global_rng = state["rng"]["global"]
        self.recorder.history = History.from_dict(state["history"])
        self.step = state["step"]

    def save(self, path: str | Path) -> None:
        """Write :meth:`state_dict` to ``path`` atomically (:func:`ganlib.save_checkpoint`)."""
        save_checkpoint(self.state_dict(), path)

    def resume(self, path: str | Path) -> None:
        """Load the checkpoint at ``path`` into the run (:meth:`load_state_dict`)."""
        state = load_checkpoint(path)
        if "run_state" not in state:
            raise CheckpointError(
                f"train: {str(path)!r} is a checkpoint of an older layout (ganlib 0.1, without "
                "a run state); this ganlib cannot resume it. Resume it with the ganlib that "
                "wrote it, or start a new run."
            )
        self.load_state_dict(state, source=f"the checkpoint {str(path)!r}")


# --- the machinery around the loop ------------------------------------------------------------


def _snapshot(function: Callable, networks: dict[str, nn.Module], step: int, device) -> Any:
    """Call the snapshot function in eval mode, without gradients or changing the RNG."""
    generator, discriminator = networks["generator"], networks["discriminator"]
    with probing(generator, discriminator):
        value = function(generator, discriminator, step)
    if isinstance(value, Tensor):
        return value.detach().cpu()
    if isinstance(value, dict) and all(isinstance(v, Tensor) for v in value.values()):
        return {key: v.detach().cpu() for key, v in value.items()}
    raise TypeError(
        f"train: snapshot must return a tensor or a dict of tensors; got "
        f"{type(value).__name__} at step {step}. Return e.g. generator(z) or "
        "{'samples': ..., 'd': ...}."
    )


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
def _trainable_again(parameters: list[Tensor]) -> Iterator[None]:
    """Make sure D's parameters require gradients again, even if a step raises."""
    try:
        yield
    finally:
        for parameter in parameters:
            parameter.requires_grad_(True)


@contextlib.contextmanager
def _deferred_interrupts(run: Run) -> Iterator[None]:
    """Turn a Ctrl-C into ``run.interrupted = True`` (read between two iterations); a second
    Ctrl-C goes to the previous handler at once. Only in the main thread, and only where
    SIGINT has Python's default handler (a program's own handler is left alone)."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if main else None
    if previous is not signal.default_int_handler:
        yield
        return

    def defer(signum: int, frame: object) -> None:
        if run.interrupted:
            previous(signum, frame)  # raises KeyboardInterrupt here and now
        run.interrupted = True

    signal.signal(signal.SIGINT, defer)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# --- checks of the inputs and of a loaded state ---------------------------------------------
