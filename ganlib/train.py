r"""Algorithm 1 of the paper, and its discriminator half on fixed distributions.

:func:`train` runs Algorithm 1 of Goodfellow et al. (2014), with :math:`V(D, G) =
\mathbb E \log D(x) + \mathbb E \log(1 - D(G(z)))`:

    **for** number of training iterations **do**
        **for** k steps **do**
            sample a minibatch of m noise samples :math:`z^{(i)} \sim p_z` and a minibatch of
            m examples :math:`x^{(i)} \sim p_{data}`; update the discriminator by *ascending*
            its stochastic gradient
            :math:`\nabla_{\theta_d} \frac1m \sum_i [\log D(x^{(i)}) + \log(1 - D(G(z^{(i)})))]`
        **end for**
        sample a minibatch of m noise samples :math:`z^{(i)} \sim p_z`; update the generator
        by *descending* its stochastic gradient
        :math:`\nabla_{\theta_g} \frac1m \sum_i \log(1 - D(G(z^{(i)})))`
    **end for**

The body of :func:`train` is that box, line for line. The discriminator ascends V by
descending :func:`ganlib.minimax_discriminator_loss`; the generator descends
:func:`ganlib.minimax_generator_loss` (``generator_loss="minimax"``, the box above) or the
paper's practical alternative :func:`ganlib.nonsaturating_generator_loss`. Everything else a
run needs (its random number generators, optimizers, history, snapshots, schedule,
checkpoints and divergence guard) is the business of :class:`ganlib.Run`, which ``train``
asks for minibatches and tells each iteration's figures.

Two details make the loop fast on small networks, where per-operation overhead dominates:
the discriminator sees the real and fake minibatch in one pass (so it may not hold batch
statistics), and its parameters are frozen during the generator's step, so that their
gradients are not computed. ``benchmarks/train_speed.py`` measures the loop against one
written the way tutorials write it.

:func:`train_discriminator` runs the inner loop alone, with the generator replaced by a fixed
distribution :math:`p_g`: trained long enough it approaches Proposition 1's
:math:`D^* = p_{data} / (p_{data} + p_g)`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from ganlib._checks import (
    check_callable,
    check_choice,
    check_int,
    check_module,
    check_real,
    check_sampler,
    check_torch_generator,
)
from ganlib._networks import check_logits, probe_sample, probing
from ganlib.config import TrainConfig
from ganlib.history import READBACK_EVERY, History, TrainingDivergedError
from ganlib.losses import GENERATOR_LOSSES, check_real_label, minimax_discriminator_loss
from ganlib.noise import Noise
from ganlib.optimizers import learning_rate
from ganlib.run import Run, Sampler

__all__ = ["train", "train_discriminator", "train_generator"]


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

    The random draws, in order: one CPU ``torch.Generator`` seeded with ``config.seed`` gives
    every minibatch. It first draws two int64 seeds, ``torch.randint(2**62, (2,))``, for the
    default snapshot's fixed noise and for the global RNG (which only dropout uses). Then, in
    each iteration, each of the ``k`` discriminator steps draws m noise samples and then m
    examples (``p_data.sample((m,), rng, dtype=)`` in the networks' dtype), and the generator's
    step draws m noise samples. Noise is ``torch.randn((m, latent_dim))``, or for
    ``"uniform"`` :math:`\sqrt3\,(2u - 1)` with ``u = torch.rand((m, latent_dim))``, in the
    networks' dtype. A loop that draws in this order and takes the same optimizer steps
    reproduces the run to float rounding. Here m is ``config.batch_size``, or
    ``batch_size * pack`` samples with packing, which the discriminator judges as
    ``batch_size`` packs of ``config.pack`` samples (:func:`ganlib.pack_samples`).

    Args:
        generator: maps ``(m, config.latent_dim)`` noise to ``(m, *data)`` samples.
        discriminator: maps samples (or packs of them) to one logit each. It sees the real
            and fake batch in one pass, so it may not hold batch statistics (BatchNorm).
        p_data: the data distribution; anything with ``sample(shape, generator, dtype=)``.
        config: a :class:`TrainConfig`.
        progress: show a tqdm progress bar on stderr (off by default, for chapters and CI).
        snapshot: called as ``snapshot(generator, discriminator, step)`` under
            ``torch.no_grad()``, with both networks in eval mode, at each of
            ``config.snapshot_steps``; it returns a tensor or a dict of tensors, which is
            stored on the CPU in ``history.snapshots[step]``. It must draw any random numbers
            from its own ``torch.Generator`` (the global RNG is restored after it). By default:
            G's samples on fixed noise (:data:`ganlib.run.SNAPSHOT_SAMPLES` draws from the seed).
        checkpoint_path: where to save a checkpoint every ``config.checkpoint_every`` steps and
            at the end; None saves none.
        resume: False, or True to resume from ``checkpoint_path``, or the path of a checkpoint.
            The run continues from the checkpoint's step to ``config.steps`` with its networks,
            optimizers, RNG states and history; ``config`` must match the checkpoint's except
            for ``steps``, ``snapshot_steps`` and ``checkpoint_every``.
        stop_when: called as ``stop_when(snapshot, step)`` with each snapshot as soon as it is
            recorded; a true result ends the run at that step (early stopping). None trains
            all ``config.steps`` iterations.

    Returns:
        The :class:`History` of all ``config.steps`` iterations (a resumed run's included), or
        of the ``step`` iterations before ``stop_when`` ended the run (``len(history)``).

    Raises:
        TrainingDivergedError: when a loss, mean D or parameter becomes NaN or infinite.
        ValueError: before the first step, when G's samples do not have ``p_data``'s shape
            or D does not return one logit per sample (checked on two rows, without the
            run's random numbers), or when a checkpoint does not fit the run.
        CheckpointError: when the checkpoint to resume from is damaged or inconsistent.
        KeyboardInterrupt: on Ctrl-C (in the main thread), at the end of the iteration under
            way, after saving the checkpoint at that step when there is a ``checkpoint_path``.

    >>> from ganlib import Gaussian1d, discriminator, generator, init_weights
    >>> rng = torch.Generator().manual_seed(0)
    >>> g = init_weights(generator(1, 1, (16,), output=None), generator=rng)
    >>> d = init_weights(discriminator(1, (16,)), generator=rng)
    >>> history = train(g, d, Gaussian1d(4.0, 0.5), TrainConfig(steps=20, batch_size=32))
    >>> len(history), history.d_real.shape
    (20, torch.Size([20]))
    """
    run = Run(
        generator,
        discriminator,
        p_data,
        config,
        snapshot=snapshot,
        stop_when=stop_when,
        checkpoint_path=checkpoint_path,
        progress=progress,
    )
    resume_from = _resume_path(resume, checkpoint_path)
    if resume_from is not None:
        run.resume(resume_from)
    d_optimizer, g_optimizer = run.optimizers["discriminator"], run.optimizers["generator"]
    d_parameters = run.discriminator_parameters
    g_parameters = run.optimizers["generator"].parameters
    with run:
        for _ in run.iterations():  # for number of training iterations
            for _ in range(config.k):  # for k steps
                # Sample a minibatch of m noise samples z ~ p_z and m examples x ~ p_data.
                z, x_real = run.noise(), run.data()  # (m, latent_dim), (m, *data)
                with torch.no_grad():  # G is held fixed in the discriminator's steps
                    x_fake = generator(z)  # (m, *data)
                # Update D by ascending (1/m) sum [log D(x) + log(1 - D(G(z)))]: descend -V.
                logits = run.judge(torch.cat((x_real, x_fake)))  # (2m / pack, 1), one pass
                d_loss = run.discriminator_loss(logits)  # minimax_discriminator_loss
                _clear_gradients(d_parameters)
                d_loss.backward()
                d_optimizer.step()
            # Sample a minibatch of m noise samples z ~ p_z.
            z = run.noise()  # (m, latent_dim)
            # Update G by descending (1/m) sum log(1 - D(G(z))) (or -log D(G(z))), D frozen.
            _requires_grad(d_parameters, False)  # no gradients for D's weights in G's step
            g_loss = run.generator_loss(run.judge(generator(z)))
            _clear_gradients(g_parameters)
            g_loss.backward()
            _requires_grad(d_parameters, True)
            g_optimizer.step()
            run.record(d_loss, logits, g_loss)  # mean D(x), D(G(z)) of the last D step
    return run.history


