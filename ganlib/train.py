r"""Training: the discriminator's half of Algorithm 1, on samples of fixed distributions.

:func:`train_discriminator` runs the inner loop of the paper's Algorithm 1 with the
generator held fixed: at each step it draws a fresh minibatch of m data samples and m
samples of the generator's distribution, and updates the discriminator by ascending

.. math:: \frac1m \sum_{i=1}^m
    \Big[\log D\big(x^{(i)}\big) + \log\big(1 - D(\tilde x^{(i)})\big)\Big],

that is, by descending :func:`ganlib.minimax_discriminator_loss`. Trained long enough, with
enough capacity, the discriminator approaches Proposition 1's
:math:`D^* = p_{data} / (p_{data} + p_g)`; the book measures how close it gets.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Protocol

import torch
from torch import Tensor, nn

from ganlib.losses import minimax_discriminator_loss

__all__ = ["Sampler", "train_discriminator"]


class Sampler(Protocol):
    """Anything that draws seeded samples the way ``ganlib``'s distributions do."""

    def sample(
        self,
        sample_shape: tuple[int, ...],
        generator: torch.Generator | None = None,
        *,
        dtype: torch.dtype = torch.float64,
    ) -> Tensor: ...


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
    on :func:`ganlib.minimax_discriminator_loss` of the discriminator's logits. ``real_label``
    below 1 is one-sided label smoothing, off by default as in the paper.

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
    if not isinstance(discriminator, nn.Module):
        raise TypeError(
            f"{function}: discriminator must be a torch.nn.Module; got "
            f"{type(discriminator).__name__}. Build one with ganlib.discriminator(...)."
        )
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"{function}: optimizer must be a torch.optim.Optimizer; got "
            f"{type(optimizer).__name__}. Pass e.g. torch.optim.Adam(discriminator.parameters())."
        )
    for name, sampler in (("p_data", p_data), ("p_g", p_g)):
        if not callable(getattr(sampler, "sample", None)):
            raise TypeError(
                f"{function}: {name} must have a sample(sample_shape, generator, dtype=...) "
                f"method; got {type(sampler).__name__}. Pass a ganlib distribution."
            )
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
