r"""E copies of one MLP as stacked tensors: the batched model of :class:`ganlib.Ensemble`.

:class:`StackedMLP` holds E ``nn.Sequential`` MLPs of one architecture (the Linear layers and
activations that :func:`ganlib.generator` and :func:`ganlib.discriminator` build) as one
weight ``(E, out, in)`` and one bias ``(E, 1, out)`` per layer, and maps ``(E, m, in)`` inputs
to ``(E, m, out)`` outputs, each member on its own slice. Its Linear layer is one autograd
function, :class:`BatchedLinear`: batched matrix products, elementwise where a width is 1.
"""

from __future__ import annotations

import copy

import torch
from torch import Tensor, nn
from torch.nn.functional import leaky_relu

__all__ = ["BatchedLinear", "BatchedLinearLeakyReLU", "StackedMLP"]

_ACTIVATIONS = {  # the elementwise layers the builders use, as functions of (E, m, n) tensors
    nn.ReLU: lambda layer: torch.relu,
    nn.Tanh: lambda layer: torch.tanh,
    nn.Sigmoid: lambda layer: torch.sigmoid,
    nn.LeakyReLU: lambda layer: lambda x: leaky_relu(x, layer.negative_slope),
}


class BatchedLinear(torch.autograd.Function):
    r"""E Linear layers at once, :math:`y_e = x_e W_e^\top + b_e`: ``x`` ``(E, m, in)``,
    ``weight`` ``(E, out, in)``, ``bias`` ``(E, 1, out)``. Batched matrix products, except
    where a width is 1: there a product is an outer product or a weighted sum, which
    elementwise operations compute several times faster than ``bmm``."""

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
        ctx.save_for_backward(x, weight)
        return _linear(x, weight, bias)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:  # grad: (E, m, out)
        x, weight = ctx.saved_tensors
        return _linear_backward(ctx.needs_input_grad, grad, x, weight)


def _linear(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """``b + x W^T`` member by member; an outer product where the layer has one input."""
    if weight.shape[2] == 1:
        return torch.addcmul(bias, x, weight.mT)
    return torch.baddbmm(bias, x, weight.mT)


class BatchedLinearLeakyReLU(torch.autograd.Function):
    r""":class:`BatchedLinear` followed by a LeakyReLU of slope ``slope`` > 0, as one autograd
    node: :math:`y_e = \mathrm{LeakyReLU}(x_e W_e^\top + b_e)`, computed in place. Its backward
    reads the sign of the pre-activation from the output (the same for a positive slope),
    so the pre-activation is neither kept nor recorded as a node of its own."""

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor, slope: float) -> Tensor:
        y = torch.nn.functional.leaky_relu_(_linear(x, weight, bias), slope)
        ctx.save_for_backward(x, weight, y)
        ctx.slope = slope
        return y

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:  # grad: (E, m, out)
        x, weight, y = ctx.saved_tensors
        grad = torch.ops.aten.leaky_relu_backward(grad, y, ctx.slope, True)
        return *_linear_backward(ctx.needs_input_grad[:3], grad, x, weight), None


def _linear_backward(needs: tuple, grad: Tensor, x: Tensor, weight: Tensor) -> tuple:
    """The gradients of :class:`BatchedLinear` in ``x``, ``weight`` and ``bias`` (those
    needed), given the gradient ``grad`` ``(E, m, out)`` of its output."""
    needs_x, needs_weight, needs_bias = needs
    grad_x = grad_weight = grad_bias = None
    if needs_x:  # (E, m, in) = grad W
        grad_x = grad * weight if weight.shape[1] == 1 else torch.bmm(grad, weight)
    if needs_weight:  # (E, out, in) = grad^T x
        if weight.shape[2] == 1:
            grad_weight = (grad * x).sum(1, keepdim=True).mT
        else:
            grad_weight = torch.bmm(grad.mT, x)
    if needs_bias:
        grad_bias = grad.sum(1, keepdim=True)  # (E, 1, out)
    return grad_x, grad_weight, grad_bias


