r"""ganlib: the companion library of *GANs from First Principles*.

Every chapter of the book imports it; every number the book states is computed here and
checked with :class:`ganlib.Claims`. The public API is flat: ``ganlib.kl_divergence``,
``ganlib.Claims``, ``ganlib.device`` and so on, each living in a module of its own.
"""

from ganlib import recipes  # the named recipes; importing them loads no data set
from ganlib.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ganlib.claims import Claim, ClaimError, Claims
from ganlib.config import TrainConfig
from ganlib.data import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_FILES,
    FASHION_MNIST_URL,
    MNIST_FILES,
    MNIST_URL,
    DigitSplits,
    EmpiricalDistribution,
    LabelledImages,
    fashion_mnist_folders,
    from_pixel_levels,
    load_fashion_mnist,
    load_mnist,
    load_sklearn_digits,
    read_idx,
    to_pixel_levels,
)
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
from ganlib.ensemble import Ensemble, MemberDivergence
from ganlib.generated import GeneratorDistribution, pushforward_density
from ganlib.history import History, TrainingDivergedError
from ganlib.losses import (
    GENERATOR_LOSSES,
    maximum_likelihood_generator_loss,
    minimax_discriminator_loss,
    minimax_generator_loss,
    nonsaturating_generator_loss,
)
from ganlib.metrics import (
    CHUNK_ELEMENTS,
    ModeCoverage,
    NearestNeighbours,
    ParzenLogLikelihood,
    histogram_js_estimate,
    js_divergence_estimate,
    kl_divergence_estimate,
    mode_coverage,
    nearest_mode_counts,
    nearest_neighbours,
    parzen_log_likelihood,
    select_parzen_bandwidth,
    summarise_coverage,
)
from ganlib.nets import (
    ACTIVATIONS,
    OUTPUTS,
    Maxout,
    discriminator,
    generator,
    init_weights,
    mlp,
    pack_samples,
)
from ganlib.noise import NOISES, Noise
from ganlib.objectives import (
    GENERATOR_OBJECTIVES,
    add_instance_noise,
    fit_normal,
    generator_objective,
)
from ganlib.optimizers import OPTIMIZERS
from ganlib.parzen import parzen_score
from ganlib.run import Run
from ganlib.runtime import device, seed_everything, use_one_thread
from ganlib.snapshots import FixedSnapshot
from ganlib.theory import (
    Grid,
    optimal_discriminator,
    optimal_discriminator_logit,
    value_function,
    value_function_estimate,
    virtual_training_criterion,
)
from ganlib.train import train, train_discriminator, train_generator

# The one place the version is written: pyproject.toml reads this literal (setuptools'
# dynamic version, without importing ganlib), so keep it a plain string assignment.
__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "CHUNK_ELEMENTS",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_FILES",
    "FASHION_MNIST_URL",
    "F_GENERATORS",
    "GENERATOR_LOSSES",
    "GENERATOR_OBJECTIVES",
    "MNIST_FILES",
    "MNIST_URL",
    "NOISES",
    "OPTIMIZERS",
    "OUTPUTS",
    "CheckpointError",
    "Claim",
    "ClaimError",
    "Claims",
    "DigitSplits",
    "EmpiricalDistribution",
    "Ensemble",
    "FGenerator",
    "FixedSnapshot",
    "Gaussian1d",
    "GaussianMixture1d",
    "GaussianRing",
    "GeneratorDistribution",
    "Grid",
    "History",
    "IsotropicGaussianMixture",
    "LabelledImages",
    "Maxout",
    "MemberDivergence",
    "ModeCoverage",
    "NearestNeighbours",
    "Noise",
    "ParzenLogLikelihood",
    "Run",
    "TrainConfig",
    "TrainingDivergedError",
    "Uniform1d",
    "__version__",
    "add_instance_noise",
    "bhattacharyya_coefficient",
    "bhattacharyya_distance",
    "cross_entropy",
    "device",
    "discriminator",
    "entropy",
    "f_divergence",
    "fashion_mnist_folders",
    "fit_normal",
    "from_pixel_levels",
    "generator",
    "generator_objective",
    "grid_of_gaussians",
    "histogram_js_estimate",
    "init_weights",
    "js_distance",
    "js_divergence",
    "js_divergence_estimate",
    "kl_divergence",
    "kl_divergence_estimate",
    "load_checkpoint",
    "load_fashion_mnist",
    "load_mnist",
    "load_sklearn_digits",
    "maximum_likelihood_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "mlp",
    "mode_coverage",
    "nearest_mode_counts",
    "nearest_neighbours",
    "nonsaturating_generator_loss",
    "optimal_discriminator",
    "optimal_discriminator_logit",
    "pack_samples",
    "parzen_log_likelihood",
    "parzen_score",
    "pushforward_density",
    "read_idx",
    "recipes",
    "ring_map",
    "ring_of_gaussians",
    "save_checkpoint",
    "seed_everything",
    "select_parzen_bandwidth",
    "summarise_coverage",
    "to_pixel_levels",
    "train",
    "train_discriminator",
    "train_generator",
    "use_one_thread",
    "value_function",
    "value_function_estimate",
    "virtual_training_criterion",
]
