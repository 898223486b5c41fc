r"""Targets in the plane: the Gaussian pushed onto a ring, and the mixtures of Gaussians.

:func:`ring_map` is a generator in miniature, the deterministic

.. math::

    g(z) = s\,z + \frac{z}{\lVert z \rVert}, \qquad s = \tfrac{1}{10},

and :class:`GaussianRing` is the distribution of :math:`g(z)` for
:math:`z \sim \mathcal N(0, I_2)`: sampling needs only :math:`g`; the exact density exists
because :math:`g` is simple enough for a change of variables, which a GAN never needs.
:class:`IsotropicGaussianMixture` is a mixture of isotropic Gaussians in any dimension, with
the two toy benchmarks of the mode-collapse literature as constructors:
:func:`ring_of_gaussians` (8 modes on the unit circle, standard deviation 0.01) and
:func:`grid_of_gaussians` (25 modes on :math:`\{-4, -2, 0, 2, 4\}^2`, standard deviation
0.05). The ring of Gaussians and :class:`GaussianRing` are different distributions: the first
has 8 separate modes, the second is a continuous band. The conventions shared by every target
are stated in :mod:`ganlib.distributions`, which exports all of them.
"""

from __future__ import annotations

import math
from typing import ClassVar

import torch
from torch import Tensor
from torch.distributions import constraints

from ganlib._checks import check_int, check_points, check_real
from ganlib._target import GaussianMixtureTarget, Target, check_parameters, check_weights

__all__ = [
    "RING_SCALE",
    "GaussianRing",
    "IsotropicGaussianMixture",
    "grid_of_gaussians",
    "ring_map",
    "ring_of_gaussians",
]

RING_SCALE = 0.1
"""The book's :math:`s` in :math:`g(z) = s z + z / \\lVert z \\rVert`: the ring's width."""

_POSITIVE = {"low": 0.0, "brackets": "()", "tensor": True}  # a finite number > 0


def ring_map(z: Tensor, *, scale: float = RING_SCALE) -> Tensor:
    r"""The ring generator :math:`g(z) = s\,z + z / \lVert z \rVert`, row by row.

    Each point keeps its direction and moves out to radius
    :math:`\lVert g(z) \rVert = 1 + s \lVert z \rVert \ge 1`: a Gaussian cloud becomes a ring
    of inner radius 1 whose width is set by ``scale`` (:math:`s = 1/10` in the seed).
    ``scale=0`` is allowed and projects every point onto the unit circle.

    Args:
        z: points of shape ``(..., 2)``; floating point, finite, differentiable.
        scale: :math:`s \ge 0`, keyword-only.

    Returns:
        :math:`g(z)`, of the shape, dtype and device of ``z``.

    Raises:
        ValueError: if a row of ``z`` is the origin. :math:`z / \lVert z \rVert` has no
            direction at :math:`z = 0`, and no choice of one would be the limit of
            :math:`g` there, so the map is undefined rather than silently repaired. A
            Gaussian draw is exactly zero with probability 0.

    >>> ring_map(torch.tensor([[3.0, 4.0], [0.0, -2.0]]))
    tensor([[ 0.9000,  1.2000],
            [ 0.0000, -1.2000]])
    """
    check_points("ring_map", "z", z, 2)
    s = check_real(
        "ring_map",
        "scale",
        scale,
        low=0.0,
        tensor=True,
        fix=f"Pass the ring's width, e.g. scale={RING_SCALE}.",
    )
    norm = torch.linalg.vector_norm(z, dim=-1, keepdim=True)  # (..., 1)
    at_origin = (norm == 0).reshape(-1)
    if bool(at_origin.any()):
        where = torch.nonzero(at_origin).reshape(-1)[:5].tolist()
        raise ValueError(
            f"ring_map: z must have no row equal to the origin, where z / |z| has no "
            f"direction; got {int(at_origin.sum())} such rows (flat indices {where}). "
            "Drop or redraw those rows."
        )
    return s * z + z / norm  # (..., 2)


class _OutsideUnitDisk(constraints.Constraint):
    """Points of the plane at distance greater than 1 from the origin."""

    is_discrete = False
    event_dim = 1

    def check(self, value: Tensor) -> Tensor:
        return torch.linalg.vector_norm(value, dim=-1) > 1


