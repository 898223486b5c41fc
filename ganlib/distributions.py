r"""Target distributions on ``torch.distributions``: each can ``sample`` and give ``log_prob``.

Two kinds live here. The first is the push-forward of Gaussian noise onto a ring, which is
what a generator does in miniature: draw :math:`z \sim \mathcal N(0, I_2)` and return the
deterministic

.. math::

    g(z) = s\,z + \frac{z}{\lVert z \rVert}, \qquad s = \tfrac{1}{10}.

:func:`ring_map` is :math:`g` itself and :class:`GaussianRing` is the distribution of
:math:`g(z)`. Sampling needs only :math:`g`; the exact density exists here because
:math:`g` is simple enough for a change of variables, which a GAN never needs.

The second kind are the targets :math:`p_\text{data}` that the book's GANs learn:
:class:`Gaussian1d`, :class:`GaussianMixture1d` and :class:`Uniform1d` on the line, and
:class:`IsotropicGaussianMixture` in any dimension, with the two toy benchmarks of the
mode-collapse literature as constructors, :func:`ring_of_gaussians` (8 modes on the unit
circle, standard deviation 0.01) and :func:`grid_of_gaussians` (25 modes on
:math:`\{-4, -2, 0, 2, 4\}^2`, standard deviation 0.05). The ring of Gaussians and
:class:`GaussianRing` are different distributions: the first has 8 separate modes, the
second is a continuous band.

Conventions shared by every distribution here:

* **Shapes.** Batch shape ``()`` and event shape ``(data_dim,)``, so that samples have shape
  ``(*sample_shape, data_dim)``, the shape ``(batch, data_dim)`` of a generator network's
  output, and real and generated batches compare directly. The 1-D targets follow the same
  rule: their event shape is ``(1,)``, ``sample((n,))`` has shape ``(n, 1)`` and
  ``log_prob`` maps shape ``(n, 1)`` to ``(n,)``. A value of shape ``(n,)`` is refused by
  ``log_prob`` rather than broadcast into a sum of ``n`` terms.
* **Randomness.** ``sample(sample_shape, generator=None, *, dtype=torch.float64)`` takes a
  ``torch.Generator``, which torch's own ``Distribution.sample`` does not, and creates the
  samples on the generator's device. With a generator the global RNG is never touched;
  without one the global RNG is used, as torch does. Samples are float64 unless ``dtype``
  says otherwise.
* **Densities.** ``log_prob(value)`` computes in ``value``'s dtype and on its device, with
  torch's formulae where torch has them, and returns :math:`-\infty` where the density is 0.
* **Parameters** are checked on construction (the style guide's messages; weights are never
  silently renormalised) and stored as float64 constants on the CPU: these are fixed
  targets, not learnable modules.

The targets live in two modules, both exported from here: :mod:`ganlib.line` (the 1-D
targets) and :mod:`ganlib.planar` (the ring, and the mixtures of isotropic Gaussians in any
dimension); :mod:`ganlib._target` holds the plumbing they share.
"""

from __future__ import annotations

from ganlib.line import Gaussian1d, GaussianMixture1d, Uniform1d
from ganlib.planar import (
    RING_SCALE,
    GaussianRing,
    IsotropicGaussianMixture,
    grid_of_gaussians,
    ring_map,
    ring_of_gaussians,
)

__all__ = [
    "RING_SCALE",
    "Gaussian1d",
    "GaussianMixture1d",
    "GaussianRing",
    "IsotropicGaussianMixture",
    "Uniform1d",
    "grid_of_gaussians",
    "ring_map",
    "ring_of_gaussians",
]
