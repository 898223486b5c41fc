r"""The GAN losses, from the discriminator's logits.

The logits contract: every loss takes **logits** :math:`l` (any real numbers, any shape), the
discriminator's output before the sigmoid, with :math:`D = \sigma(l)`. The logs of the paper
are then softplus functions,

.. math:: \log D = \log \sigma(l) = -\operatorname{softplus}(-l), \qquad
    \log(1 - D) = \log \sigma(-l) = -\operatorname{softplus}(l),

which are finite and have finite gradients for every finite logit, where
``torch.log(torch.sigmoid(l))`` gives :math:`-\infty` once :math:`\sigma` rounds to 0 or 1
(float32 logits beyond about ±90) and NaN gradients with it. Never pass probabilities.

Each loss is a mean over its batch (all entries), so real and fake batches may differ in size.
Only types, dtypes and emptiness are checked: no value is read back from the device, so a loss
adds no host synchronisation to a training step (NaN logits give a NaN loss).

With :math:`V(D, G) = \mathbb E \log D(x) + \mathbb E \log(1 - D(G(z)))`:

* :func:`minimax_discriminator_loss` is :math:`-V`: the discriminator ascends V by descending it;
* :func:`minimax_generator_loss` is the part of V the generator descends in Algorithm 1
  (saturating: its gradient vanishes when D rejects the fakes confidently);
* :func:`nonsaturating_generator_loss` is the paper's practical alternative,
  :math:`-\mathbb E \log D(G(z))`: the same fixed point, strong gradients early in training;
* :func:`maximum_likelihood_generator_loss` is the third cost of Goodfellow's NIPS 2016
  tutorial, :math:`-\tfrac12 \mathbb E \exp(\sigma^{-1}(D(G(z))))`, whose gradient against
  the optimal discriminator is that of :math:`\tfrac12 \mathrm{KL}(p_{data} \,\|\, p_g)`.

What each generator loss minimises against the optimal discriminator is
:func:`ganlib.generator_objective`.

>>> real, fake = torch.tensor([2.0, 3.0]), torch.tensor([-2.0, 0.0])
>>> round(float(minimax_discriminator_loss(real, fake)), 4)
0.4978
"""

from __future__ import annotations

import torch
from torch.nn.functional import binary_cross_entropy_with_logits, softplus

from ganlib._checks import check_logits, check_real

__all__ = [
    "GENERATOR_LOSSES",
    "BatchDiscriminatorLoss",
    "maximum_likelihood_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "nonsaturating_generator_loss",
]


def check_real_label(function: str, real_label: object) -> float:
    """The label of the data in the discriminator's loss: 1 (the paper), or below 1 for
    one-sided label smoothing; in (0, 1]."""
    fix = "Use 1.0 (the paper) or a value just below 1, e.g. 0.9, for one-sided label smoothing."
    return check_real(function, "real_label", real_label, low=0.0, high=1.0, brackets="(]", fix=fix)


def minimax_discriminator_loss(
    real_logits: torch.Tensor, fake_logits: torch.Tensor, *, real_label: float = 1.0
) -> torch.Tensor:
    r"""The discriminator's loss in Algorithm 1: :math:`-V(D, G)` estimated on a batch.

    .. math:: L_D = -\Big[\frac1m \sum_i \log D(x_i) + \frac1n \sum_j \log(1 - D(G(z_j)))\Big]
        = \frac1m \sum_i \operatorname{softplus}(-l_i)
          + \frac1n \sum_j \operatorname{softplus}(l'_j)

    with ``real_logits`` :math:`l_i` on data and ``fake_logits`` :math:`l'_j` on generated
    samples. It is binary cross-entropy with label 1 for data and 0 for fakes, each part
    averaged on its own: ``F.binary_cross_entropy_with_logits(real, ones) +
    F.binary_cross_entropy_with_logits(fake, zeros)``. Descending it ascends V; its minimiser
    at each x is Proposition 1's :math:`D^* = p_{data} / (p_{data} + p_g)`.

    ``real_label`` :math:`\alpha < 1` is one-sided label smoothing (Salimans et al., 2016), a
    departure from the paper that is off by default. The real part becomes the cross-entropy
    with target :math:`\alpha`,

    .. math:: \frac1m \sum_i \big[\alpha \operatorname{softplus}(-l_i)
        + (1 - \alpha) \operatorname{softplus}(l_i)\big],

    and the minimiser moves to :math:`\alpha\, p_{data} / (p_{data} + p_g)`: D* no longer
    reaches 1 where :math:`p_g = 0`, and is no longer 1/2 at :math:`p_g = p_{data}`.

    >>> float(minimax_discriminator_loss(torch.zeros(4), torch.zeros(4)))  # D = 1/2: log 4
    1.3862943...
    """
    function = "minimax_discriminator_loss"
    check_logits(function, {"real_logits": real_logits, "fake_logits": fake_logits})
    alpha = check_real_label(function, real_label)
    m, n = real_logits.numel(), fake_logits.numel()
    loss = BatchDiscriminatorLoss(m, n, real_label=alpha, like=real_logits)
    return loss(torch.cat((real_logits.reshape(-1), fake_logits.reshape(-1))))  # ()