class GaussianRing(Target):
    r"""The push-forward of :math:`\mathcal N(0, I_2)` through :func:`ring_map`: a ring.

    Sampling draws :math:`z \sim \mathcal N(0, I_2)` and returns
    :math:`x = g(z) = s z + z / \lVert z \rVert`. The density of :math:`x` follows by a
    change of variables in polar coordinates. Write :math:`z = \rho(\cos\theta, \sin\theta)`.
    Then :math:`\theta` is uniform on :math:`[0, 2\pi)`, :math:`\rho = \lVert z \rVert` is
    Rayleigh, :math:`p_\rho(\rho) = \rho\, e^{-\rho^2/2}`, and :math:`g` keeps
    :math:`\theta` and sends :math:`\rho` to :math:`r = 1 + s\rho`. So the radius of
    :math:`x` has density

    .. math::

        p_r(r) = \frac{1}{s}\, p_\rho\!\left(\frac{r - 1}{s}\right)
               = \frac{r - 1}{s^2} \exp\!\left(-\frac{(r - 1)^2}{2 s^2}\right), \qquad r > 1,

    and, since the angle is uniform and the area element at radius :math:`r` is
    :math:`r\,dr\,d\theta`,

    .. math::

        p(x) = \frac{p_r(r)}{2\pi r}, \quad r = \lVert x \rVert > 1; \qquad
        p(x) = 0, \quad r \le 1.

    The same density from the Jacobian: :math:`p(x) = p_z(z) / \lvert\det J_g(z)\rvert`
    with :math:`p_z(z) = e^{-\rho^2/2} / (2\pi)`. In polar coordinates :math:`g` stretches
    the radial direction by :math:`dr/d\rho = s` and the angular one by :math:`r/\rho`, so
    :math:`\lvert\det J_g(z)\rvert = s r / \rho`, which gives the formula above. The tests
    check both forms against ``log_prob``.

    Not to be confused with :func:`ring_of_gaussians`, eight separate Gaussian modes on the
    unit circle: this ring is one continuous band.

    Args:
        scale: :math:`s > 0`, the ring's width (the book's :math:`1/10`).

    Attributes:
        scale: :math:`s`, a float.

    Differences from the ``torch.distributions`` you know:

    * ``sample(sample_shape, generator=None)`` takes a ``torch.Generator``, which torch's
      ``Distribution.sample`` does not; without one it uses the global RNG, as torch does.
      Samples are float64 unless ``dtype=`` says otherwise.
    * ``log_prob`` returns :math:`-\infty` at points inside the unit disk, where the
      density is 0, instead of rejecting them as outside the support.

    >>> ring = GaussianRing()
    >>> x = ring.sample((4,), generator=torch.Generator().manual_seed(0))
    >>> x.shape, bool((x.norm(dim=-1) >= 1).all())
    (torch.Size([4, 2]), True)
    >>> ring.log_prob(torch.tensor([[0.5, 0.0], [1.1, 0.0]], dtype=torch.float64))
    tensor([   -inf, -0.1306], dtype=torch.float64)
    """

    arg_constraints: ClassVar[dict] = {"scale": constraints.positive}
    support = _OutsideUnitDisk()

    def __init__(self, scale: float = RING_SCALE):
        self.scale = check_real(
            "GaussianRing",
            "scale",
            scale,
            **_POSITIVE,
            fix="Pass the ring's width, e.g. scale=0.1.",
        )
        super().__init__(2)

    def __repr__(self) -> str:
        return f"GaussianRing(scale={self.scale})"

    @property
    def mean(self) -> Tensor:
        """The mean of :math:`x`, the origin, by symmetry of the angle."""
        return torch.zeros(2, dtype=torch.float64)

    def _draw(self, shape, generator, dtype, device) -> Tensor:
        # x = g(z), z ~ N(0, I_2): the same noise through the same map as ring_map.
        z = torch.randn((*shape, 2), generator=generator, dtype=dtype, device=device)
        return ring_map(z, scale=self.scale)  # (*shape, 2)

    def log_prob(self, value: Tensor) -> Tensor:
        r"""The log density :math:`\log p(x) = \log p_r(r) - \log(2\pi r)`, the class docstring's.

        It is :math:`-\infty` where :math:`r \le 1`, where the density is 0.
        ``value`` has shape ``(..., 2)``; the result has shape ``(...)``.
        """
        x = check_points("GaussianRing.log_prob", "value", value, 2)
        s = self.scale
        r = torch.linalg.vector_norm(x, dim=-1)  # (...)
        inside = r <= 1
        excess = torch.where(inside, torch.ones_like(r), r - 1)  # r - 1, kept positive for log
        log_p_r = torch.log(excess) - 2 * math.log(s) - excess**2 / (2 * s * s)
        log_p = log_p_r - torch.log(2 * math.pi * r.clamp_min(1))  # - log(2 pi r)
        return torch.where(inside, torch.full_like(log_p, -math.inf), log_p)