def _resume_path(resume: object, checkpoint_path: object) -> Path | None:
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


def _clear_gradients(parameters: list[Tensor]) -> None:
    """``optimizer.zero_grad(set_to_none=True)``, without its per-call overhead (profiling
    hooks), which costs more than the update itself for small networks."""
    for parameter in parameters:
        parameter.grad = None


def _requires_grad(parameters: list[Tensor], flag: bool) -> None:
    """Freeze or unfreeze D's parameters (the run unfreezes them if a step raises)."""
    for parameter in parameters:
        parameter.requires_grad_(flag)


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
    lr_decay_steps: tuple[int, ...] = (),
    lr_decay: float = 0.1,
    snapshot: Callable[[nn.Module, int], Any] | None = None,
    snapshot_steps: tuple[int, ...] = (),
) -> Tensor:
    r"""Train ``discriminator`` to tell samples of ``p_data`` from samples of ``p_g``.

    Each of the ``steps`` steps draws ``batch_size`` fresh samples from each distribution
    with the seeded ``generator`` (a CPU ``torch.Generator``: the draw is the same on every
    device), moves them to the discriminator's device and dtype, and takes one optimizer step
    on :func:`ganlib.minimax_discriminator_loss` of the discriminator's logits, ascending

    .. math:: \frac1m \sum_{i=1}^m
        \Big[\log D\big(x^{(i)}\big) + \log\big(1 - D(\tilde x^{(i)})\big)\Big].

    ``real_label`` below 1 is one-sided label smoothing, off by default as in the paper.
    ``lr_decay_steps`` and ``lr_decay`` are :func:`ganlib.train`'s step schedule: after each
    of those counts of steps the optimizer's starting rate is multiplied by ``lr_decay``
    (:func:`ganlib.optimizers.learning_rate`); the optimizer is left at its last rate.
    ``snapshot(discriminator, step)`` is called under ``torch.no_grad()``, in eval mode, at
    each of ``snapshot_steps`` (counts of finished steps, 0 to ``steps``); it returns nothing
    that is kept: collect what you need in the function.

    Returns the loss at every step, a tensor of shape ``(steps,)`` on the discriminator's
    device. The losses and parameters are checked every
    :data:`ganlib.history.READBACK_EVERY` steps and at the end: a NaN or infinite one raises
    :class:`TrainingDivergedError` naming the first bad step.

    >>> from ganlib import Gaussian1d, discriminator, init_weights
    >>> seed = torch.Generator().manual_seed(0)
    >>> net = init_weights(discriminator(1, (16,)), generator=seed)
    >>> optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    >>> losses = train_discriminator(net, optimizer, Gaussian1d(-2.0, 1.0),
    ...                              Gaussian1d(2.0, 1.0), steps=200, batch_size=64,
    ...                              generator=seed, lr_decay_steps=(150,))
    >>> bool(losses[-20:].mean() < losses[:20].mean())   # it learns to tell them apart
    True
    """
    function = "train_discriminator"
    check_module(function, "discriminator", discriminator, "ganlib.discriminator(...)")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"{function}: optimizer must be a torch.optim.Optimizer; got "
            f"{type(optimizer).__name__}. Pass e.g. torch.optim.Adam(discriminator.parameters())."
        )
    for name, sampler in (("p_data", p_data), ("p_g", p_g)):
        check_sampler(function, name, sampler)
    steps = check_int(function, "steps", steps, minimum=1, fix="Pass e.g. steps=1000.")
    batch_size = check_int(function, "batch_size", batch_size, minimum=1, fix="E.g. 256.")
    check_torch_generator(function, "generator", generator, cpu=True)
    real_label = check_real_label(function, real_label)
    decay_steps, decay = _check_schedule(function, lr_decay_steps, lr_decay)
    snapshot_at = _check_snapshots(function, snapshot, snapshot_steps, steps)
    device, dtype = _check_fits(discriminator, optimizer, p_data, p_g)
    base_rates = [group["lr"] for group in optimizer.param_groups]

    def take_snapshot(step: int) -> None:
        discriminator.eval()
        with torch.no_grad():
            snapshot(discriminator, step)
        discriminator.train()

    discriminator.train()
    losses = torch.empty(steps, device=device, dtype=dtype)
    checked = 0
    for step in range(steps):
        if step in snapshot_at:
            take_snapshot(step)
        if step == 0 or step in decay_steps:
            for group, lr in zip(optimizer.param_groups, base_rates, strict=True):
                group["lr"] = learning_rate(lr, step, decay_steps, decay)
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
        if (step + 1) % READBACK_EVERY == 0:
            checked = _check_finite_losses(losses, checked, step + 1, discriminator)
    _check_finite_losses(losses, checked, steps, discriminator)
    if steps in snapshot_at:
        take_snapshot(steps)
    discriminator.eval()
    return losses


