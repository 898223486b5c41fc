r"""Multilayer perceptrons for the generator and the discriminator, and seeded weights.

Two architectures, both expressible with :func:`generator` and :func:`discriminator`:

* the Keras example's of *GANs in Action* (Langr & Bok, 2019), with the defaults:
  :math:`z \in \mathbb R^{100}` to 128 LeakyReLU(0.01) units to
  the data with a tanh output; the data through 128 LeakyReLU(0.01) units to one logit;
* the paper's MNIST networks (from its released configuration): a generator of two layers of
  1200 ReLU units with a sigmoid output, and a discriminator of two maxout layers of 240 units
  with 5 pieces each, trained with dropout (0.2 on the input, 0.5 on the hidden layers).

The discriminator returns **logits**, not probabilities: :math:`D(x) = \sigma(\text{logit})`
and the losses of :mod:`ganlib.losses` take the logits, where they are stable.

Constructing a network draws PyTorch's default initial weights from the global RNG, as
``nn.Linear`` does; :func:`init_weights` redraws them from a ``torch.Generator`` of your own,
which is what every run of the book does.

>>> net = generator(100, 784)  # the Keras example's generator, 28x28
>>> net
Sequential(
  (0): Linear(in_features=100, out_features=128, bias=True)
  (1): LeakyReLU(negative_slope=0.01)
  (2): Linear(in_features=128, out_features=784, bias=True)
  (3): Tanh()
)
>>> sum(parameter.numel() for parameter in net.parameters())  # 100*128 + 128 + 128*784 + 784
114064
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

import torch
from torch import Tensor, nn

from ganlib._checks import check_choice, check_int, check_real, check_torch_generator, check_type

__all__ = [
    "ACTIVATIONS",
    "OUTPUTS",
    "Maxout",
    "discriminator",
    "generator",
    "init_weights",
    "mlp",
    "pack_samples",
]

ACTIVATIONS = ("leaky_relu", "maxout", "relu", "tanh")
"""Hidden activations :func:`mlp` knows; ``"maxout"`` replaces each hidden Linear by a Maxout."""

OUTPUTS = ("sigmoid", "tanh", None)
"""Output activations :func:`mlp` knows; None leaves the last Linear's output as it is."""


class Maxout(nn.Module):
    r"""Maxout units (Goodfellow et al., 2013), the paper's discriminator nonlinearity.

    Each of the ``out_features`` units is the largest of ``pieces`` affine functions:

    .. math:: h_j(x) = \max_{k = 1, \dots, K} \big(W_{jk} x + b_{jk}\big)

    ``weight`` has shape ``(out_features * pieces, in_features)``, rows ``j * pieces + k``;
    initialised like ``nn.Linear``, :math:`U(\pm 1/\sqrt{\text{in\_features}})`.

    >>> Maxout(784, 240, pieces=5)(torch.zeros(3, 784)).shape
    torch.Size([3, 240])
    """

    def __init__(self, in_features: int, out_features: int, pieces: int) -> None:
        super().__init__()
        fix = "Pass positive layer sizes and at least 2 pieces, e.g. Maxout(784, 240, 5)."
        self.in_features = check_int("Maxout", "in_features", in_features, minimum=1, fix=fix)
        self.out_features = check_int("Maxout", "out_features", out_features, minimum=1, fix=fix)
        self.pieces = check_int("Maxout", "pieces", pieces, minimum=2, fix=fix)
        self.weight = nn.Parameter(torch.empty(out_features * pieces, in_features))
        self.bias = nn.Parameter(torch.empty(out_features * pieces))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.in_features)
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        affine = nn.functional.linear(x, self.weight, self.bias)  # (..., out * pieces)
        return affine.unflatten(-1, (self.out_features, self.pieces)).amax(-1)  # (..., out)

    def extra_repr(self) -> str:
        sizes = f"in_features={self.in_features}, out_features={self.out_features}"
        return f"{sizes}, pieces={self.pieces}"