class BatchDiscriminatorLoss:
    r""":func:`minimax_discriminator_loss` of one batch of logits: m on data, then n on fakes.

    The discriminator's loss is binary cross-entropy with target :math:`\alpha` (the
    ``real_label``, 1 in the paper) on the data and 0 on the fakes, each part averaged on its
    own. On the concatenated batch that is one weighted sum,

    .. math:: L_D = \sum_{i=1}^{m+n} w_i \big[t_i \operatorname{softplus}(-l_i)
        + (1 - t_i) \operatorname{softplus}(l_i)\big], \qquad
        w_i = 1/m \text{ on data}, \; 1/n \text{ on fakes},

    which one fused kernel computes (``binary_cross_entropy_with_logits`` with weights and
    ``reduction="sum"``). The targets and weights are made once, so a training loop that
    passes the discriminator its real and fake batch together pays for one call per step.
    This is the one implementation of the discriminator's loss:
    :func:`minimax_discriminator_loss` and :func:`ganlib.train` both call it.

    >>> loss = BatchDiscriminatorLoss(2, 3, like=torch.zeros(1))
    >>> float(loss(torch.zeros(5)))  # D = 1/2 everywhere: log 4
    1.3862943...
    """

    def __init__(self, m: int, n: int, *, real_label: float = 1.0, like: torch.Tensor) -> None:
        self.m, self.n = m, n
        options = {"dtype": like.dtype, "device": like.device}
        self.targets = torch.cat(
            (torch.full((m,), float(real_label), **options), torch.zeros(n, **options))
        )
        self.weights = torch.cat(
            (torch.full((m,), 1 / m, **options), torch.full((n,), 1 / n, **options))
        )

    def __call__(self, logits: torch.Tensor) -> torch.Tensor:
        """The loss of ``logits`` of shape ``(m + n,)`` or ``(m + n, 1)``, data first."""
        return binary_cross_entropy_with_logits(
            logits.view(-1), self.targets, weight=self.weights, reduction="sum"
        )


_GENERATOR_TERMS = {
    "minimax": lambda logits: -softplus(logits),  # log(1 - D(G(z)))
    "nonsaturating": lambda logits: softplus(-logits),  # -log D(G(z))
    "maximum_likelihood": lambda logits: -0.5 * logits.exp(),  # -exp(logit) / 2
}
"""Each generator loss's term per fake, unchecked: the loss is its mean over the batch, and
:class:`ganlib.Ensemble` takes the mean over each member's batch (the last dimension)."""


def minimax_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    r"""The generator's loss in Algorithm 1 (saturating): the part of V that G descends.

    .. math:: L_G = \frac1n \sum_j \log(1 - D(G(z_j)))
        = -\frac1n \sum_j \operatorname{softplus}(l'_j)

    It is at most 0 and goes to :math:`-\infty` as the fakes fool D. Its derivative in a logit
    is :math:`-\sigma(l') / n = -D(G(z)) / n`, which vanishes as :math:`D(G(z)) \to 0`: early in
    training, when D rejects the fakes confidently, G learns almost nothing ("saturates").
    :func:`nonsaturating_generator_loss` fixes that.

    >>> round(float(minimax_generator_loss(torch.tensor([-10.0]))), 6)  # log(1 - D), D ~ 4.5e-5
    -4.5e-05
    """
    check_logits("minimax_generator_loss", {"fake_logits": fake_logits})
    return _GENERATOR_TERMS["minimax"](fake_logits).mean()  # ()


def nonsaturating_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    r"""The non-saturating generator loss, the paper's practical alternative to Algorithm 1's.

    .. math:: L_G = -\frac1n \sum_j \log D(G(z_j)) = \frac1n \sum_j \operatorname{softplus}(-l'_j)

    G maximises :math:`\log D(G(z))` instead of minimising :math:`\log(1 - D(G(z)))`: the same
    fixed point (:math:`p_g = p_{data}`, :math:`D = 1/2`), but the derivative in a logit is
    :math:`-(1 - D(G(z))) / n`, close to :math:`-1/n` exactly where the saturating loss's
    vanishes. It is binary cross-entropy with label 1 on the fakes.

    >>> round(float(nonsaturating_generator_loss(torch.tensor([-10.0]))), 4)  # -log D ~ 10
    10.0
    """
    check_logits("nonsaturating_generator_loss", {"fake_logits": fake_logits})
    return _GENERATOR_TERMS["nonsaturating"](fake_logits).mean()  # ()


def maximum_likelihood_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    r"""The maximum-likelihood generator cost (Goodfellow, NIPS 2016 tutorial).

    .. math:: L_G = -\frac{1}{2n} \sum_j \exp\big(\sigma^{-1}(D(G(z_j)))\big)
        = -\frac{1}{2n} \sum_j e^{l'_j}

    The logit :math:`l' = \sigma^{-1}(D)` is the inverse sigmoid of D's output, so
    :math:`e^{l'} = D / (1 - D)`. Against the optimal discriminator
    :math:`e^{l'} = p_{data} / p_g`, and the expected gradient of this cost is the gradient of
    :math:`\tfrac12 \mathrm{KL}(p_{data} \,\|\, p_g)`, the divergence maximum likelihood
    minimises (:func:`ganlib.generator_objective`). Its derivative in a logit is
    :math:`-e^{l'} / (2n) = -D / (2n(1 - D))`: like the minimax loss's it vanishes as
    :math:`D(G(z)) \to 0`. The exponential overflows float32 for logits above about 88, where
    D rounds to 1.

    >>> round(float(maximum_likelihood_generator_loss(torch.tensor([0.0]))), 4)  # D = 1/2
    -0.5
    """
    check_logits("maximum_likelihood_generator_loss", {"fake_logits": fake_logits})
    return _GENERATOR_TERMS["maximum_likelihood"](fake_logits).mean()  # ()


GENERATOR_LOSSES = {
    "minimax": minimax_generator_loss,
    "nonsaturating": nonsaturating_generator_loss,
    "maximum_likelihood": maximum_likelihood_generator_loss,
}
"""The generator losses by name: the one table that :class:`ganlib.TrainConfig`,
:func:`ganlib.train` and the command line read. Each takes the fakes' logits."""