class IsotropicGaussianMixture(GaussianMixtureTarget):
    r"""A mixture of isotropic Gaussians with one standard deviation, in any dimension :math:`d`.

    .. math::

        p(x) = \sum_{k=1}^{K} w_k\, (2\pi s^2)^{-d/2}
               \exp\!\left(-\frac{\lVert x - c_k \rVert^2}{2 s^2}\right),
        \qquad w_k \ge 0, \quad \sum_k w_k = 1,

    with equal weights :math:`w_k = 1/K` by default. The toy targets of the mode-collapse
    literature are of this kind; build them with :func:`ring_of_gaussians` and
    :func:`grid_of_gaussians`. ``centres`` and ``scale`` are public so that the metrics can
    measure which modes a generator covers.

    ``log_prob`` is torch's
    ``MixtureSameFamily(Categorical(w), Independent(Normal(c, s), 1))``, which sums in log
    space. At the centre of the default :func:`ring_of_gaussians`, 100 standard deviations
    from every mode, it gives :math:`-\log(2\pi s^2) - 1/(2 s^2) \approx -4993`, where the
    formula evaluated literally in float64 gives :math:`\log 0 = -\infty`. Unlike torch's
    ``Categorical``, the weights are not renormalised.

    Args:
        centres: :math:`c_k`, a tensor or list of lists of shape ``(K, d)``, one row per mode.
        scale: :math:`s > 0`, the standard deviation along every axis.
        weights: :math:`w_k`, shape ``(K,)``; ``None`` means :math:`1/K` each.

    Attributes:
        centres: float64 tensor ``(K, d)``. scale: :math:`s`, a float.
        weights: float64 tensor ``(K,)``.

    >>> p_data = IsotropicGaussianMixture([[0.0, 0.0], [3.0, 4.0]], scale=1.0)
    >>> p_data.sample((6,), generator=torch.Generator().manual_seed(0)).shape
    torch.Size([6, 2])
    >>> p_data.mean, p_data.weights
    (tensor([1.5000, 2.0000], dtype=torch.float64), tensor([0.5000, 0.5000], dtype=torch.float64))
    >>> p_data.log_prob(torch.zeros(1, 2, dtype=torch.float64))  # log(1/2 / (2 pi)) + tiny
    tensor([-2.5310], dtype=torch.float64)
    """

    arg_constraints: ClassVar[dict] = {
        "centres": constraints.real_vector,
        "scale": constraints.positive,
        "weights": constraints.simplex,
    }

    def __init__(
        self,
        centres: Tensor | list[list[float]],
        scale: float,
        weights: Tensor | list[float] | None = None,
    ):
        function = "IsotropicGaussianMixture"
        self.centres, _ = check_parameters(
            function, "centres", centres, ndim=2, example="[[0.0, 0.0], [1.0, 1.0]]"
        )
        self.scale = check_real(
            function, "scale", scale, **_POSITIVE, fix="Pass a standard deviation, e.g. scale=0.05."
        )
        modes = self.centres.shape[0]
        if weights is None:
            self.weights = torch.full((modes,), 1 / modes, dtype=torch.float64)
        else:
            w, given = check_parameters(function, "weights", weights, ndim=1, example="None")
            if len(w) != modes:
                raise ValueError(
                    f"{function}: weights must have one entry per row of centres ({modes}); "
                    f"got {len(w)}. Pass one weight per mode, or None for equal weights."
                )
            self.weights = check_weights(function, w, given)
        super().__init__(self.centres.shape[1])

    def __repr__(self) -> str:
        modes, dim = self.centres.shape
        return f"IsotropicGaussianMixture(<{modes} modes in {dim}-D>, scale={self.scale})"

    def _components(self) -> tuple[Tensor, Tensor, Tensor]:
        scales = torch.full_like(self.weights, self.scale)
        return self.weights, self.centres, scales  # (K,), (K, d), (K,)