def _build(
    function: str,
    sizes: object,
    *,
    activation: object,
    negative_slope: object,
    output: object,
    dropout: object,
    input_dropout: object,
    maxout_pieces: object,
    rng: object = None,
) -> nn.Sequential:
    """Validate every option of :func:`mlp` (errors name ``function``) and build the network."""
    fix = "Pass rng=torch.Generator().manual_seed(seed) for seeded weights."
    check_torch_generator(function, "rng", rng, fix=fix)
    if isinstance(sizes, str) or not isinstance(sizes, Sequence):
        raise TypeError(
            f"{function}: sizes must be a sequence of ints; got {type(sizes).__name__}. "
            "Pass the layer widths from input to output, e.g. [100, 128, 784]."
        )
    fix = "Layer widths are positive ints, from input to output, e.g. [100, 128, 784]."
    sizes = [check_int(function, f"sizes[{i}]", n, minimum=1, fix=fix) for i, n in enumerate(sizes)]
    if len(sizes) < 2:
        raise ValueError(
            f"{function}: sizes must have at least two entries (input and output widths); "
            f"got {sizes}. Add the output width, e.g. [{sizes[0] if sizes else 100}, 1]."
        )
    check_choice(function, "activation", activation, ACTIVATIONS)
    check_choice(function, "output", output, OUTPUTS)  # type: ignore[arg-type]
    check_real(function, "negative_slope", negative_slope, fix="The seed uses 0.01.")
    fix = "Pass the probability of zeroing a unit, e.g. 0.5, or 0.0 for no dropout."
    dropout = check_real(function, "dropout", dropout, low=0.0, high=1.0, brackets="[)", fix=fix)
    input_dropout = check_real(
        function, "input_dropout", input_dropout, low=0.0, high=1.0, brackets="[)", fix=fix
    )
    pieces = check_int(function, "maxout_pieces", maxout_pieces, minimum=2, fix="The paper used 5.")

    layers: list[nn.Module] = [nn.Dropout(input_dropout)] if input_dropout > 0 else []
    for n_in, n_out in pairwise(sizes[:-1]):  # hidden layers
        if activation == "maxout":
            layers.append(Maxout(n_in, n_out, pieces))
        else:
            layers.append(nn.Linear(n_in, n_out))
            if activation == "leaky_relu":
                layers.append(nn.LeakyReLU(float(negative_slope)))
            else:
                layers.append(nn.ReLU() if activation == "relu" else nn.Tanh())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(sizes[-2], sizes[-1]))  # output layer
    if output is not None:
        layers.append(nn.Tanh() if output == "tanh" else nn.Sigmoid())
    return nn.Sequential(*layers)


def _seeded(build, rng: torch.Generator | None) -> nn.Sequential:
    """Build with ``rng``'s weights, leaving the global RNG as it was; or as torch does."""
    if rng is None:
        return build()  # PyTorch's default: weights from the global RNG
    with torch.random.fork_rng(devices=[]):  # the layers' own default draws are discarded
        network = build()
    return init_weights(network, generator=rng)


def mlp(
    sizes: Sequence[int],
    *,
    activation: str = "leaky_relu",
    negative_slope: float = 0.01,
    output: str | None = None,
    dropout: float = 0.0,
    input_dropout: float = 0.0,
    maxout_pieces: int = 5,
    rng: torch.Generator | None = None,
) -> nn.Sequential:
    r"""A multilayer perceptron: Linear layers of widths ``sizes`` with ``activation`` between.

    ``sizes = [n_0, ..., n_L]`` gives L Linear layers :math:`n_{i-1} \to n_i`. After each hidden
    layer comes ``activation`` (one of :data:`ACTIVATIONS`; ``negative_slope`` is LeakyReLU's,
    ignored by the others; ``"maxout"`` makes each hidden layer a :class:`Maxout` with
    ``maxout_pieces`` pieces) and then ``nn.Dropout(dropout)`` if ``dropout > 0``;
    ``input_dropout > 0`` puts a dropout on the input too. After the last layer comes
    ``output`` (:data:`OUTPUTS`). Inputs have shape ``(..., n_0)``, outputs ``(..., n_L)``.
    With ``rng`` (a ``torch.Generator``) the weights are drawn from it by :func:`init_weights`
    and the global RNG is left untouched; without it they come from the global RNG, as for
    any ``nn.Linear``.

    >>> mlp([2, 16, 16, 1], activation="relu")
    Sequential(
      (0): Linear(in_features=2, out_features=16, bias=True)
      (1): ReLU()
      (2): Linear(in_features=16, out_features=16, bias=True)
      (3): ReLU()
      (4): Linear(in_features=16, out_features=1, bias=True)
    )
    """
    options = dict(activation=activation, negative_slope=negative_slope, output=output)
    options.update(dropout=dropout, input_dropout=input_dropout, maxout_pieces=maxout_pieces)
    return _seeded(lambda: _build("mlp", sizes, **options, rng=rng), rng)


