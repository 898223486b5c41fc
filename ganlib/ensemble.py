r"""Many seeds at once: E runs of Algorithm 1 trained as one batched model.

A GAN's outcome depends on its seed, so a claim about GANs is a claim about a distribution
over seeds. On a small network each step of :func:`ganlib.train` is a chain of tiny
operations whose per-operation overhead, not arithmetic, bounds the speed. :class:`Ensemble`
trains E GANs of one architecture and one :class:`ganlib.TrainConfig`, with E seeds, as one
model whose parameters are stacked along a leading member axis: every Linear layer is one
batched matrix product (``torch.baddbmm`` over ``(E, out, in)`` weights), every loss one
per-member reduction, every optimizer step one pass of :mod:`ganlib.optimizers`' arithmetic
over the stacked tensors. The overhead is paid once for all E members.

Each member *is* Algorithm 1 (Goodfellow et al., 2014). Member i with seed s draws its data
and noise from its own CPU ``torch.Generator`` seeded with s, in the order of
:class:`ganlib.Run` (two int64 draws first, for the fixed noise and the global-RNG seed; then
per iteration, for each of the k discriminator steps m noise samples and m examples, and m
noise samples for the generator's step), so that from the same initial weights it ends where
``ganlib.train`` with ``config.seed = s`` ends, to float rounding. Members never mix: every
batched operation acts on each member's slice alone, and the sum of the members' losses that
autograd differentiates has each member's gradient in that member's slice.

* **Networks.** The MLPs that :func:`ganlib.generator` and :func:`ganlib.discriminator`
  build without dropout or maxout: ``nn.Linear`` layers with LeakyReLU, ReLU, Tanh or
  Sigmoid between and after them. Anything else is refused with a message. The stacked
  networks are :class:`ganlib._stacked.StackedMLP`; where a layer's width is 1 its products
  are elementwise, several times faster than ``bmm`` there.
* **History.** One :class:`ganlib.History` per member (:attr:`Ensemble.histories`), read back
  every ``readback_every`` steps, with G's samples on the member's fixed noise at
  ``config.snapshot_steps`` (what ``train``'s default snapshot records).
* **Divergence.** A member whose figures or parameters become NaN or infinite is reported in
  :attr:`Ensemble.diverged` (step, quantity, value) at the read-back that finds it, its
  history ends before that step, and it is frozen from then on: its parameters and optimizer
  state stop changing while the others go on.
* **Checkpoints.** :meth:`Ensemble.state_dict` / :meth:`Ensemble.load_state_dict` (and
  :meth:`Ensemble.save` / :meth:`Ensemble.resume` through :func:`ganlib.save_checkpoint`):
  an ensemble interrupted at step n and resumed ends bit for bit where the uninterrupted one
  ends, on the CPU.
* **Members as modules.** :meth:`Ensemble.member` returns member i's generator and
  discriminator as ordinary ``nn.Module`` s of the builders' architecture.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.functional import binary_cross_entropy_with_logits

from ganlib._checks import check_int, check_sampler, check_type
from ganlib._networks import _describe
from ganlib._stacked import StackedMLP
from ganlib.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ganlib.config import TrainConfig
from ganlib.history import READBACK_EVERY, History
from ganlib.losses import _GENERATOR_TERMS
from ganlib.nets import pack_samples
from ganlib.noise import Noise
from ganlib.optimizers import build_optimizer, schedule_players
from ganlib.run import SNAPSHOT_SAMPLES

__all__ = ["ENSEMBLE_STATE_VERSION", "Ensemble", "MemberDivergence"]

ENSEMBLE_STATE_VERSION = 1
"""The layout of :meth:`ganlib.Ensemble.state_dict`; states of another layout are refused."""

_FUNCTION = "Ensemble"
_PLAYERS = ("generator", "discriminator")
_SAID = ("the discriminator loss", "mean D(x)", "mean D(G(z))", "the generator loss")


def _member_means(loss: str) -> Any:
    """The generator loss ``loss`` of every member: its terms' mean over the last dimension."""
    term = _GENERATOR_TERMS[loss]
    return lambda logits: term(logits).mean(-1)


