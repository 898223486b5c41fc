r"""ganlib: the companion library of *GANs from First Principles*.

Every chapter of the book imports it; every number the book states is computed here and
checked with :class:`ganlib.Claims`. The public API is flat: ``ganlib.kl_divergence``,
``ganlib.Claims``, ``ganlib.device`` and so on, each living in a module of its own.
"""

from ganlib.claims import Claim, ClaimError, Claims
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
from ganlib.runtime import device, seed_everything

__version__ = "0.1.0"

__all__ = [
    "F_GENERATORS",
    "Claim",
    "ClaimError",
    "Claims",
    "FGenerator",
    "__version__",
    "bhattacharyya_coefficient",
    "bhattacharyya_distance",
    "cross_entropy",
    "device",
    "entropy",
    "f_divergence",
    "js_distance",
    "js_divergence",
    "kl_divergence",
    "seed_everything",
]