def train_generator(
    generator: nn.Module,
    discriminator: nn.Module,
    optimizer: torch.optim.Optimizer,
    noise: Noise,
    *,
    steps: int,
    batch_size: int,
    rng: torch.Generator,
    loss: str = "nonsaturating",
    snapshot: Callable[[nn.Module, int], Any] | None = None,
    snapshot_steps: tuple[int, ...] = (),
) -> Tensor:
    r"""Train ``generator`` alone against a frozen ``discriminator``: its best response.

    Each of the ``steps`` steps draws ``batch_size`` noise vectors from ``noise`` with the
    seeded CPU generator ``rng`` and takes one optimizer step on the generator loss ``loss``
    (a name of :data:`ganlib.GENERATOR_LOSSES`) of the discriminator's logits on
    :math:`G(z)`. The discriminator is held fixed: in eval mode, its parameters frozen, and
    both restored afterwards. This is the generator's half of Algorithm 1 with the inner loop
    left out, what the paper warns against ("G must not be trained too much without updating
    D"): against a fixed D, the generator's best response puts its mass where D is largest.
    ``snapshot(generator, step)`` is called under ``torch.no_grad()``, in eval mode, at each
    of ``snapshot_steps`` (counts of finished steps, 0 to ``steps``).

    Returns the loss at every step, shape ``(steps,)``, on the generator's device; a NaN or
    infinite loss or parameter raises :class:`TrainingDivergedError` at the end.

    >>> from ganlib import Noise, discriminator, generator, init_weights
    >>> seed = torch.Generator().manual_seed(0)
    >>> g = init_weights(generator(1, 1, (8,)), generator=seed)
    >>> d = init_weights(discriminator(1, (8,)), generator=seed)
    >>> losses = train_generator(g, d, torch.optim.Adam(g.parameters(), lr=1e-2), Noise(1),
    ...                          steps=100, batch_size=32, rng=seed)
    >>> bool(losses[-10:].mean() < losses[:10].mean())   # it finds where D is larger
    True
    """
    function = "train_generator"
    check_module(function, "generator", generator, "ganlib.generator(...)")
    check_module(function, "discriminator", discriminator, "ganlib.discriminator(...)")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"{function}: optimizer must be a torch.optim.Optimizer; got "
            f"{type(optimizer).__name__}. Pass e.g. torch.optim.Adam(generator.parameters())."
        )
    if not isinstance(noise, Noise):
        raise TypeError(
            f"{function}: noise must be a ganlib.Noise; got {type(noise).__name__}. Pass e.g. "
            "ganlib.Noise(latent_dim, 'normal')."
        )
    steps = check_int(function, "steps", steps, minimum=1, fix="Pass e.g. steps=1000.")
    batch_size = check_int(function, "batch_size", batch_size, minimum=1, fix="E.g. 256.")
    check_torch_generator(function, "rng", rng, cpu=True)
    loss_name = check_choice(function, "loss", loss, tuple(GENERATOR_LOSSES))
    generator_loss = GENERATOR_LOSSES[loss_name]
    snapshot_at = _check_snapshots(function, snapshot, snapshot_steps, steps)
    parameter = _check_trainable(function, "generator", generator, optimizer)
    device, dtype = parameter.device, parameter.dtype

    def take_snapshot(step: int) -> None:
        generator.eval()
        with torch.no_grad():
            snapshot(generator, step)
        generator.train()

    frozen = [p for p in discriminator.parameters() if p.requires_grad]
    was_training = discriminator.training
    _requires_grad(frozen, False)
    discriminator.eval()
    generator.train()
    losses = torch.empty(steps, device=device, dtype=dtype)
    try:
        for step in range(steps):
            if step in snapshot_at:
                take_snapshot(step)
            z = noise.sample((batch_size,), rng, dtype=dtype).to(device)  # (m, latent_dim)
            # Descend the generator's loss on D's logits for G(z); D does not move.
            step_loss = generator_loss(discriminator(generator(z)))
            optimizer.zero_grad(set_to_none=True)
            step_loss.backward()
            optimizer.step()
            losses[step] = step_loss.detach()
    finally:
        _requires_grad(frozen, True)
        discriminator.train(was_training)
    bad = (~torch.isfinite(losses.cpu())).nonzero()
    broken = [name for name, p in generator.named_parameters() if not p.isfinite().all()]
    if len(bad) or broken:
        step = int(bad[0]) if len(bad) else steps - 1
        what = "the generator loss" if len(bad) else f"the generator parameter {broken[0]!r}"
        raise TrainingDivergedError(
            f"{function}: {what} became non-finite at step {step} (of {steps}). Lower the "
            "optimizer's learning rate.",
            step=step,
            quantity=what,
            history=History(generator_loss=losses[:step].detach().cpu()),
        )
    if steps in snapshot_at:
        take_snapshot(steps)
    generator.eval()
    return losses