@dataclass(frozen=True)
class MemberDivergence:
    """A member that diverged: its index and seed, the first bad iteration, what went bad
    (as :class:`ganlib.TrainingDivergedError` words it) and the bad value."""

    member: int
    seed: int
    step: int
    quantity: str
    value: float


class Ensemble:
    r"""E runs of Algorithm 1 (Goodfellow et al., 2014), one per seed, as one batched model.

    ``generators[i]`` and ``discriminators[i]`` are member i's initial networks (the MLPs of
    :func:`ganlib.generator` and :func:`ganlib.discriminator`, one architecture for all, on
    one device and dtype; they are copied, not changed); ``seeds[i]`` its ``config.seed``.
    Every member follows ``config`` (steps, k, m, losses, optimizer and its rates, schedule,
    noise, snapshot steps). For each iteration and each member:

        **for** k steps **do** sample m noise samples :math:`z \sim p_z` and m examples
        :math:`x \sim p_{data}`; update D by ascending
        :math:`\frac1m \sum_i [\log D(x^{(i)}) + \log(1 - D(G(z^{(i)})))]` **end for**;
        sample m noise samples; update G by descending
        :math:`\frac1m \sum_i \log(1 - D(G(z^{(i)})))` (or the non-saturating loss).

    :meth:`train` runs the iterations; ``histories`` holds one :class:`ganlib.History`
    per member, ``diverged`` the members that diverged (frozen since), :meth:`member`
    member i's networks as ``nn.Module`` s. ``generator`` and ``discriminator`` are the
    stacked networks: called on ``(E, n, in)`` inputs (``x.expand(E, -1, -1)`` for one
    batch ``x`` for all), they give every member's outputs ``(E, n, out)`` in one pass;
    call them under ``torch.no_grad()`` to evaluate. ``readback_every`` is the number of
    steps between two read-backs of the figures (and divergence checks).

    >>> from ganlib import Gaussian1d, discriminator, generator
    >>> rngs = [torch.Generator().manual_seed(s) for s in range(4)]
    >>> ensemble = Ensemble([generator(1, 1, (16,), output=None, rng=r) for r in rngs],
    ...                     [discriminator(1, (16,), rng=r) for r in rngs],
    ...                     Gaussian1d(4.0, 0.5), TrainConfig(steps=20, batch_size=32),
    ...                     seeds=range(4))
    >>> ensemble.train()
    >>> len(ensemble.histories), len(ensemble.histories[3]), ensemble.diverged
    (4, 20, {})
    """

    def __init__(
        self,
        generators: Any,
        discriminators: Any,
        p_data: Any,
        config: TrainConfig,
        seeds: Any,
        *,
        readback_every: int = READBACK_EVERY,
    ) -> None:
        generators = _networks("generators", generators)
        discriminators = _networks("discriminators", discriminators)
        self.size = len(generators)
        if len(discriminators) != self.size:
            raise ValueError(
                f"{_FUNCTION}: discriminators must have one network per generator; got "
                f"{len(discriminators)} discriminators for {self.size} generators. Pass one "
                "pair per member."
            )
        check_sampler(_FUNCTION, "p_data", p_data)
        fix = "Pass a ganlib.TrainConfig(...); its seed is replaced by each member's."
        check_type(_FUNCTION, "config", config, TrainConfig, "a ganlib.TrainConfig", fix=fix)
        self.seeds = _seeds(seeds, self.size)
        fix = "Pass e.g. readback_every=256."
        self.readback_every = check_int(
            _FUNCTION, "readback_every", readback_every, minimum=1, fix=fix
        )
        first = next(generators[0].parameters(), None)
        self.device, self.dtype = (first.device, first.dtype) if first is not None else (None, None)
        for name, networks in (("generators", generators), ("discriminators", discriminators)):
            for i, network in enumerate(networks):
                for parameter in network.parameters():
                    if (parameter.device, parameter.dtype) != (self.device, self.dtype):
                        raise ValueError(
                            f"{_FUNCTION}: {name} must all be on one device with one floating "
                            f"dtype, generators[0]'s ({self.device}, {self.dtype}); got "
                            f"{name}[{i}] with a parameter on ({parameter.device}, "
                            f"{parameter.dtype}). Move them with .to(device, dtype)."
                        )
        self.generator = StackedMLP("generator", generators)
        self.discriminator = StackedMLP("discriminator", discriminators)
        # m samples of data and of noise per draw and member: batch_size packs of config.pack
        self.p_data, self.config, self.m = p_data, config, config.batch_size * config.pack
        self.packs = config.batch_size  # D's inputs per half, per member
        self._check_widths()
        self.prior = Noise(config.latent_dim, config.noise)
        self.rngs, fixed = [], []
        for seed in self.seeds:  # as ganlib.Run: the member's generator, then two int64 draws
            rng = torch.Generator().manual_seed(seed)
            fixed_seed, _global_seed = torch.randint(2**62, (2,), generator=rng).tolist()
            fixed_rng = torch.Generator().manual_seed(fixed_seed)
            fixed.append(self.prior.sample((SNAPSHOT_SAMPLES,), fixed_rng, dtype=self.dtype))
            self.rngs.append(rng)
        self.fixed_noise = torch.stack(fixed).to(self.device)  # (E, SNAPSHOT_SAMPLES, latent)
        self.generator_loss = _member_means(config.generator_loss)
        options = {"dtype": self.dtype, "device": self.device}
        n = self.packs
        self.targets = torch.cat((torch.full((n,), config.real_label), torch.zeros(n)))
        self.targets = self.targets.to(**options)  # (2n,): the data first, then the fakes
        self.weights = torch.full((2 * n,), 1 / n, **options)  # each half's mean
        self.optimizers = {
            who: build_optimizer(
                getattr(self, who).parameters,
                config.optimizer,
                config.generator_lr if who == "generator" else config.discriminator_lr,
                momentum=config.momentum,
                betas=config.adam_betas,
            )
            for who in _PLAYERS
        }
        self.step = 0
        self.histories = [History() for _ in self.seeds]
        self.diverged: dict[int, MemberDivergence] = {}
        self._pending: list[tuple[Tensor, Tensor, Tensor]] = []
        self._frozen: dict[str, Any] = {}  # the diverged members' index and values

    def _check_widths(self) -> None:
        probe = self.p_data.sample((2,), torch.Generator().manual_seed(0), dtype=self.dtype)
        widths = {
            "config.latent_dim": (self.config.latent_dim, self.generator.in_features),
            "p_data's samples": (
                (2, self.config.pack * probe[0].numel()),
                (2, self.discriminator.in_features),
            ),
            "the generator's outputs": (
                self.config.pack * self.generator.out_features,
                self.discriminator.in_features,
            ),
            "the discriminator's outputs": (self.discriminator.out_features, 1),
        }
        for what, (got, needed) in widths.items():
            if got != needed:
                raise ValueError(
                    f"{_FUNCTION}: {what} must fit the networks, {needed}; got {got}. Build G "
                    "from latent_dim to the data's width and D from it (times config.pack) to "
                    "one logit."
                )

    # --- minibatches, per member -----------------------------------------------------------

    def _noise(self) -> Tensor:
        """Each member's m noise samples from its own generator, ``(E, m, latent_dim)``."""
        z = self.prior._draw_members(self.rngs, self.m, self.dtype)
        return z.to(self.device, non_blocking=True)

    def _data(self) -> Tensor:
        """Each member's m examples of ``p_data`` from its own generator, ``(E, m, d)``:
        in one tensor where ``p_data`` can draw them so (``_draw_members``), else stacked."""
        if hasattr(self.p_data, "_draw_members"):
            x = self.p_data._draw_members(self.rngs, self.m, self.dtype)
        else:
            x = [self.p_data.sample((self.m,), rng, dtype=self.dtype) for rng in self.rngs]
            x = torch.stack(x)
        return x.reshape(self.size, self.m, -1).to(self.device, non_blocking=True)

    # --- Algorithm 1 -----------------------------------------------------------------------

    def train(self, until: int | None = None) -> None:
        """Run the iterations from ``step`` to ``until`` (by default ``config.steps``),
        taking the snapshots due and reading back the figures at the end."""
        config = self.config
        until = config.steps if until is None else until
        until = check_int(
            "Ensemble.train",
            "until",
            until,
            minimum=self.step,
            maximum=config.steps,
            fix=f"Pass a step between the ensemble's step {self.step} and config.steps.",
        )
        generator, discriminator = self.generator, self.discriminator
        d_parameters, g_parameters = discriminator.parameters, generator.parameters
        d_optimizer, g_optimizer = self.optimizers["discriminator"], self.optimizers["generator"]
        snapshot_steps, decay_steps = set(config.snapshot_steps), set(config.lr_decay_steps)
        self._set_learning_rates(self.step)
        for step in range(self.step, until):  # for number of training iterations
            if step in snapshot_steps and step not in self.histories[0].snapshots:
                self._take_snapshot(step)
            if step in decay_steps:
                self._set_learning_rates(step)
            for _ in range(config.k):  # for k steps
                # Sample m noise samples z ~ p_z and m examples x ~ p_data, per member.
                z, x_real = self._noise(), self._data()  # (E, m, latent_dim), (E, m, d)
                with torch.no_grad():  # G is held fixed in the discriminator's steps
                    x_fake = generator(z)  # (E, m, d)
                # Update D by ascending (1/m) sum [log D(x) + log(1 - D(G(z)))]: descend -V.
                logits = self._judge(torch.cat((x_real, x_fake), 1))  # (E, 2m / pack)
                d_loss = binary_cross_entropy_with_logits(
                    logits, self.targets.expand_as(logits), self.weights, reduction="none"
                ).sum(-1)  # (E,): minimax_discriminator_loss of each member
                gradients = torch.autograd.grad(d_loss.sum(), d_parameters)
                self._step(d_optimizer, d_parameters, gradients, "discriminator")
            # Sample m noise samples z ~ p_z; update G by descending its loss, D fixed.
            g_loss = self.generator_loss(self._judge(generator(self._noise())))  # (E,)
            gradients = torch.autograd.grad(g_loss.sum(), g_parameters)  # not D's
            self._step(g_optimizer, g_parameters, gradients, "generator")
            d_means = torch.sigmoid(logits.detach()).view(self.size, 2, self.packs).mean(-1)
            self._pending.append((d_loss.detach(), d_means, g_loss.detach()))  # no host sync
            self.step = step + 1
            if len(self._pending) == self.readback_every:
                self.read_back()
        self.read_back()
        if self.step == config.steps and self.step in snapshot_steps:
            if self.step not in self.histories[0].snapshots:
                self._take_snapshot(self.step)

    def _judge(self, x: Tensor) -> Tensor:
        """D's logits ``(E, n)`` of each member's samples ``x`` ``(E, n, d)``, or of their
        packs of ``config.pack`` samples ``(E, n / pack)``."""
        if self.config.pack > 1:
            x = pack_samples(x, self.config.pack, dim=1)
        return self.discriminator(x)[..., 0]

    def _step(self, optimizer, parameters: list[Tensor], gradients, who: str) -> None:
        """One step of ganlib's SGD or Adam on the stacked tensors; frozen members kept."""
        for parameter, gradient in zip(parameters, gradients, strict=True):
            parameter.grad = gradient
        optimizer.step()
        for parameter in parameters:
            parameter.grad = None
        if self._frozen:  # members that diverged: their values as they were frozen
            with torch.no_grad():
                index, kept = self._frozen["index"], self._frozen[who]
                for tensor, values in zip(self._tensors(who), kept, strict=True):
                    tensor[index] = values

    def _tensors(self, who: str) -> list[Tensor]:
        """A player's stacked parameters and optimizer state: what a frozen member keeps."""
        state = self.optimizers[who].state
        return getattr(self, who).parameters + [t for ts in state.values() for t in ts]

    def _freeze_diverged(self) -> None:
        """Take the diverged members' current parameters and optimizer state, which
        :meth:`_step` writes back after every step from now on."""
        self._frozen = {}
        if self.diverged:
            index = torch.tensor(sorted(self.diverged), device=self.device)
            self._frozen = {who: [t[index].clone() for t in self._tensors(who)] for who in _PLAYERS}
            self._frozen["index"] = index

    def _set_learning_rates(self, step: int) -> None:
        schedule_players(self.optimizers, self.config, step)

    @torch.no_grad()
    def _take_snapshot(self, step: int) -> None:
        """G's samples on each member's fixed noise (``train``'s default snapshot)."""
        samples = self.generator(self.fixed_noise).cpu()  # (E, SNAPSHOT_SAMPLES, d)
        for i, history in enumerate(self.histories):
            if i not in self.diverged:
                history.snapshots[step] = samples[i]

    def read_back(self) -> None:
        """Copy the pending figures to the members' histories, in one transfer, and freeze
        the members whose figures or parameters are no longer finite."""
        if not self._pending:
            return
        first = self.step - len(self._pending)
        chunk = torch.stack(
            [torch.cat((d[:, None], means, g[:, None]), 1) for d, means, g in self._pending]
        )  # (n, E, 4), columns in the order of ganlib.history.QUANTITIES
        self._pending = []
        finite = {  # (E,) per stacked tensor: all of the member's entries finite
            f"the {who} parameter {name!r}": torch.isfinite(value.detach()).flatten(1).all(1)
            for who in _PLAYERS
            for name, value in zip(
                getattr(self, who).names(), getattr(self, who).parameters, strict=True
            )
        }
        chunk, finite_cpu = chunk.cpu(), torch.stack(list(finite.values())).cpu()  # one sync
        bad = ~torch.isfinite(chunk)  # (n, E, 4)
        for i, history in enumerate(self.histories):
            if i in self.diverged:
                continue
            rows = bad[:, i].any(1).nonzero()
            if len(rows):
                row = int(rows[0])
                column = int(bad[row, i].nonzero()[0])
                history.extend(chunk[:row, i])
                self._freeze(i, first + row, _SAID[column], float(chunk[row, i, column]))
                continue
            history.extend(chunk[:, i])
            if not bool(finite_cpu[:, i].all()):
                what = list(finite)[int((~finite_cpu[:, i]).nonzero()[0])]
                self._freeze(i, len(history) - 1, what, float("nan"))

    def _freeze(self, i: int, step: int, quantity: str, value: float) -> None:
        self.histories[i] = self.histories[i].truncated(step)
        self.diverged[i] = MemberDivergence(i, self.seeds[i], step, quantity, value)
        self._freeze_diverged()

    # --- the generators alone ---------------------------------------------------------------

    def train_generators(
        self,
        optimizer: torch.optim.Optimizer,
        *,
        steps: int,
        batch_size: int,
        seeds: Any,
        against: Ensemble | None = None,
        loss: str = "nonsaturating",
    ) -> Tensor:
        """:func:`ganlib.train_generator` for every member at once: ``steps`` steps of
        ``optimizer`` (built on ``ensemble.generator.parameters``) on each member's generator
        alone, against the frozen discriminators of ``against`` (an ensemble of the same size;
        by default this one). Member i draws ``batch_size`` noise vectors of the ensemble's
        prior per step from a CPU generator seeded with ``seeds[i]``; the sum of the members'
        losses (``loss``, a name of :data:`ganlib.GENERATOR_LOSSES`) gives each member the
        gradient of its own. Returns the losses, ``(steps, E)``."""
        function = "Ensemble.train_generators"
        check_type(
            function,
            "optimizer",
            optimizer,
            torch.optim.Optimizer,
            "a torch.optim.Optimizer",
            fix="Build it on ensemble.generator.parameters.",
        )
        steps = check_int(function, "steps", steps, minimum=0, fix="Pass e.g. steps=1000.")
        fix = "Pass e.g. batch_size=100."
        batch_size = check_int(function, "batch_size", batch_size, minimum=1, fix=fix)
        rngs = [torch.Generator().manual_seed(seed) for seed in _seeds(seeds, self.size)]
        against = self if against is None else against
        check_type(
            function,
            "against",
            against,
            Ensemble,
            "a ganlib.Ensemble",
            fix="Pass the ensemble whose discriminators to train against.",
        )
        if against.size != self.size or loss not in _GENERATOR_TERMS:
            raise ValueError(
                f"{function}: against must have {self.size} members and loss be one of "
                f"{sorted(_GENERATOR_TERMS)}; got {against.size} members and {loss!r}."
            )
        discriminator, generator_loss = against.discriminator, _member_means(loss)
        frozen = [parameter.requires_grad for parameter in discriminator.parameters]
        for parameter in discriminator.parameters:
            parameter.requires_grad_(False)
        losses = []
        try:
            for _ in range(steps):
                z = self.prior._draw_members(rngs, batch_size, self.dtype).to(self.device)
                member_losses = generator_loss(discriminator(self.generator(z))[..., 0])
                optimizer.zero_grad()
                member_losses.sum().backward()
                optimizer.step()
                losses.append(member_losses.detach())
        finally:
            for parameter, required in zip(discriminator.parameters, frozen, strict=True):
                parameter.requires_grad_(required)
        return torch.stack(losses) if losses else torch.empty(0, self.size)

    # --- members as modules ----------------------------------------------------------------

    def member(self, i: int) -> tuple[nn.Module, nn.Module]:
        """Member i's (generator, discriminator) at the current step: ``nn.Sequential`` s of
        the architecture passed in, holding copies of the member's weights."""
        fix = f"Pass an index in [0, {self.size - 1}]."
        i = check_int("Ensemble.member", "i", i, minimum=0, maximum=self.size - 1, fix=fix)
        return self.generator.member(i), self.discriminator.member(i)

    # --- checkpoints -----------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Everything a resume needs, as tensors, dicts and primitives (``weights_only``);
        the figures still on the device are read back first."""
        self.read_back()
        return {
            "ensemble_state": ENSEMBLE_STATE_VERSION,
            "step": self.step,
            "config": self.config.to_dict(),
            "seeds": list(self.seeds),
            "p_data": _describe(self.p_data),
            "parameters": {who: list(getattr(self, who).parameters) for who in _PLAYERS},
            "optimizers": {who: self.optimizers[who].state_dict() for who in _PLAYERS},
            "rngs": [rng.get_state() for rng in self.rngs],
            "histories": [history.to_dict() for history in self.histories],
            "diverged": [vars(d) for d in self.diverged.values()],
        }

    def load_state_dict(self, state: dict[str, Any], *, source: str = "the state") -> None:
        """Continue from ``state`` (from :meth:`state_dict`): parameters, optimizers, RNGs,
        histories, divergences and step. The configuration (but for ``steps``,
        ``snapshot_steps`` and ``checkpoint_every``), seeds, ``p_data`` and architecture must
        be the ensemble's; otherwise a ``ValueError`` (or :class:`ganlib.CheckpointError` for
        a state of another layout), and nothing is changed."""
        function = "Ensemble.load_state_dict"
        if not isinstance(state, dict) or state.get("ensemble_state") != ENSEMBLE_STATE_VERSION:
            raise CheckpointError(
                f"{function}: {source} must be an ensemble state of layout "
                f"{ENSEMBLE_STATE_VERSION}; got "
                f"{state.get('ensemble_state') if isinstance(state, dict) else type(state)}. "
                "Pass what Ensemble.state_dict() returned."
            )
        mine = {**self.config.to_dict(), "steps": 0, "snapshot_steps": [], "checkpoint_every": 0}
        saved = {**state["config"], "steps": 0, "snapshot_steps": [], "checkpoint_every": 0}
        checks = {
            "config": (mine, saved),
            "seeds": (list(self.seeds), state["seeds"]),
            "p_data": (_describe(self.p_data), state["p_data"]),
            "parameters": (
                _layout({who: getattr(self, who).parameters for who in _PLAYERS}),
                _layout(state["parameters"]),
            ),
        }
        for what, (own, theirs) in checks.items():
            if own != theirs:
                raise ValueError(
                    f"{function}: {what} must be the checkpoint's to resume exactly; got "
                    f"{own}, {source} has {theirs}. Build the ensemble as the saved one was."
                )
        if not 0 <= state["step"] <= self.config.steps:
            raise ValueError(
                f"{function}: config.steps must be at least the checkpoint's step; got "
                f"steps={self.config.steps}, {source} is at step {state['step']}."
            )
        with torch.no_grad():
            for who in _PLAYERS:
                for own, saved_value in zip(
                    getattr(self, who).parameters, state["parameters"][who], strict=True
                ):
                    own.copy_(saved_value)
                self.optimizers[who].load_state_dict(state["optimizers"][who])
        for rng, rng_state in zip(self.rngs, state["rngs"], strict=True):
            rng.set_state(rng_state)
        self.histories = [History.from_dict(h) for h in state["histories"]]
        self.diverged = {d["member"]: MemberDivergence(**d) for d in state["diverged"]}
        self._pending = []
        self.step = state["step"]
        self._freeze_diverged()

    def save(self, path: str | Path) -> None:
        """Write :meth:`state_dict` to ``path`` atomically (:func:`ganlib.save_checkpoint`)."""
        save_checkpoint(self.state_dict(), path)

    def resume(self, path: str | Path) -> None:
        """Load the checkpoint at ``path`` (:func:`ganlib.load_checkpoint`) into the ensemble."""
        state = load_checkpoint(path, required=("ensemble_state",))
        self.load_state_dict(state, source=f"the checkpoint {str(path)!r}")


def _layout(parameters: dict[str, list[Tensor]]) -> list[tuple]:
    """The shapes and dtypes of the stacked tensors: the architecture and E."""
    return [(tuple(p.shape), p.dtype) for who in _PLAYERS for p in parameters[who]]


def _networks(name: str, networks: object) -> list[nn.Module]:
    if isinstance(networks, nn.Module) or not isinstance(networks, list | tuple):
        raise TypeError(
            f"{_FUNCTION}: {name} must be a list of nn.Module, one per member; got "
            f"{type(networks).__name__}. Pass e.g. [ganlib.{name[:-1]}(...) for seed in seeds]."
        )
    if not networks:
        raise ValueError(
            f"{_FUNCTION}: {name} must hold at least one network; got an empty list. Pass one "
            "per member."
        )
    for i, network in enumerate(networks):
        if not isinstance(network, nn.Module):
            raise TypeError(
                f"{_FUNCTION}: {name} must be a list of nn.Module; got {type(network).__name__} "
                f"at index {i}. Pass networks built with ganlib.{name[:-1]}(...)."
            )
    return list(networks)


def _seeds(seeds: object, size: int) -> tuple[int, ...]:
    if isinstance(seeds, str | bytes) or not hasattr(seeds, "__iter__"):
        raise TypeError(
            f"{_FUNCTION}: seeds must be a sequence of ints, one per member; got "
            f"{type(seeds).__name__}. Pass e.g. seeds=range({size})."
        )
    fix = "Seeds are ints in [0, 2**63), as TrainConfig.seed."
    values = tuple(
        check_int(_FUNCTION, f"seeds[{i}]", s, minimum=0, maximum=2**63 - 1, fix=fix)
        for i, s in enumerate(seeds)
    )
    if len(values) != size:
        raise ValueError(
            f"{_FUNCTION}: seeds must have one seed per member; got {len(values)} seeds for "
            f"{size} members. Pass e.g. seeds=range({size})."
        )
    return values
