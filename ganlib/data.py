r"""Image data: scikit-learn's 8x8 digits (offline), and MNIST and Fashion-MNIST from IDX files.

Both loaders return a :class:`DigitSplits`: train, validation and test :class:`LabelledImages`
of flattened images scaled to [-1, 1], the range of the generator's tanh output, with integer
labels, on the device you ask for (the CPU unless you say otherwise). The split is drawn from a
NumPy generator seeded with ``seed``, so it touches no global random state.

* :func:`load_sklearn_digits`: the 1,797 8x8 digits that ship inside scikit-learn (nothing
  is downloaded). Pixels take the 17 levels 0..16, mapped by x / 8 - 1: 0 -> -1 and 16 -> 1
  exactly.
* :func:`load_mnist`: MNIST's 28x28 digits from the four standard IDX files in a folder, read
  by :func:`read_idx`. Pixels take the levels 0..255, mapped by x / 127.5 - 1. The test split is
  MNIST's own 10,000 test images; the validation split is carved from its 60,000 training images.
  Nothing is downloaded unless you pass ``download=True``.
* :func:`load_fashion_mnist`: Zalando's Fashion-MNIST (Xiao et al., 2017), 28x28 images of
  clothing in ten classes (:data:`FASHION_MNIST_CLASSES`), in MNIST's format and read by the same
  code as :func:`load_mnist`. It looks for the four files in a folder you name, then in the
  cache folder (:func:`fashion_mnist_folders`), then where Debian's package
  ``dataset-fashion-mnist`` puts them; ``download=True`` fetches them once into the cache.

Splits are stratified by default: each class is shuffled and cut in the given fractions. The
digits have 174 to 183 images per class; an unstratified 20% split would move each class's share
by a few images from seed to seed, which shifts a Parzen window's sigma chosen on validation and
the log-likelihood of the test split. Stratifying removes that variance and puts every digit in
every split. :meth:`DigitSplits.to_levels` maps generated samples back to pixel levels.

>>> splits = load_sklearn_digits(seed=0)
>>> len(splits.train), len(splits.validation), len(splits.test)
(1079, 359, 359)
>>> splits.train.images.shape, splits.train.labels.dtype
(torch.Size([1079, 64]), torch.int64)
>>> splits.train.images.min().item(), splits.train.images.max().item()
(-1.0, 1.0)
>>> splits.to_levels(splits.train.images[:2]).shape  # two 8x8 images of levels 0..16
torch.Size([2, 8, 8])
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import urllib.request
import zlib
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from ganlib._checks import (
    check_device,
    check_dtype,
    check_finite,
    check_int,
    check_path,
    check_real,
    check_sample_shape,
    check_tensor,
    check_torch_generator,
    check_type,
)

__all__ = [
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_FILES",
    "FASHION_MNIST_URL",
    "MNIST_FILES",
    "MNIST_URL",
    "DigitSplits",
    "EmpiricalDistribution",
    "LabelledImages",
    "fashion_mnist_folders",
    "from_pixel_levels",
    "load_fashion_mnist",
    "load_mnist",
    "load_sklearn_digits",
    "read_idx",
    "to_pixel_levels",
]

MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
"""The mirror :func:`load_mnist` downloads from (torchvision's); LeCun's own site now refuses."""

MNIST_FILES = {
    "train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c",
}
"""The four standard MNIST files, each with the MD5 of its ``.gz`` (checked after a download)."""

FASHION_MNIST_URL = (
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"
)
"""Where :func:`load_fashion_mnist` downloads from: the data set's own repository (Zalando
Research), over HTTPS. Its README also links an Amazon S3 bucket with the same files."""

FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
}
"""Fashion-MNIST's four files (MNIST's names), each with the MD5 of its ``.gz`` as the data
set's README states it (checked after a download). Debian's package recompresses the files, so
its ``.gz`` have other MD5s; they decompress to the same bytes (MD5s of the decompressed files:
train images f4a8712d7a061bf5bd6d2ca38dc4d50a, train labels 9018921c3c673c538a1fc5bad174d6f9,
test images 8181f5470baa50b63fa0f6fddb340f0a, test labels 15d484375f8d13e6eb1aabb0c3f46965)."""

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
"""The names of Fashion-MNIST's labels 0 to 9, in order."""

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
"""Where ``apt-get install dataset-fashion-mnist`` puts the four ``.gz`` files."""