def _check_trainable(function: str, name: str, network: nn.Module, optimizer) -> Tensor:
    """``network`` has floating-point parameters and ``optimizer`` updates some of them.
    Returns its first parameter (for its device and dtype)."""
    parameter = next(network.parameters(), None)
    if parameter is None or not parameter.is_floating_point():
        raise ValueError(
            f"{function}: {name} must have floating-point parameters to train; got "
            f"{'none' if parameter is None else parameter.dtype}."
        )
    own = {id(p) for p in network.parameters()}
    if not any(id(p) in own for group in optimizer.param_groups for p in group["params"]):
        raise ValueError(
            f"{function}: optimizer must update the {name}'s parameters; got an optimizer of "
            f"other parameters. Build it with e.g. torch.optim.Adam({name}.parameters())."
        )
    return parameter


def _check_fits(discriminator: nn.Module, optimizer, p_data: Sampler, p_g: Sampler):
    """D has floating-point parameters that the optimizer updates, and maps draws of p_data
    and p_g (of one shape; from a generator of their own) to one logit each. Returns D's
    device and dtype."""
    function = "train_discriminator"
    parameter = _check_trainable(function, "discriminator", discriminator, optimizer)
    with probing(discriminator):
        x = probe_sample(function, "p_data", p_data, parameter.dtype).to(parameter.device)
        fake = probe_sample(function, "p_g", p_g, parameter.dtype).to(parameter.device)
        if fake.shape[1:] != x.shape[1:]:
            raise ValueError(
                f"{function}: p_g must draw samples of p_data's shape {tuple(x.shape[1:])}; got "
                f"{tuple(fake.shape[1:])}. Pass two distributions on the same space."
            )
        check_logits(function, discriminator, x)
        check_logits(function, discriminator, fake)
    return parameter.device, parameter.dtype


