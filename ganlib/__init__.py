r"""ganlib: the companion library of *GANs from First Principles*.

Every chapter of the book imports it; every number the book states is computed here and
checked with :class:`ganlib.Claims`. The public API is flat: ``ganlib.kl_divergence``,
``ganlib.Claims``, ``ganlib.device`` and so on, each living in a module of its own.
"""

from ganlib.claims import Claim, ClaimError, Claims
from ganlib.distributions import (
    Gaussian1d,
    GaussianMixture1d,
    GaussianRing,
    IsotropicGaussianMixture,
    Uniform1d,
    grid_of_gaussians,
    ring_map,
    ring_of_gaussians,
)
from ganlib.divergences import (
    F_GENERATORS,
    FGenerator,
    bhattacharyya_coefficient,
    bhattacharyya_distance,
    cross_entropy,
    entropy,
    f_divergence,
    js_distance,
    js_divergence,
    kl_divergence,
)
from ganlib.losses import (
    minimax_discriminator_loss,
    minimax_generator_loss,
    nonsaturating_generator_loss,
)
from ganlib.nets import ACTIVATIONS, OUTPUTS, Maxout, discriminator, generator, init_weights, mlp
from ganlib.runtime import device, seed_everything
from ganlib.theory import (
    Grid,
    optimal_discriminator,
    optimal_discriminator_logit,
    value_function,
    value_function_estimate,
    virtual_training_criterion,
)
from ganlib.train import train_discriminator

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "F_GENERATORS",
    "OUTPUTS",
    "Claim",
    "ClaimError",
    "Claims",
    "FGenerator",
    "Gaussian1d",
    "GaussianMixture1d",
    "GaussianRing",
    "Grid",
    "IsotropicGaussianMixture",
    "Maxout",
    "Uniform1d",
    "__version__",
    "bhattacharyya_coefficient",
    "bhattacharyya_distance",
    "cross_entropy",
    "device",
    "discriminator",
    "entropy",
    "f_divergence",
    "generator",
    "grid_of_gaussians",
    "init_weights",
    "js_distance",
    "js_divergence",
    "kl_divergence",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "mlp",
    "nonsaturating_generator_loss",
    "optimal_discriminator",
    "optimal_discriminator_logit",
    "ring_map",
    "ring_of_gaussians",
    "seed_everything",
    "train_discriminator",
    "value_function",
    "value_function_estimate",
    "virtual_training_criterion",
]