IMAGES_MAGIC, LABELS_MAGIC = 0x00000803, 0x00000801  # unsigned bytes, 3 and 1 dimensions
# The IDX type byte (the magic number's third byte) -> the big-endian element type.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


@dataclass(frozen=True)
class LabelledImages:
    """One split: ``images`` (n, pixels) floats in [-1, 1], ``labels`` (n,) int64 classes, and
    ``indices`` (n,) int64, each image's position in its source (scikit-learn's array, or the
    IDX file it was read from), in increasing order."""

    images: Tensor
    labels: Tensor
    indices: Tensor

    def __len__(self) -> int:
        return self.labels.shape[0]


class EmpiricalDistribution:
    r"""The empirical distribution of a data set: each of its n points with probability 1/n.

    The ``p_data`` that :func:`ganlib.train` needs for real data. ``sample`` draws rows
    uniformly *with replacement* from the caller's ``torch.Generator`` (which the global RNG
    never sees), as the paper's minibatches are drawn; ``points`` stay where they are and the
    samples come back on their device. There is no density, so no ``log_prob``.

    >>> data = EmpiricalDistribution(torch.arange(6.0).reshape(3, 2))
    >>> data
    EmpiricalDistribution(3 points of dimension 2)
    >>> data.sample((4,), torch.Generator().manual_seed(0)).shape
    torch.Size([4, 2])
    """

    def __init__(self, points: Tensor):
        function = "EmpiricalDistribution"
        points = check_tensor(function, "points", points)
        if points.ndim != 2 or points.shape[0] == 0 or points.shape[1] == 0:
            raise ValueError(
                f"{function}: points must have shape (n, dimension) with n >= 1 and "
                f"dimension >= 1; got shape {tuple(points.shape)}. Flatten images first, e.g. "
                "images.reshape(n, -1)."
            )
        # A NaN or infinite point would be drawn as often as any other and poison a training
        # step; it is refused here, once, rather than found in the losses.
        check_finite(function, "points", points, fix="Drop or repair those rows of the data.")
        self.points = points

    def __repr__(self) -> str:  # names the data in ganlib's checkpoints
        n, dimension = self.points.shape
        return f"EmpiricalDistribution({n} points of dimension {dimension})"

    def sample(
        self,
        sample_shape: tuple[int, ...] | torch.Size = (),
        generator: torch.Generator | None = None,
        *,
        dtype: torch.dtype = torch.float32,
    ) -> Tensor:
        """Rows drawn uniformly with replacement: shape ``(*sample_shape, dimension)``.

        ``sample_shape`` is a tuple of sizes, as torch's ``sample`` takes (``(5,)``, not ``5``);
        ``dtype`` is a floating-point dtype (an integer one would truncate the points). The
        indices are drawn on the generator's device (the CPU without one).
        """
        function = "EmpiricalDistribution.sample"
        shape = check_sample_shape(function, sample_shape)
        check_torch_generator(function, "generator", generator)
        check_dtype(function, "dtype", dtype)
        device = generator.device if generator is not None else None
        index = torch.randint(self.points.shape[0], shape, generator=generator, device=device)
        return self.points[index.to(self.points.device)].to(dtype)  # (*shape, dimension)