def _check_schedule(function: str, decay_steps: object, decay: object) -> tuple[set, float]:
    if not isinstance(decay_steps, tuple | list):
        raise TypeError(
            f"{function}: lr_decay_steps must be a tuple of ints; got {decay_steps!r}. "
            "Pass e.g. lr_decay_steps=(600,)."
        )
    counts = {check_int(function, "lr_decay_steps", s, minimum=1) for s in decay_steps}
    fix = "Pass a factor such as 0.1 (each decay), or 1.0 for none."
    return counts, check_real(
        function, "lr_decay", decay, low=0.0, high=1.0, brackets="(]", fix=fix
    )


def _check_snapshots(function: str, snapshot: object, steps_at: object, steps: int) -> set:
    check_callable(function, "snapshot", snapshot, "snapshot(discriminator, step)")
    if not isinstance(steps_at, tuple | list):
        raise TypeError(
            f"{function}: snapshot_steps must be a tuple of ints; got {steps_at!r}. "
            "Pass e.g. snapshot_steps=(0, 100, 1000)."
        )
    at = {check_int(function, "snapshot_steps", s, minimum=0) for s in steps_at}
    if at and snapshot is None:
        raise ValueError(
            f"{function}: snapshot_steps needs a snapshot function; got snapshot=None with "
            f"snapshot_steps={tuple(steps_at)!r}. Pass snapshot=lambda net, step: ..."
        )
    return {s for s in at if s <= steps}


def _check_finite_losses(losses: Tensor, checked: int, upto: int, network: nn.Module) -> int:
    """The divergence guard of :func:`train_discriminator`, on steps ``checked:upto``."""
    chunk = losses[checked:upto].cpu()
    bad = (~torch.isfinite(chunk)).nonzero()
    broken = [(n, p.detach()) for n, p in network.named_parameters() if not p.isfinite().all()]
    if len(bad) or broken:
        if len(bad):
            step, what, value = checked + int(bad[0]), "the discriminator loss", chunk[bad[0]]
        else:
            name, parameter = broken[0]
            step, what = upto - 1, f"the discriminator parameter {name!r}"
            value = parameter[~parameter.isfinite()][0]
        history = History(discriminator_loss=losses[:step].detach().cpu())
        raise TrainingDivergedError(
            f"train_discriminator: {what} became {float(value)} at step {step} (of {len(losses)}); "
            "training stopped. Lower the optimizer's learning rate.",
            step=step,
            quantity=what,
            history=history,
        )
    return upto