def _widths(function: str, first: tuple[str, object], hidden: object, last: int) -> list:
    """``[first, *hidden, last]``, with the arguments' own names in error messages."""
    name, value = first
    fix = "Layer widths are positive ints, e.g. generator(100, 784, hidden=(128,))."
    if isinstance(hidden, str) or not isinstance(hidden, Sequence):
        raise TypeError(
            f"{function}: hidden must be a sequence of ints; got {type(hidden).__name__}. "
            "Pass the hidden widths as a tuple, e.g. hidden=(128,) or hidden=(1200, 1200)."
        )
    widths = [
        check_int(function, f"hidden[{i}]", h, minimum=1, fix=fix) for i, h in enumerate(hidden)
    ]
    return [check_int(function, name, value, minimum=1, fix=fix), *widths, last]


def generator(
    latent_dim: int,
    data_dim: int,
    hidden: Sequence[int] = (128,),
    *,
    activation: str = "leaky_relu",
    negative_slope: float = 0.01,
    output: str | None = "tanh",
    rng: torch.Generator | None = None,
) -> nn.Sequential:
    r"""The generator :math:`G(z)`: an MLP from ``latent_dim`` noise to ``data_dim`` outputs.

    The defaults are the Keras example's (``hidden=(128,)``, LeakyReLU(0.01), tanh output for data
    scaled to [-1, 1]); the paper's MNIST generator is
    ``generator(100, 784, hidden=(1200, 1200), activation="relu", output="sigmoid")`` for data
    in [0, 1]. Maps ``(batch, latent_dim)`` to ``(batch, data_dim)``; reshape images yourself.
    ``rng`` seeds the weights as in :func:`mlp`.

    >>> generator(100, 784, hidden=(1200, 1200), activation="relu", output="sigmoid")[-1]
    Sigmoid()
    """
    fix = "Layer widths are positive ints, e.g. generator(100, 784)."
    data_dim = check_int("generator", "data_dim", data_dim, minimum=1, fix=fix)
    sizes = _widths("generator", ("latent_dim", latent_dim), hidden, data_dim)
    options = dict(activation=activation, negative_slope=negative_slope, output=output)
    options.update(dropout=0.0, input_dropout=0.0, maxout_pieces=5, rng=rng)
    return _seeded(lambda: _build("generator", sizes, **options), rng)


def discriminator(
    data_dim: int,
    hidden: Sequence[int] = (128,),
    *,
    activation: str = "leaky_relu",
    negative_slope: float = 0.01,
    dropout: float = 0.0,
    input_dropout: float = 0.0,
    maxout_pieces: int = 5,
    rng: torch.Generator | None = None,
) -> nn.Sequential:
    r"""The discriminator: an MLP from ``data_dim`` inputs to one **logit** per sample.

    It returns logits (no sigmoid): :math:`D(x) = \sigma(\text{logit})`, and the losses of
    :mod:`ganlib.losses` take the logits. The defaults are the Keras example's (``hidden=(128,)``,
    LeakyReLU(0.01)); the paper's MNIST discriminator is ``discriminator(784, hidden=(240,
    240), activation="maxout", maxout_pieces=5, dropout=0.5, input_dropout=0.2)``. Maps
    ``(batch, data_dim)`` to ``(batch, 1)``; flatten images first. Dropout is active in
    ``train()`` mode only, so call ``eval()`` before reading off D. ``rng`` seeds the weights
    as in :func:`mlp`.

    >>> paper = discriminator(784, (240, 240), activation="maxout", dropout=0.5, input_dropout=0.2)
    >>> paper
    Sequential(
      (0): Dropout(p=0.2, inplace=False)
      (1): Maxout(in_features=784, out_features=240, pieces=5)
      (2): Dropout(p=0.5, inplace=False)
      (3): Maxout(in_features=240, out_features=240, pieces=5)
      (4): Dropout(p=0.5, inplace=False)
      (5): Linear(in_features=240, out_features=1, bias=True)
    )
    """
    sizes = _widths("discriminator", ("data_dim", data_dim), hidden, 1)
    options = dict(activation=activation, negative_slope=negative_slope, output=None)
    options.update(dropout=dropout, input_dropout=input_dropout, maxout_pieces=maxout_pieces)
    return _seeded(lambda: _build("discriminator", sizes, **options, rng=rng), rng)