@dataclass(frozen=True)
class DigitSplits:
    """Train, validation and test splits of one data set, with its image geometry."""

    train: LabelledImages
    validation: LabelledImages
    test: LabelledImages
    image_shape: tuple[int, int]  # (8, 8) for scikit-learn's digits, (28, 28) for MNIST
    n_levels: int  # pixel levels in the source: 17 (0..16) or 256 (0..255)

    def to_levels(self, samples: Tensor) -> Tensor:
        r"""Samples (..., pixels) in [-1, 1] as images (..., rows, columns) of integer levels.

        The inverse of the loaders' scaling (:func:`to_pixel_levels`), reshaped for display,
        e.g. ``plt.imshow(levels[0].cpu(), cmap="gray_r", vmin=0, vmax=splits.n_levels - 1)``.
        """
        check_tensor("DigitSplits.to_levels", "samples", samples)
        if samples.ndim == 0 or samples.shape[-1] != math.prod(self.image_shape):
            raise ValueError(
                f"DigitSplits.to_levels: samples must have {math.prod(self.image_shape)} pixels "
                f"in their last dimension (images of {self.image_shape}); got shape "
                f"{tuple(samples.shape)}. Pass flattened images as the generator returns them."
            )
        levels = to_pixel_levels(samples, self.n_levels)
        return levels.reshape(*samples.shape[:-1], *self.image_shape)


def from_pixel_levels(
    levels: Tensor, n_levels: int, *, dtype: torch.dtype = torch.float32
) -> Tensor:
    r"""Integer pixel levels 0..n_levels-1 scaled to [-1, 1]: :math:`x = 2 \ell / (L - 1) - 1`.

    Level 0 maps to -1 and level L - 1 to 1 exactly (computed in float64, then cast to the
    floating-point ``dtype``; an integer dtype would truncate the values and is refused).

    >>> from_pixel_levels(torch.tensor([0, 8, 16]), 17)
    tensor([-1.,  0.,  1.])
    """
    function = "from_pixel_levels"
    n_levels = _check_n_levels(function, n_levels)
    check_dtype(function, "dtype", dtype, fix="Pass dtype=torch.float32 or dtype=torch.float64.")
    if not isinstance(levels, Tensor) or levels.is_floating_point() or levels.is_complex():
        raise TypeError(
            f"{function}: levels must be an integer torch.Tensor; got "
            f"{getattr(levels, 'dtype', type(levels).__name__)}. Convert it, e.g. "
            "torch.as_tensor(levels, dtype=torch.int64)."
        )
    # Bounds compared as Python ints: comparing a uint8 tensor with 256 would wrap around.
    low, high = (int(levels.min()), int(levels.max())) if levels.numel() else (0, 0)
    if low < 0 or high >= n_levels:
        raise ValueError(
            f"{function}: levels must lie in [0, {n_levels - 1}]; got values in [{low}, {high}]. "
            "Check n_levels (17 for the 8x8 digits, 256 for MNIST)."
        )
    return (levels.to(torch.float64) * 2 / (n_levels - 1) - 1).to(dtype)


def to_pixel_levels(x: Tensor, n_levels: int) -> Tensor:
    r"""Values in [-1, 1] as int64 pixel levels: :math:`\ell = \mathrm{round}((x + 1)(L - 1) / 2)`.

    The inverse of :func:`from_pixel_levels`, exact on its outputs. Values outside [-1, 1] are
    clipped to the end levels, as a display clips them (a tanh output never leaves [-1, 1]);
    halves round to even, as in :func:`torch.round`.

    >>> to_pixel_levels(torch.tensor([-1.0, -0.01, 0.99, 1.5]), 17)
    tensor([ 0,  8, 16, 16])
    """
    check_tensor("to_pixel_levels", "x", x)
    n_levels = _check_n_levels("to_pixel_levels", n_levels)
    check_finite("to_pixel_levels", "x", x, fix="Find the training step that produced them.")
    levels = torch.round((x.detach().to(torch.float64) + 1) * ((n_levels - 1) / 2))
    return levels.clamp(0, n_levels - 1).to(torch.int64)


