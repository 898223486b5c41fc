r"""The checks a run makes of its networks before the first step, and the way it looks at them.

Before :func:`ganlib.train` (or :func:`ganlib.train_discriminator`) takes a step, it checks
that the networks fit each other and the data: both are modules with floating-point
parameters on one device, the generator takes ``latent_dim`` inputs, the discriminator holds
no batch statistics, and on a small probe batch the generator returns samples of the data's
shape and the discriminator one logit per sample. The probes draw from generators of their
own and run in eval mode without gradients, so a run's results do not depend on them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from ganlib._checks import check_module
from ganlib.config import TrainConfig
from ganlib.nets import pack_samples

if TYPE_CHECKING:
    from ganlib.run import Sampler

__all__ = ["PROBE_ROWS", "check_logits", "check_shapes", "probe_sample", "probing"]


def _first_width(network: nn.Module) -> int | None:
    """``in_features`` of the first layer that has one (Linear, Maxout), if any."""
    return next((int(m.in_features) for m in network.modules() if hasattr(m, "in_features")), None)


def _check_networks(generator: object, discriminator: object, config: object):
    """Both are modules with parameters on one device and floating dtype; returns those."""
    check_module("train", "generator", generator, "ganlib.generator(latent_dim, data_dim)")
    check_module("train", "discriminator", discriminator, "ganlib.discriminator(data_dim)")
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


def _describe(p_data: object) -> str:
    """A description of p_data to check a resumed run against (no memory addresses)."""
    text = repr(p_data)
    return type(p_data).__qualname__ if text == object.__repr__(p_data) else text


def _global_rng_state(device: torch.device) -> dict[str, Tensor | None]:
    cuda = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
    return {"cpu": torch.get_rng_state(), "cuda": cuda}


def _set_global_rng_state(device: torch.device, state: dict[str, Tensor | None]) -> None:
    torch.set_rng_state(state["cpu"])
    if device.type == "cuda" and state["cuda"] is not None:
        torch.cuda.set_rng_state(state["cuda"], device)


@contextlib.contextmanager
def _modes(networks: tuple[nn.Module, ...], training: bool) -> Iterator[None]:
    """Put the networks in training (dropout on) or eval mode; restore their modes after."""
    modes = [(module, module.training) for net in networks for module in net.modules()]
    for network in networks:
        network.train(training)
    try:
        yield
    finally:
        for module, was in modes:
            module.training = was


PROBE_ROWS = 2
"""Rows of the batches with which a run checks its networks before the first step."""


def _call(function: str, name: str, network: nn.Module, x: Tensor) -> Tensor:
    """``network(x)``; an exception is a ValueError naming the network and the input."""
    try:
        return network(x)
    except Exception as error:
        raise ValueError(
            f"{function}: {name} must take a batch of shape {tuple(x.shape)}; calling it "
            f"raised {type(error).__name__}: {str(error).strip().splitlines()[0]}. Build it "
            "for the data's width."
        ) from error


def probe_sample(function: str, name: str, sampler: Sampler, dtype: torch.dtype) -> Tensor:
    """:data:`PROBE_ROWS` draws of ``sampler`` from a generator of their own (seed 0)."""
    x = sampler.sample((PROBE_ROWS,), torch.Generator().manual_seed(0), dtype=dtype)
    if not isinstance(x, Tensor) or x.ndim == 0 or len(x) != PROBE_ROWS:
        got = f"shape {tuple(x.shape)}" if isinstance(x, Tensor) else type(x).__name__
        raise ValueError(
            f"{function}: {name}.sample(({PROBE_ROWS},), generator) must return a tensor of "
            f"{PROBE_ROWS} samples, shape ({PROBE_ROWS}, *data); got {got}. Pass a ganlib "
            "distribution."
        )
    return x


def check_logits(function: str, discriminator: nn.Module, x: Tensor, *, pack: int = 1) -> None:
    """The discriminator maps the batch ``x`` to one logit per sample (per pack of ``pack``
    samples, when ``x`` holds packs), ``(len(x), 1)``."""
    what = "sample" if pack == 1 else f"pack of {pack} samples"
    build = "data_dim" if pack == 1 else f"{pack} * data_dim"
    try:
        logits = _call(function, "discriminator", discriminator, x)
    except ValueError as error:
        if pack == 1:
            raise
        raise ValueError(
            f"{error} With pack={pack}, D judges packs of {pack} samples: build it for "
            f"{pack} times the data's width, e.g. ganlib.discriminator({build}, hidden)."
        ) from error.__cause__
    if not isinstance(logits, Tensor) or tuple(logits.shape) != (len(x), 1):
        got = f"shape {tuple(logits.shape)}" if isinstance(logits, Tensor) else type(logits)
        raise ValueError(
            f"{function}: discriminator must return one logit per {what}, shape ({len(x)}, 1) "
            f"for a batch of shape {tuple(x.shape)}; got {got}. Give it one output unit, e.g. "
            f"ganlib.discriminator({build}, hidden)."
        )


@contextlib.contextmanager
def probing(*networks: nn.Module) -> Iterator[None]:
    """Eval mode and no gradients, for a look at the networks; their modes and the global
    RNG (CPU and CUDA) are given back after it."""
    device = next(networks[0].parameters()).device
    rng = _global_rng_state(device)
    try:
        with _modes(networks, False), torch.no_grad():
            yield
    finally:
        _set_global_rng_state(device, rng)


def check_shapes(
    function: str,
    generator: nn.Module,
    discriminator: nn.Module,
    p_data: Sampler,
    z: Tensor,
    *,
    pack: int = 1,
) -> None:
    """G maps the noise ``z`` to samples of ``p_data``'s shape, and D those and ``p_data``'s
    draws to one logit each (:data:`PROBE_ROWS` rows, nothing of the run's RNG used); with
    ``pack`` > 1, one logit per pack of ``pack`` samples (each probe row repeated)."""
    with probing(generator, discriminator):
        x = probe_sample(function, "p_data", p_data, z.dtype).to(z.device)
        fake = _call(function, "generator", generator, z)
        if not isinstance(fake, Tensor) or fake.shape[1:] != x.shape[1:]:
            got = f"shape {tuple(fake.shape)}" if isinstance(fake, Tensor) else type(fake)
            width = x.shape[1] if x.ndim == 2 else tuple(x.shape[1:])
            raise ValueError(
                f"{function}: generator must return samples of p_data's shape "
                f"(m, {', '.join(map(str, x.shape[1:]))}); got {got} for noise of shape "
                f"{tuple(z.shape)}, where p_data {_describe(p_data)[:80]} draws "
                f"{tuple(x.shape[1:])}. Build the generator for the data, e.g. "
                f"ganlib.generator(latent_dim, {width}, hidden)."
            )
        if pack == 1:
            check_logits(function, discriminator, torch.cat((x, fake)))
            return
        packs = pack_samples(torch.cat((x, fake)).repeat_interleave(pack, 0), pack)
        check_logits(function, discriminator, packs, pack=pack)