@torch.no_grad()
def init_weights(
    module: nn.Module, *, generator: torch.Generator, std: float | None = None
) -> nn.Module:
    r"""Redraw the weights and biases of every ``nn.Linear`` and :class:`Maxout` in ``module``.

    Draws only from ``generator``, never from the global RNG, in the order of
    ``module.modules()``, so the same seed gives the same network. With ``std=None`` the
    distribution is PyTorch's default for ``nn.Linear``: weights and biases
    :math:`U(-1/\sqrt{n_{in}}, 1/\sqrt{n_{in}})`; with ``std`` a float, weights are
    :math:`\mathcal N(0, \text{std}^2)` and biases 0 (DCGAN's ``std=0.02``). Values are drawn on
    the generator's device and copied, so a CPU generator gives the same weights whatever
    device the module is on. Returns ``module``, changed in place.

    >>> net = init_weights(mlp([2, 8, 1]), generator=torch.Generator().manual_seed(0))
    >>> same = init_weights(mlp([2, 8, 1]), generator=torch.Generator().manual_seed(0))
    >>> all(torch.equal(a, b) for a, b in zip(net.parameters(), same.parameters()))
    True
    """
    fix = "Pass the network, e.g. init_weights(generator(100, 784), generator=rng)."
    check_type("init_weights", "module", module, nn.Module, "a torch.nn.Module", fix=fix)
    fix = (
        "Pass generator=torch.Generator().manual_seed(seed): weights are never drawn from the "
        "global RNG."
    )
    check_torch_generator("init_weights", "generator", generator, required=True, fix=fix)
    fix = "Use None for PyTorch's default or e.g. 0.02."
    std = check_real("init_weights", "std", std, low=0.0, brackets="()", optional=True, fix=fix)
    layers = [layer for layer in module.modules() if isinstance(layer, nn.Linear | Maxout)]
    if not layers:
        raise ValueError(
            f"init_weights: module must contain an nn.Linear or Maxout layer; got "
            f"{type(module).__name__} with none. Pass the network whose weights to draw."
        )

    def fresh(parameter: Tensor) -> Tensor:  # to draw into, on the generator's device
        return torch.empty(parameter.shape, dtype=parameter.dtype, device=generator.device)

    for layer in layers:
        if std is None:
            bound = 1 / math.sqrt(layer.in_features)  # U(±1/√n_in), nn.Linear's default
            layer.weight.copy_(fresh(layer.weight).uniform_(-bound, bound, generator=generator))
            if layer.bias is not None:
                layer.bias.copy_(fresh(layer.bias).uniform_(-bound, bound, generator=generator))
        else:
            layer.weight.copy_(fresh(layer.weight).normal_(0.0, std, generator=generator))
            if layer.bias is not None:
                layer.bias.zero_()
    return module


def pack_samples(x: Tensor, pack: int, *, dim: int = 0) -> Tensor:
    r"""PacGAN's packing (Lin et al., 2018): each ``pack`` consecutive samples of ``x`` along
    ``dim`` become one input of the discriminator, the samples flattened and concatenated.

    ``x`` has shape ``(*lead, n, *data)`` with ``n`` (the size of ``dim``) a multiple of
    ``pack``; the result has shape ``(*lead, n // pack, pack * prod(data))``. A packed
    discriminator sees real and generated samples in separate packs, so a batch of ``m`` real
    and then ``m`` generated samples, ``m`` a multiple of ``pack``, packs into ``m // pack``
    real packs and then as many generated ones. ``pack=1`` returns ``x`` itself.

    >>> pack_samples(torch.arange(8.0).reshape(4, 2), 2)
    tensor([[0., 1., 2., 3.],
            [4., 5., 6., 7.]])
    """
    check_type("pack_samples", "x", x, Tensor, "a tensor", fix="Pass a batch of samples.")
    fix = "Pass the packing degree, e.g. 2 (PacGAN2)."
    pack = check_int("pack_samples", "pack", pack, minimum=1, fix=fix)
    if pack == 1:
        return x
    dim = check_int("pack_samples", "dim", dim, minimum=-x.ndim, maximum=x.ndim - 1)
    dim %= x.ndim
    n = x.shape[dim]
    if n % pack:
        raise ValueError(
            f"pack_samples: the number of samples ({n}, along dim {dim} of a tensor of shape "
            f"{tuple(x.shape)}) must be a multiple of pack={pack}. Draw batch_size * pack "
            "samples."
        )
    return x.reshape(*x.shape[:dim], n // pack, -1)