def load_sklearn_digits(
    *,
    validation_fraction: float = 0.2,
    test_fraction: float = 0.2,
    seed: int = 0,
    stratify: bool = True,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
) -> DigitSplits:
    r"""scikit-learn's 1,797 8x8 digits, scaled to [-1, 1], in a seeded train/validation/test split.

    Defaults 0.2 / 0.2 leave 60% for training: 1,079 / 359 / 359 images (counts are rounded
    per class when ``stratify``). The data ship inside scikit-learn; nothing is downloaded.
    See the module's docstring for the scaling and for why the split is stratified.
    A ``device`` this machine lacks (``'cuda'`` without CUDA) is a ``ValueError``, as in
    :func:`ganlib.device`, never a silent fallback to the CPU.
    """
    from sklearn.datasets import load_digits  # imported here: only this loader needs it

    function = "load_sklearn_digits"
    fractions = _check_fractions(function, validation_fraction, test_fraction)
    seed, stratify, device, dtype = _check_options(function, seed, stratify, device, dtype)
    pixels, labels = load_digits(return_X_y=True)  # float64 (1797, 64) of integers 0..16
    pixels = pixels.astype(np.uint8)
    parts = _split(labels, fractions, seed, stratify)
    subsets = (_subset(pixels, labels, part, 17, device, dtype) for part in parts)
    return DigitSplits(*subsets, image_shape=(8, 8), n_levels=17)


def load_mnist(
    root: str | os.PathLike,
    *,
    validation_fraction: float = 1 / 6,
    seed: int = 0,
    stratify: bool = True,
    download: bool = False,
    url: str = MNIST_URL,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
) -> DigitSplits:
    r"""MNIST from the four standard IDX files in ``root``, scaled to [-1, 1], split by seed.

    ``root`` holds ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each possibly gzipped (``.gz``).
    The test split is the t10k set; the default ``validation_fraction=1/6`` carves about 10,000
    of the 60,000 training images into validation, the usual 50,000 / 10,000 split.
    With ``download=True``, missing files are fetched as ``.gz`` from ``url`` (a folder URL,
    by default :data:`MNIST_URL`) and checked against :data:`MNIST_FILES`' MD5s. A ``device``
    this machine lacks is a ``ValueError``, as in :func:`load_sklearn_digits`.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as empty:
    ...     load_mnist(empty)
    Traceback (most recent call last):
    FileNotFoundError: load_mnist: root must hold the four MNIST IDX files; ...
    """
    function = "load_mnist"
    root = check_path(function, "root", root)
    fractions = _check_fractions(function, validation_fraction, 0.0)
    seed, stratify, device, dtype = _check_options(function, seed, stratify, device, dtype)
    check_type(function, "download", download, bool, "a bool", fix="Pass True to fetch files.")
    check_type(function, "url", url, str, "a str", fix="Pass a folder's URL, e.g. MNIST_URL.")
    missing = _missing(root, MNIST_FILES)
    if missing and download:
        _download(function, root, missing, url, MNIST_FILES)
    elif missing:
        raise FileNotFoundError(
            f"{function}: root must hold the four MNIST IDX files; {str(root)!r} lacks "
            f"{', '.join(name + '[.gz]' for name in missing)}. Pass download=True to fetch them "
            f"from {url} (11 MB), or copy them there; load_sklearn_digits() needs no files."
        )
    return _read_idx_splits(function, root, fractions, seed, stratify, device, dtype)


def fashion_mnist_folders(root: str | os.PathLike | None = None) -> list[Path]:
    r"""The folders :func:`load_fashion_mnist` searches, in order.

    ``root`` if given; then the cache folder, ``$GANLIB_DATA/fashion-mnist`` when the
    environment variable ``GANLIB_DATA`` is set, else ``$XDG_CACHE_HOME/ganlib/fashion-mnist``
    (``~/.cache/ganlib/fashion-mnist`` by default); then ``/usr/share/datasets/fashion-mnist``,
    where Debian's ``dataset-fashion-mnist`` installs the files. A download goes to the first.

    >>> fashion_mnist_folders("here")[0]
    PosixPath('here')
    """
    folders = [] if root is None else [check_path("fashion_mnist_folders", "root", root)]
    if os.environ.get("GANLIB_DATA"):
        cache = Path(os.environ["GANLIB_DATA"]).expanduser()
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        cache = Path(base).expanduser() / "ganlib"
    return [*folders, cache / "fashion-mnist", DEBIAN_FASHION_MNIST]