class StackedMLP:
    """E copies of one ``nn.Sequential`` MLP as stacked tensors: for each Linear layer a
    weight ``(E, out, in)`` and a bias ``(E, 1, out)``, each followed by its activations."""

    def __init__(self, who: str, networks: list[nn.Module]) -> None:
        template = networks[0]
        self.template = copy.deepcopy(template)  # the architecture, for member(i)
        self.layers: list[tuple[str, list]] = []  # (name of the Linear, activations after it)
        for name, layer in template.named_children():
            if isinstance(layer, nn.Linear) and layer.bias is not None:
                self.layers.append((name, []))
            elif type(layer) in _ACTIVATIONS and self.layers:
                self.layers[-1][1].append(layer)
            else:
                raise ValueError(
                    f"Ensemble: {who}s must be MLPs of nn.Linear layers (with bias) and "
                    f"LeakyReLU, ReLU, Tanh or Sigmoid activations after them; got "
                    f"{type(layer).__name__} as layer {name!r}. Build them with "
                    f"ganlib.{who}(...) without dropout or maxout."
                )
        if not isinstance(template, nn.Sequential) or not self.layers:
            raise ValueError(
                f"Ensemble: {who}s must be nn.Sequential MLPs with at least one nn.Linear; "
                f"got {type(template).__name__}. Build them with ganlib.{who}(...)."
            )
        architecture = repr(template)
        for i, network in enumerate(networks[1:], 1):
            if repr(network) != architecture:
                raise ValueError(
                    f"Ensemble: {who}s must all have one architecture; got {who}s[{i}] = "
                    f"{network!r}, unlike {who}s[0]. Build every member with the same call."
                )
        with torch.no_grad():
            self.parameters = []
            for name, _ in self.layers:
                linears = [network.get_submodule(name) for network in networks]
                weight = torch.stack([linear.weight.detach() for linear in linears])
                bias = torch.stack([linear.bias.detach() for linear in linears])[:, None]
                self.parameters += [weight.clone(), bias.clone()]  # (E, out, in), (E, 1, out)
        for parameter in self.parameters:
            parameter.requires_grad_(True)
        # Each Linear's activations as functions of (E, m, n) tensors; a single LeakyReLU of
        # positive slope is fused with its Linear (BatchedLinearLeakyReLU), given by its slope.
        self.steps: list[tuple[float | None, list]] = []
        for _, layers in self.layers:
            leaky = len(layers) == 1 and type(layers[0]) is nn.LeakyReLU
            if leaky and layers[0].negative_slope > 0:
                self.steps.append((float(layers[0].negative_slope), []))
            else:
                self.steps.append((None, [_ACTIVATIONS[type(a)](a) for a in layers]))
        self.in_features = template.get_submodule(self.layers[0][0]).in_features
        self.out_features = template.get_submodule(self.layers[-1][0]).out_features

    def __call__(self, x: Tensor) -> Tensor:
        """``(E, m, in)`` inputs to ``(E, m, out)`` outputs, member by member."""
        for j, (slope, activations) in enumerate(self.steps):
            weight, bias = self.parameters[2 * j], self.parameters[2 * j + 1]
            if slope is not None:  # (E, m, out) = LeakyReLU(b + x W^T)
                x = BatchedLinearLeakyReLU.apply(x, weight, bias, slope)
                continue
            x = BatchedLinear.apply(x, weight, bias)  # (E, m, out) = b + x W^T
            for activation in activations:
                x = activation(x)
        return x

    def names(self) -> list[str]:
        """The ``nn.Sequential`` names of the stacked tensors, e.g. ``"0.weight"``."""
        return [f"{name}.{kind}" for name, _ in self.layers for kind in ("weight", "bias")]

    def member(self, i: int) -> nn.Module:
        """Member i as an ``nn.Sequential`` of the template's architecture, device and
        dtype, holding copies of its weights."""
        network = copy.deepcopy(self.template)
        with torch.no_grad():
            for name, value in zip(self.names(), self.parameters, strict=True):
                target = network.get_parameter(name)
                target.copy_(value[i].reshape(target.shape))
        return network