def ring_of_gaussians(
    modes: int = 8, radius: float = 1.0, scale: float = 0.01
) -> IsotropicGaussianMixture:
    r"""The ring of Gaussians of the mode-collapse literature: equal modes on a circle.

    An :class:`IsotropicGaussianMixture` with equal weights :math:`1/K` and centres

    .. math::

        c_k = r \left(\cos\frac{2\pi k}{K},\ \sin\frac{2\pi k}{K}\right),
        \qquad k = 0, \dots, K - 1,

    each with standard deviation :math:`s`. The defaults are the benchmark's: :math:`K = 8`
    modes on the unit circle, :math:`s = 0.01`. Neighbouring centres are
    :math:`2r\sin(\pi/K) \approx 0.765` apart, about 77 standard deviations, so modes do not
    overlap. Within 3 standard deviations of its centre (the "high quality" radius of the
    metrics) lies a fraction :math:`1 - e^{-9/2} \approx 0.989` of each 2-D mode, not the
    0.997 of one dimension. Not to be confused with :class:`GaussianRing`, one continuous band.

    Args:
        modes: :math:`K \ge 1`.
        radius: :math:`r > 0`.
        scale: :math:`s > 0`.

    >>> p_data = ring_of_gaussians()
    >>> p_data.centres[:3].round(decimals=4) + 0.0  # + 0.0 turns -0.0 into 0.0
    tensor([[1.0000, 0.0000],
            [0.7071, 0.7071],
            [0.0000, 1.0000]], dtype=torch.float64)
    >>> p_data.scale, p_data.sample((2500,), generator=torch.Generator().manual_seed(0)).shape
    (0.01, torch.Size([2500, 2]))
    """
    function = "ring_of_gaussians"
    modes = check_int(
        function, "modes", modes, minimum=1, fix="Pass the number of modes, e.g. modes=8."
    )
    radius = check_real(
        function, "radius", radius, **_POSITIVE, fix="Pass the ring's radius, e.g. radius=1.0."
    )
    scale = check_real(
        function, "scale", scale, **_POSITIVE, fix="Pass a standard deviation, e.g. scale=0.01."
    )
    angles = [2 * math.pi * k / modes for k in range(modes)]
    centres = [[radius * math.cos(a), radius * math.sin(a)] for a in angles]  # (K, 2)
    return IsotropicGaussianMixture(centres, scale)


def grid_of_gaussians(
    side: int = 5, spacing: float = 2.0, scale: float = 0.05
) -> IsotropicGaussianMixture:
    r"""The grid of Gaussians of the mode-collapse literature: equal modes on a square grid.

    An :class:`IsotropicGaussianMixture` with :math:`K = n^2` equal weights and centres

    .. math::

        c_{in + j} = h \left(i - \frac{n - 1}{2},\ j - \frac{n - 1}{2}\right),
        \qquad i, j = 0, \dots, n - 1,

    a grid of side :math:`n` and spacing :math:`h` centred on the origin (the first
    coordinate varies slowest), each mode with standard deviation :math:`s`. The defaults are
    the benchmark's: 25 modes at :math:`\{-4, -2, 0, 2, 4\}^2`, :math:`s = 0.05`.

    Args:
        side: :math:`n \ge 1`, modes per row.
        spacing: :math:`h > 0`, the distance between neighbouring modes.
        scale: :math:`s > 0`.

    >>> p_data = grid_of_gaussians()
    >>> p_data.centres.shape, p_data.centres[:6].tolist()
    (torch.Size([25, 2]),
     [[-4.0, -4.0], [-4.0, -2.0], [-4.0, 0.0], [-4.0, 2.0], [-4.0, 4.0], [-2.0, -4.0]])
    >>> p_data.scale
    0.05
    """
    function = "grid_of_gaussians"
    side = check_int(
        function, "side", side, minimum=1, fix="Pass the number of modes per row, e.g. side=5."
    )
    spacing = check_real(
        function, "spacing", spacing, **_POSITIVE, fix="Pass the mode spacing, e.g. spacing=2.0."
    )
    scale = check_real(
        function, "scale", scale, **_POSITIVE, fix="Pass a standard deviation, e.g. scale=0.05."
    )
    axis = [spacing * (i - (side - 1) / 2) for i in range(side)]
    centres = [[a, b] for a in axis for b in axis]  # (side^2, 2), first coordinate slowest
    return IsotropicGaussianMixture(centres, scale)