def load_fashion_mnist(
    root: str | os.PathLike | None = None,
    *,
    validation_fraction: float = 1 / 6,
    seed: int = 0,
    stratify: bool = True,
    download: bool = False,
    url: str = FASHION_MNIST_URL,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
) -> DigitSplits:
    r"""Fashion-MNIST (Xiao et al., 2017): 28x28 clothing images in [-1, 1], split by seed.

    The four files have MNIST's names and format, and are read as :func:`load_mnist` reads
    MNIST's: 50,000 training, 10,000 validation (carved from the 60,000 training images by
    ``validation_fraction`` and ``seed``, stratified by class) and the 10,000 test images; the
    labels name :data:`FASHION_MNIST_CLASSES`. The files are taken from the first of
    :func:`fashion_mnist_folders` that holds all four: ``root`` if given, the cache folder,
    then Debian's ``/usr/share/datasets/fashion-mnist``. Where none does, ``download=True``
    fetches the missing ``.gz`` files from ``url`` (by default :data:`FASHION_MNIST_URL`, 30 MB,
    once) into the first folder, checking each against :data:`FASHION_MNIST_FILES`' MD5s;
    without it, the error says how to get them. A ``device`` this machine lacks is a
    ``ValueError``.
    """
    function = "load_fashion_mnist"
    folders = fashion_mnist_folders(root)
    fractions = _check_fractions(function, validation_fraction, 0.0)
    seed, stratify, device, dtype = _check_options(function, seed, stratify, device, dtype)
    check_type(function, "download", download, bool, "a bool", fix="Pass True to fetch files.")
    fix = "Pass a folder's URL, e.g. FASHION_MNIST_URL."
    check_type(function, "url", url, str, "a str", fix=fix)
    found = next((folder for folder in folders if not _missing(folder, FASHION_MNIST_FILES)), None)
    if found is None and download:
        found = folders[0]
        _download(function, found, _missing(found, FASHION_MNIST_FILES), url, FASHION_MNIST_FILES)
    elif found is None:
        searched = ", ".join(repr(str(folder)) for folder in folders)
        raise FileNotFoundError(
            f"{function}: the four Fashion-MNIST IDX files must be in one of {searched}; none "
            "holds them all. Install them with 'sudo apt-get install dataset-fashion-mnist' "
            f"(Debian, Ubuntu), or pass download=True to fetch them once from {url} (30 MB)."
        )
    return _read_idx_splits(function, found, fractions, seed, stratify, device, dtype)


def read_idx(path: str | os.PathLike, *, magic: int | None = None) -> np.ndarray:
    r"""The array in an IDX file (LeCun's format for MNIST), gzipped or not.

    The format: a 4-byte big-endian magic number 0x0000TTNN (TT the element type, 0x08 for
    unsigned bytes; NN the number of dimensions), NN big-endian uint32 sizes, then the elements,
    big-endian, in C order. ``magic`` (e.g. 0x00000803 for MNIST images, 0x00000801 for labels)
    makes any other magic number an error; it must itself fit in 4 bytes (0 to 0xFFFFFFFF).
    The data must fill exactly what the header promises.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "labels-idx1-ubyte"
    ...     _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
    ...     read_idx(path, magic=0x00000801)
    array([7, 2, 1], dtype=uint8)
    """
    path = check_path("read_idx", "path", path)
    if magic is not None:
        fix = "Pass a 4-byte magic number, e.g. 0x00000803, or None for any IDX file."
        check_type("read_idx", "magic", magic, Integral, "an int or None", fix=fix)
        magic = check_int("read_idx", "magic", magic, minimum=0, maximum=0xFFFFFFFF, fix=fix)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":  # the gzip signature, whatever the file's name
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(
                f"read_idx: {path} must be a complete gzip file; got {error}. "
                "It is truncated or corrupt; download it again."
            ) from error
    found = f"0x{raw[:4].hex().upper()}" if len(raw) >= 4 else f"{len(raw)} bytes"
    is_idx = len(raw) >= 4 and raw[:2] == b"\0\0" and raw[2] in _IDX_TYPES
    if not is_idx or (magic is not None and raw[:4] != magic.to_bytes(4, "big")):
        wanted = "an IDX magic number (0x0000TTNN)" if magic is None else f"0x{magic:08X}"
        raise ValueError(
            f"read_idx: {path} must start with {wanted}; got {found}. MNIST images start with "
            f"0x{IMAGES_MAGIC:08X} and labels with 0x{LABELS_MAGIC:08X}; check the file."
        )
    n_dims, element = raw[3], np.dtype(_IDX_TYPES[raw[2]])
    header = 4 + 4 * n_dims  # the magic number, then one uint32 size per dimension
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims))
    expected = math.prod(shape) * element.itemsize
    if len(raw) < header or len(raw) != header + expected:
        promised = f"{expected} data bytes for shape {shape}" if len(raw) >= header else "data"
        raise ValueError(
            f"read_idx: {path} must hold {header} header bytes and {promised}; got {len(raw)} "
            "bytes in all. It is truncated or corrupt; download it again."
        )
    data = np.frombuffer(raw, dtype=element, offset=header).reshape(shape)
    return data.astype(element.newbyteorder("="))  # native byte order, and writable


# -- Helpers ------------------------------------------------------------------------------------


def _split(labels: np.ndarray, fractions: tuple[float, float], seed: int, stratify: bool):
    """Sorted indices of (train, validation, test): each class (or all, unstratified) is
    shuffled, and round(fraction * size) images go to validation and to test."""
    rng = np.random.default_rng(seed)
    classes = np.unique(labels) if stratify else [None]
    parts: tuple[list, list, list] = ([], [], [])
    for label in classes:
        group = rng.permutation(np.flatnonzero(labels == label) if stratify else len(labels))
        n_validation, n_test = (round(fraction * len(group)) for fraction in fractions)
        parts[1].append(group[:n_validation])
        parts[2].append(group[n_validation : n_validation + n_test])
        parts[0].append(group[n_validation + n_test :])
    return tuple(np.sort(np.concatenate(part)) for part in parts)


def _subset(pixels, labels, indices, n_levels, device, dtype) -> LabelledImages:
    """The images and labels at ``indices`` as tensors on ``device``; pixels scaled to [-1, 1]."""
    images = from_pixel_levels(torch.from_numpy(pixels[indices]), n_levels, dtype=dtype)
    as_long = torch.from_numpy(labels[indices].astype(np.int64))
    position = torch.from_numpy(indices.astype(np.int64))
    return LabelledImages(images.to(device), as_long.to(device), position.to(device))


def _read_idx_splits(function, root, fractions, seed, stratify, device, dtype) -> DigitSplits:
    """The splits of the four IDX files in ``root`` (MNIST's names): validation from train."""
    paths = {name: _find(root, name) for name in MNIST_FILES}
    arrays = {name: read_idx(path, magic=_magic(name)) for name, path in paths.items()}
    for split in ("train", "t10k"):
        images, labels = f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"
        if len(arrays[images]) != len(arrays[labels]):
            raise ValueError(
                f"{function}: {split}'s image and label files must hold as many items; got "
                f"{len(arrays[images])} images in {paths[images]} and {len(arrays[labels])} "
                f"labels in {paths[labels]}. They come from different sets; fetch both again."
            )
    train_images, test_images = arrays["train-images-idx3-ubyte"], arrays["t10k-images-idx3-ubyte"]
    train_labels, test_labels = arrays["train-labels-idx1-ubyte"], arrays["t10k-labels-idx1-ubyte"]
    if train_images.shape[1:] != test_images.shape[1:]:
        raise ValueError(
            f"{function}: training and test images must have the same size; got "
            f"{train_images.shape[1:]} and {test_images.shape[1:]}. Use the four files of one set."
        )
    image_shape = tuple(train_images.shape[1:])  # (28, 28) for MNIST and Fashion-MNIST
    train_pixels = train_images.reshape(len(train_images), -1)
    test_pixels = test_images.reshape(len(test_images), -1)
    train, validation, _ = _split(train_labels, fractions, seed, stratify)
    return DigitSplits(
        _subset(train_pixels, train_labels, train, 256, device, dtype),
        _subset(train_pixels, train_labels, validation, 256, device, dtype),
        _subset(test_pixels, test_labels, np.arange(len(test_images)), 256, device, dtype),
        image_shape=image_shape,
        n_levels=256,
    )


def _missing(root: Path, files: dict[str, str]) -> list[str]:
    """The names of ``files`` that ``root`` holds neither plain nor gzipped."""
    return [name for name in files if _find(root, name) is None]


def _find(root: Path, name: str) -> Path | None:
    """``root / name`` if it exists, else its ``.gz``, else None."""
    return next((path for path in (root / name, root / f"{name}.gz") if path.is_file()), None)


def _magic(name: str) -> int:
    return IMAGES_MAGIC if "images" in name else LABELS_MAGIC


def _download(function: str, root: Path, names: list[str], url: str, files: dict) -> None:
    """Fetch ``{url}/{name}.gz`` for each name, check its MD5 against ``files[name]``, then move
    it into ``root``; a file that fails its check is never written under its name."""
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = f"{url.rstrip('/')}/{name}.gz"
        try:
            with urllib.request.urlopen(source, timeout=60) as response:
                payload = response.read()
        except OSError as error:  # urllib's URLError and HTTPError are OSErrors
            raise OSError(
                f"{function}: {source} must be reachable; got {error}. Check the connection and "
                f"url, or copy the four files into {str(root)!r} by hand."
            ) from error
        digest = hashlib.md5(payload, usedforsecurity=False).hexdigest()
        if digest != files[name]:
            raise ValueError(
                f"{function}: {source} must have MD5 {files[name]}; got {digest}. "
                "The mirror served another file; pass another url or copy the files by hand."
            )
        partial = root / f"{name}.gz.part"
        partial.write_bytes(payload)
        partial.replace(root / f"{name}.gz")  # atomic: no half-written file under the real name


def _check_n_levels(function: str, n_levels: object) -> int:
    fix = "Pass 17 for the 8x8 digits (levels 0..16) or 256 for MNIST (0..255)."
    return check_int(function, "n_levels", n_levels, minimum=2, fix=fix)


def _check_fractions(function: str, validation: object, test: object) -> tuple[float, float]:
    """The held-out fractions: each a finite number >= 0, together < 1."""
    fix = "Pass a fraction such as 0.2, or 0.0 for an empty split."
    validation = check_real(function, "validation_fraction", validation, low=0.0, fix=fix)
    test = check_real(function, "test_fraction", test, low=0.0, fix=fix)
    if validation + test >= 1:
        raise ValueError(
            f"{function}: validation_fraction + test_fraction must be < 1 (the rest is the "
            f"training split); got {validation!r} + {test!r} = {validation + test!r}. "
            "Make the held-out fractions smaller."
        )
    return validation, test


def _check_options(function: str, seed, stratify, device, dtype):
    """The options both loaders take: seed, stratify, device and dtype."""
    seed = check_int(function, "seed", seed, minimum=0, fix="Pass an integer such as seed=0.")
    check_type(function, "stratify", stratify, bool, "a bool", fix="Pass True or False.")
    device = check_device(function, "device", device)
    fix = "Pass dtype=torch.float32 (or torch.float64 for numerical checks)."
    return seed, stratify, device, check_dtype(function, "dtype", dtype, fix=fix)
