"""Tests of ganlib.data: scikit-learn's 8x8 digits (shapes, exact scaling, a seeded stratified
partition, levels that round-trip), the IDX reader on files written here (plain and gzipped,
truncated, wrong magic), MNIST and Fashion-MNIST loading from small fake folders, and every
error message. Nothing touches the network: the download tests fetch from a file:// folder or
from an HTTP server on 127.0.0.1 that serves fake files written here."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import random
import re
import threading
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets
import torch

from ganlib import data
from ganlib.data import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_FILES,
    MNIST_FILES,
    DigitSplits,
    EmpiricalDistribution,
    fashion_mnist_folders,
    from_pixel_levels,
    load_fashion_mnist,
    load_mnist,
    load_sklearn_digits,
    read_idx,
    to_pixel_levels,
)

SKLEARN_PIXELS, SKLEARN_LABELS = sklearn.datasets.load_digits(return_X_y=True)


@pytest.fixture(scope="module")
def digits() -> DigitSplits:
    return load_sklearn_digits(seed=0)


def parts(splits: DigitSplits):
    return splits.train, splits.validation, splits.test


def write_idx(path: Path, array: np.ndarray, *, type_code: int = 0x08, cut: int = 0) -> Path:
    """Write ``array`` as an IDX file (gzipped if the name ends in .gz), minus ``cut`` bytes."""
    big_endian = array.astype(array.dtype.newbyteorder(">"))
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(
        size.to_bytes(4, "big") for size in array.shape
    )
    raw = (header + big_endian.tobytes())[: -cut or None]
    path.write_bytes(gzip.compress(raw) if path.suffix == ".gz" else raw)
    return path


def fake_mnist(root: Path, *, n_train: int = 40, n_test: int = 10, gz: bool = False) -> dict:
    """Four IDX files of 5x4 images with pixels 0..255 (both ends present) and labels 0..9."""
    rng = np.random.default_rng(123)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 5, 4), dtype=np.uint8),
        "train-labels-idx1-ubyte": (np.arange(n_train) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 5, 4), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": (np.arange(n_test) % 10).astype(np.uint8),
    }
    arrays["train-images-idx3-ubyte"][0, 0, :2] = [0, 255]
    root.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        write_idx(root / (name + (".gz" if gz else "")), array)
    return arrays


# --- scikit-learn's 8x8 digits -----------------------------------------------------------------


def test_digits_shapes_types_and_counts(digits):
    assert sum(len(part) for part in parts(digits)) == 1797
    assert (len(digits.train), len(digits.validation), len(digits.test)) == (1079, 359, 359)
    assert digits.image_shape == (8, 8) and digits.n_levels == 17
    for part in parts(digits):
        assert part.images.shape == (len(part), 64) and part.images.dtype == torch.float32
        assert part.labels.shape == (len(part),) and part.labels.dtype == torch.int64
        assert part.indices.shape == (len(part),) and part.indices.dtype == torch.int64


def test_digits_values_span_exactly_minus_one_to_one(digits):
    images = torch.cat([part.images for part in parts(digits)])
    assert images.min().item() == -1.0 and images.max().item() == 1.0
    assert set(torch.unique(images).tolist()) <= {level / 8 - 1 for level in range(17)}


def test_digits_match_scikit_learn_exactly(digits):
    # the reference: x / 8 - 1 of scikit-learn's own array, at the recorded indices
    for part in parts(digits):
        indices = part.indices.numpy()
        expected = torch.from_numpy(SKLEARN_PIXELS[indices] / 8 - 1).float()
        assert torch.equal(part.images, expected)
        assert torch.equal(part.labels, torch.from_numpy(SKLEARN_LABELS[indices]))


def test_digits_split_is_a_partition(digits):
    indices = [set(part.indices.tolist()) for part in parts(digits)]
    assert not (indices[0] & indices[1] or indices[0] & indices[2] or indices[1] & indices[2])
    assert set().union(*indices) == set(range(1797))
    for part in parts(digits):
        assert bool((part.indices.diff() > 0).all())  # in the source's order


def test_digits_split_is_reproducible_and_follows_the_seed(digits):
    again, other = load_sklearn_digits(seed=0), load_sklearn_digits(seed=1)
    for a, b in zip(parts(digits), parts(again), strict=True):
        assert torch.equal(a.indices, b.indices) and torch.equal(a.images, b.images)
    assert not torch.equal(digits.test.indices, other.test.indices)


def test_digits_stratified_split_keeps_every_class_in_proportion(digits):
    sizes = np.bincount(SKLEARN_LABELS)
    for part, fraction in ((digits.validation, 0.2), (digits.test, 0.2)):
        counts = np.bincount(part.labels.numpy(), minlength=10)
        assert np.array_equal(counts, [round(fraction * size) for size in sizes])
    for part in parts(digits):
        assert set(part.labels.tolist()) == set(range(10))


def test_digits_unstratified_and_empty_splits():
    loose = load_sklearn_digits(validation_fraction=0.1, test_fraction=0.3, stratify=False)
    assert (len(loose.validation), len(loose.test)) == (round(0.1 * 1797), round(0.3 * 1797))
    assert len({*loose.train.indices.tolist(), *loose.test.indices.tolist()}) == 1797 - 180
    no_validation = load_sklearn_digits(validation_fraction=0.0)
    assert len(no_validation.validation) == 0 and no_validation.validation.images.shape == (0, 64)


def test_digits_leave_the_global_random_state_alone():
    torch_state, numpy_state, python_state = (
        torch.get_rng_state(),
        np.random.get_state(),  # noqa: NPY002 - checking the legacy global generator is the point
        random.getstate(),
    )
    load_sklearn_digits(seed=3, stratify=False)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])  # noqa: NPY002
    assert random.getstate() == python_state


def test_digits_device_and_dtype_options():
    splits = load_sklearn_digits(device=torch.device("cpu"), dtype=torch.float64)
    assert splits.train.images.dtype == torch.float64 and splits.train.images.device.type == "cpu"
    assert splits.test.images.min().item() == -1.0 and splits.test.images.max().item() == 1.0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_digits_on_cuda_equal_the_cpu_ones(digits):
    on_cuda = load_sklearn_digits(seed=0, device="cuda")
    for cpu, cuda in zip(parts(digits), parts(on_cuda), strict=True):
        assert {cuda.images.device.type, cuda.labels.device.type} == {"cuda"}
        assert torch.equal(cuda.images.cpu(), cpu.images)
        assert torch.equal(cuda.labels.cpu(), cpu.labels)


# --- pixel levels ------------------------------------------------------------------------------


def test_levels_round_trip_exactly_to_scikit_learn(digits):
    levels = digits.to_levels(digits.train.images)
    assert levels.shape == (len(digits.train), 8, 8) and levels.dtype == torch.int64
    expected = SKLEARN_PIXELS[digits.train.indices.numpy()].reshape(-1, 8, 8)
    assert torch.equal(levels, torch.from_numpy(expected.astype(np.int64)))


@pytest.mark.parametrize("n_levels", [2, 17, 256])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("integer", [torch.uint8, torch.int64])  # IDX files hold uint8
def test_from_and_to_pixel_levels_are_inverse(n_levels, dtype, integer):
    levels = torch.arange(n_levels, dtype=integer)
    x = from_pixel_levels(levels, n_levels, dtype=dtype)
    # the docstring's equation, evaluated literally in float64: x = 2 l / (L - 1) - 1
    literal = [2 * level / (n_levels - 1) - 1 for level in range(n_levels)]
    literal = torch.tensor(literal, dtype=torch.float64)
    assert torch.equal(x, literal.to(dtype)) and x.dtype == dtype
    assert x[0].item() == -1.0 and x[-1].item() == 1.0
    assert torch.equal(to_pixel_levels(x, n_levels), levels.long())


def test_to_pixel_levels_clips_and_rounds_half_to_even():
    x = torch.tensor([-3.0, -1.0, -0.0625, 0.0625, 0.1, 1.0, 2.0])  # +-1/16: half a level
    assert to_pixel_levels(x, 17).tolist() == [0, 0, 8, 8, 9, 16, 16]


def test_to_levels_keeps_leading_dimensions(digits):
    samples = torch.zeros(3, 2, 64)
    assert digits.to_levels(samples).shape == (3, 2, 8, 8)
    assert bool((digits.to_levels(samples) == 8).all())  # 0 is the middle level, 8 of 0..16


# --- the IDX reader ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
@pytest.mark.parametrize("shape", [(3, 28, 28), (6, 5, 4)])
def test_read_idx_reads_what_was_written(tmp_path, name, shape):
    images = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    read = read_idx(write_idx(tmp_path / name, images), magic=0x00000803)
    assert read.dtype == np.uint8 and np.array_equal(read, images)
    labels = np.arange(shape[0], dtype=np.uint8)
    assert np.array_equal(read_idx(write_idx(tmp_path / "labels", labels), magic=0x801), labels)


def test_read_idx_other_element_types_are_big_endian(tmp_path):
    values = np.array([[1, -2, 300], [-40000, 5, 70000]], dtype=np.int32)
    read = read_idx(write_idx(tmp_path / "int32-idx2", values, type_code=0x0C))
    assert np.array_equal(read, values) and read.dtype == np.int32


@pytest.mark.parametrize("name", ["images", "images.gz"])
@pytest.mark.parametrize(
    ("cut", "promised"),
    [
        (1, "40 data bytes for shape \\(2, 5, 4\\); got 55 bytes"),  # a missing byte
        (20, "40 data bytes for shape \\(2, 5, 4\\); got 36 bytes"),  # a missing image
        (50, "data; got 6 bytes"),  # most of the header
    ],
)
def test_read_idx_refuses_a_truncated_file(tmp_path, name, cut, promised):
    images = np.zeros((2, 5, 4), dtype=np.uint8)  # 16 header bytes, 40 data bytes
    path = write_idx(tmp_path / name, images, cut=cut)
    message = f"read_idx: {re.escape(str(path))} must hold 16 header bytes and {promised} in all"
    with pytest.raises(ValueError, match=message):
        read_idx(path)


def test_read_idx_refuses_extra_bytes(tmp_path):
    path = write_idx(tmp_path / "labels", np.arange(3, dtype=np.uint8))
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ValueError, match=r"must hold 8 header bytes and 3 data bytes .* got 12"):
        read_idx(path)


def test_read_idx_refuses_a_truncated_gzip_stream(tmp_path):
    path = write_idx(tmp_path / "labels.gz", np.arange(100, dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(ValueError, match=r"labels.gz must be a complete gzip file; got"):
        read_idx(path)


def test_read_idx_refuses_a_wrong_magic_number(tmp_path):
    path = write_idx(tmp_path / "train-labels-idx1-ubyte", np.arange(3, dtype=np.uint8))
    message = f"read_idx: {re.escape(str(path))} must start with 0x00000803; got 0x00000801"
    with pytest.raises(ValueError, match=message):
        read_idx(path, magic=0x00000803)


@pytest.mark.parametrize("content", [b"", b"\0\0", b"hello, world", b"\0\0\x07\x01\0\0\0\0"])
def test_read_idx_refuses_files_that_are_not_idx(tmp_path, content):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"notes.txt must start with an IDX magic number"):
        read_idx(path)


def test_read_idx_path_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "absent")
    with pytest.raises(TypeError, match=r"read_idx: path must be a str or os.PathLike; got int"):
        read_idx(3)
    with pytest.raises(TypeError, match=r"read_idx: magic must be an int or None; got str"):
        read_idx(tmp_path / "absent", magic="0x803")


# --- MNIST from IDX files ----------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_reads_a_folder_of_idx_files(tmp_path, gz):
    arrays = fake_mnist(tmp_path, gz=gz)
    splits = load_mnist(tmp_path, validation_fraction=0.25)
    assert splits.image_shape == (5, 4) and splits.n_levels == 256
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (30, 10, 10)
    train_pixels = arrays["train-images-idx3-ubyte"].reshape(40, 20)
    for part in (splits.train, splits.validation):
        expected = torch.from_numpy(train_pixels[part.indices.numpy()] / 127.5 - 1).float()
        assert torch.equal(part.images, expected)
        assert set(part.labels.tolist()) == set(range(10))  # stratified
    assert set(splits.train.indices.tolist()) | set(splits.validation.indices.tolist()) == set(
        range(40)
    )
    assert not set(splits.train.indices.tolist()) & set(splits.validation.indices.tolist())
    assert torch.equal(splits.test.indices, torch.arange(10))  # MNIST's own test set, in order
    assert np.array_equal(
        splits.to_levels(splits.test.images).numpy(), arrays["t10k-images-idx3-ubyte"]
    )
    assert splits.train.images.min().item() == -1.0 and splits.train.images.max().item() == 1.0


def test_load_mnist_split_follows_the_seed_only(tmp_path):
    fake_mnist(tmp_path)
    a, b = load_mnist(tmp_path, seed=5), load_mnist(tmp_path, seed=5)
    c = load_mnist(tmp_path, seed=6)
    assert torch.equal(a.validation.indices, b.validation.indices)
    assert not torch.equal(a.validation.indices, c.validation.indices)
    assert torch.equal(a.test.images, c.test.images)


def test_load_mnist_missing_files_say_which_and_how_to_get_them(tmp_path):
    fake_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    message = (
        r"load_mnist: root must hold the four MNIST IDX files; .* lacks "
        r"t10k-labels-idx1-ubyte\[\.gz\]\. Pass download=True"
    )
    with pytest.raises(FileNotFoundError, match=message):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"lacks train-images-idx3-ubyte\[\.gz\], "):
        load_mnist(tmp_path / "nowhere")


def test_load_mnist_refuses_mismatched_counts(tmp_path):
    fake_mnist(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(39, dtype=np.uint8))
    message = r"load_mnist: train's image and label files must hold as many items; got 40 images"
    with pytest.raises(ValueError, match=message):
        load_mnist(tmp_path)


def test_load_mnist_refuses_mismatched_image_sizes(tmp_path):
    fake_mnist(tmp_path)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((10, 4, 5), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"training and test images must have the same size"):
        load_mnist(tmp_path)


def test_load_mnist_refuses_swapped_files(tmp_path):
    arrays = fake_mnist(tmp_path)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", arrays["t10k-labels-idx1-ubyte"])
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte must start with 0x00000803"):
        load_mnist(tmp_path)


def test_load_mnist_download_checks_md5_and_fetches_missing_files(tmp_path, monkeypatch):
    # A file:// "mirror": no network. Its files are fake, so the real MD5s refuse them...
    mirror = tmp_path / "mirror"
    fake_mnist(mirror, gz=True)
    root = tmp_path / "data"
    with pytest.raises(ValueError, match=r"load_mnist: file:.*train-images-idx3-ubyte.gz must"):
        load_mnist(root, download=True, url=mirror.as_uri())
    assert not list(root.glob("*.gz*"))  # nothing half-written left behind
    # ...and with their own MD5s they are fetched.
    for name in MNIST_FILES:
        digest = data.hashlib.md5((mirror / f"{name}.gz").read_bytes()).hexdigest()
        monkeypatch.setitem(MNIST_FILES, name, digest)
    splits = load_mnist(root, download=True, url=mirror.as_uri() + "/")
    assert len(splits.test) == 10 and sorted(p.name for p in root.iterdir()) == sorted(
        f"{name}.gz" for name in MNIST_FILES
    )


def test_load_mnist_download_from_an_unreachable_url_says_what_to_do(tmp_path):
    message = r"load_mnist: file:.*/empty/train-images-idx3-ubyte.gz must be reachable; got"
    with pytest.raises(OSError, match=message):
        load_mnist(tmp_path / "data", download=True, url=(tmp_path / "empty").as_uri())


# --- Fashion-MNIST: where the files are found, and the one download -----------------------------


@pytest.fixture
def no_fashion_mnist(tmp_path, monkeypatch):
    """No Fashion-MNIST anywhere: the cache and Debian's folder point into empty tmp folders."""
    monkeypatch.setenv("GANLIB_DATA", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", tmp_path / "debian")
    return tmp_path


@pytest.fixture
def loopback_server(tmp_path):
    """An HTTP server on 127.0.0.1 serving the folder tmp_path / "site"; yields its URL."""
    site = tmp_path / "site"
    site.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # quiet
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_fashion_mnist_folders_are_root_then_cache_then_debian(monkeypatch, tmp_path):
    monkeypatch.setenv("GANLIB_DATA", str(tmp_path / "data"))
    assert fashion_mnist_folders(tmp_path / "mine") == [
        tmp_path / "mine",
        tmp_path / "data" / "fashion-mnist",
        Path("/usr/share/datasets/fashion-mnist"),
    ]
    monkeypatch.delenv("GANLIB_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert fashion_mnist_folders()[0] == tmp_path / "xdg" / "ganlib" / "fashion-mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert fashion_mnist_folders()[0] == Path.home() / ".cache" / "ganlib" / "fashion-mnist"


def test_load_fashion_mnist_reads_the_first_folder_that_holds_all_four(no_fashion_mnist):
    tmp_path = no_fashion_mnist
    debian = fake_mnist(tmp_path / "debian", n_train=30, gz=True)
    splits = load_fashion_mnist(validation_fraction=0.2)  # only Debian's folder has them
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (
        20,
        10,
        10,
    )  # 1 of 3 per class
    assert np.array_equal(
        splits.to_levels(splits.test.images).numpy(), debian["t10k-images-idx3-ubyte"]
    )
    fake_mnist(tmp_path / "cache" / "fashion-mnist", n_train=50)  # the cache comes first
    assert len(load_fashion_mnist(validation_fraction=0.2).train) == 40
    mine = fake_mnist(tmp_path / "mine", n_train=20, n_test=5)  # and a named folder before it
    named = load_fashion_mnist(tmp_path / "mine", validation_fraction=0.5)
    assert len(named.train) == 10 and len(named.test) == 5
    assert np.array_equal(
        named.to_levels(named.test.images).numpy(), mine["t10k-images-idx3-ubyte"]
    )
    (tmp_path / "mine" / "train-labels-idx1-ubyte").unlink()  # incomplete: passed over
    assert len(load_fashion_mnist(tmp_path / "mine", validation_fraction=0.2).train) == 40


def test_load_fashion_mnist_missing_everywhere_says_how_to_get_it(no_fashion_mnist):
    message = (
        r"load_fashion_mnist: the four Fashion-MNIST IDX files must be in one of '.*mine', "
        r"'.*cache/fashion-mnist', '.*debian'; none holds them all\. Install them with 'sudo "
        r"apt-get install dataset-fashion-mnist' \(Debian, Ubuntu\), or pass download=True"
    )
    with pytest.raises(FileNotFoundError, match=message):
        load_fashion_mnist(no_fashion_mnist / "mine")
    assert not (no_fashion_mnist / "mine").exists()  # nothing created without download=True


def test_load_fashion_mnist_downloads_once_over_http_with_md5_checks(
    no_fashion_mnist, loopback_server, monkeypatch
):
    site, url = loopback_server
    fake_mnist(site, gz=True)
    digests = {
        name: hashlib.md5((site / f"{name}.gz").read_bytes()).hexdigest()
        for name in FASHION_MNIST_FILES
    }
    # The real MD5s refuse the fake files, and nothing is written under their names.
    cache = no_fashion_mnist / "cache" / "fashion-mnist"
    message = (
        r"load_fashion_mnist: http://127\.0\.0\.1:\d+/train-images-idx3-ubyte\.gz must have MD5"
    )
    with pytest.raises(ValueError, match=message):
        load_fashion_mnist(download=True, url=url)
    assert not list(cache.iterdir())
    # With their own MD5s the files are fetched into the cache...
    for name, digest in digests.items():
        monkeypatch.setitem(FASHION_MNIST_FILES, name, digest)
    splits = load_fashion_mnist(download=True, url=url, validation_fraction=0.25)
    assert len(splits.train) == 30 and len(splits.test) == 10
    assert sorted(p.name for p in cache.iterdir()) == sorted(f"{n}.gz" for n in FASHION_MNIST_FILES)
    # ...and read from there next time, with the server's files gone.
    for path in site.iterdir():
        path.unlink()
    again = load_fashion_mnist(download=True, url=url, validation_fraction=0.25)
    assert torch.equal(again.test.images, splits.test.images)


def test_load_fashion_mnist_download_refuses_a_corrupted_file(
    no_fashion_mnist, loopback_server, monkeypatch
):
    site, url = loopback_server
    fake_mnist(site, gz=True)
    for name in FASHION_MNIST_FILES:
        digest = hashlib.md5((site / f"{name}.gz").read_bytes()).hexdigest()
        monkeypatch.setitem(FASHION_MNIST_FILES, name, digest)
    labels = site / "t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:-1] + b"x")  # one byte changed in transit
    with pytest.raises(
        ValueError, match=r"t10k-labels-idx1-ubyte\.gz must have MD5 [0-9a-f]{32}; got"
    ):
        load_fashion_mnist(no_fashion_mnist / "mine", download=True, url=url)
    # The files before it were kept (checked); the bad one is not under its name.
    assert not (no_fashion_mnist / "mine" / "t10k-labels-idx1-ubyte.gz").exists()
    assert (no_fashion_mnist / "mine" / "train-images-idx3-ubyte.gz").exists()


def test_load_fashion_mnist_download_from_an_unreachable_server(no_fashion_mnist, loopback_server):
    _, url = loopback_server  # serves an empty folder: 404 for every file
    with pytest.raises(OSError, match=r"load_fashion_mnist: http://127.*gz must be reachable; got"):
        load_fashion_mnist(download=True, url=url)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"download": 1}, TypeError, "download must be a bool; got int"),
        ({"url": b"http://"}, TypeError, "url must be a str; got bytes"),
        ({"seed": -1}, ValueError, "seed must be >= 0; got -1"),
        ({"validation_fraction": 1.0}, ValueError, r"validation_fraction \+ test_fraction"),
    ],
)
def test_load_fashion_mnist_errors(no_fashion_mnist, options, error, message):
    with pytest.raises(error, match=f"load_fashion_mnist: {message}"):
        load_fashion_mnist(**options)
    with pytest.raises(
        TypeError, match=r"fashion_mnist_folders: root must be a str or os.PathLike"
    ):
        load_fashion_mnist(3)


def test_fashion_mnist_has_ten_named_classes():
    assert len(FASHION_MNIST_CLASSES) == 10 and FASHION_MNIST_CLASSES[9] == "Ankle boot"


DEBIAN_CONTENT_MD5 = {  # of the decompressed files, as the data set's users publish them
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}


@pytest.mark.skipif(
    not (data.DEBIAN_FASHION_MNIST / "t10k-labels-idx1-ubyte.gz").exists(),
    reason="Debian's dataset-fashion-mnist is not installed",
)
def test_debians_files_decompress_to_the_upstream_bytes():
    # Debian recompressed the .gz files (their MD5s differ from FASHION_MNIST_FILES'); the
    # content is upstream's, which is what the loader reads.
    for name, digest in DEBIAN_CONTENT_MD5.items():
        raw = gzip.decompress((data.DEBIAN_FASHION_MNIST / f"{name}.gz").read_bytes())
        assert hashlib.md5(raw).hexdigest() == digest, name


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"validation_fraction": "0.2"}, TypeError, "validation_fraction must be a real number"),
        ({"test_fraction": True}, TypeError, "test_fraction must be a real number; got bool"),
        (
            {"validation_fraction": -0.1},
            ValueError,
            "validation_fraction must be a finite number >= 0",
        ),
        ({"test_fraction": float("nan")}, ValueError, "test_fraction must be a finite number >= 0"),
        (
            {"validation_fraction": 0.5, "test_fraction": 0.5},
            ValueError,
            r"validation_fraction \+ test_fraction must be < 1 \(the rest is the training split\); "
            r"got 0.5 \+ 0.5 = 1.0",
        ),
        ({"seed": 1.0}, TypeError, "seed must be an int; got float"),
        ({"seed": -1}, ValueError, "seed must be >= 0; got -1"),
        ({"stratify": 1}, TypeError, "stratify must be a bool; got int"),
        ({"device": 0}, TypeError, "device must be a str or torch.device; got int"),
        ({"device": "gpu"}, ValueError, "device must name a torch device such as 'cpu'"),
        ({"dtype": torch.int64}, TypeError, "dtype must be a floating-point torch.dtype"),
        ({"dtype": "float32"}, TypeError, "dtype must be a floating-point torch.dtype"),
    ],
)
def test_load_sklearn_digits_errors(options, error, message):
    with pytest.raises(error, match=f"load_sklearn_digits: {message}"):
        load_sklearn_digits(**options)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_a_device_this_machine_lacks_is_an_error():
    with pytest.raises(ValueError, match=r"device must be one this machine has; got cuda"):
        load_sklearn_digits(device="cuda")


@pytest.mark.parametrize(
    ("root", "options", "error", "message"),
    [
        (None, {}, TypeError, "root must be a str or os.PathLike; got NoneType"),
        (".", {"download": "yes"}, TypeError, "download must be a bool; got str"),
        (".", {"url": None}, TypeError, "url must be a str; got NoneType"),
        (".", {"validation_fraction": 1.0}, ValueError, r"validation_fraction \+ test_fraction"),
        (".", {"test_fraction": 0.1}, TypeError, "unexpected keyword argument 'test_fraction'"),
    ],
)
def test_load_mnist_errors(root, options, error, message):
    with pytest.raises(error, match=message):
        load_mnist(root, **options)


def test_pixel_level_errors(digits):
    with pytest.raises(
        TypeError, match=r"from_pixel_levels: levels must be an integer torch.Tensor"
    ):
        from_pixel_levels(torch.zeros(3), 17)
    with pytest.raises(ValueError, match=r"from_pixel_levels: levels must lie in \[0, 16\]; got"):
        from_pixel_levels(torch.tensor([0, 17]), 17)
    with pytest.raises(ValueError, match=r"levels must lie in \[0, 2\]; got values in \[0, 255\]"):
        from_pixel_levels(torch.tensor([0, 255], dtype=torch.uint8), 3)
    with pytest.raises(TypeError, match=r"to_pixel_levels: n_levels must be an int; got float"):
        to_pixel_levels(torch.zeros(3), 17.0)
    with pytest.raises(ValueError, match=r"from_pixel_levels: n_levels must be >= 2; got 1"):
        from_pixel_levels(torch.tensor([0]), 1)
    with pytest.raises(TypeError, match=r"to_pixel_levels: x must be a torch.Tensor; got list"):
        to_pixel_levels([0.0], 17)
    message = (
        r"^to_pixel_levels: x must have finite entries; got 1 NaN and 0 inf\. Find the training"
    )
    with pytest.raises(ValueError, match=message):
        to_pixel_levels(torch.tensor([0.0, float("nan")]), 17)
    with pytest.raises(ValueError, match=r"DigitSplits.to_levels: samples must have 64 pixels"):
        digits.to_levels(torch.zeros(2, 784))


def test_empirical_distribution_draws_rows_with_replacement_from_the_callers_generator():
    points = torch.arange(20.0).reshape(10, 2)
    data = EmpiricalDistribution(points)
    state = torch.get_rng_state()
    first = data.sample((500,), torch.Generator().manual_seed(3))
    again = data.sample((500,), torch.Generator().manual_seed(3))
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(first, again) and first.shape == (500, 2) and first.dtype == torch.float32
    rows = (first[:, None, :] == points[None]).all(-1)  # (500, 10): which row each sample is
    assert bool(rows.any(-1).all())
    counts = rows.sum(0)
    # 500 draws of 10 rows: each count is Binomial(500, 0.1), sd 6.7; all within 5 sd.
    assert int(counts.min()) > 50 - 34 and int(counts.max()) < 50 + 34
    assert repr(data) == "EmpiricalDistribution(10 points of dimension 2)"


@pytest.mark.parametrize(
    ("points", "error", "match"),
    [
        ([[1.0, 2.0]], TypeError, r"EmpiricalDistribution: points must be a torch\.Tensor"),
        (torch.zeros(3), ValueError, r"points must have shape \(n, dimension\) with n >= 1"),
        (torch.zeros(0, 2), ValueError, r"points must have shape \(n, dimension\) with n >= 1"),
        (torch.zeros(3, 0), ValueError,
         r"^EmpiricalDistribution: points must have shape \(n, dimension\) with n >= 1 and "
         r"dimension >= 1; got shape \(3, 0\)\. Flatten images first"),
        (torch.tensor([[0.0, 1.0], [float("nan"), 2.0]]), ValueError,
         r"^EmpiricalDistribution: points must have finite entries; got 1 NaN and 0 inf\. "
         r"Drop or repair those rows of the data\.$"),
        (torch.tensor([[0.0, float("inf")], [-float("inf"), 2.0]]), ValueError,
         r"^EmpiricalDistribution: points must have finite entries; got 0 NaN and 2 inf\."),
        (torch.zeros(3, 2, dtype=torch.int64), TypeError,
         r"^EmpiricalDistribution: points must have a floating-point dtype; got torch\.int64\."),
    ],
)  # fmt: skip
def test_empirical_distribution_rejects_bad_points(points, error, match):
    with pytest.raises(error, match=match):
        EmpiricalDistribution(points)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (((1,), 0), {}, TypeError,
         r"^EmpiricalDistribution\.sample: generator must be a torch\.Generator or None; got 0\. "
         r"Pass torch\.Generator\(\)\.manual_seed\(seed\)\.$"),
        ((4,), {}, TypeError,
         r"^EmpiricalDistribution\.sample: sample_shape must be a tuple of ints or a "
         r"torch\.Size; got 4\. Pass e\.g\. \(4,\) for that many draws\.$"),
        (((-1,),), {}, ValueError,
         r"^EmpiricalDistribution\.sample: sample_shape must have non-negative sizes; got "
         r"\(-1,\)\."),
        (((2,),), {"dtype": torch.int64}, TypeError,
         r"^EmpiricalDistribution\.sample: dtype must be a floating-point torch\.dtype; got "
         r"torch\.int64\. Pass dtype=torch\.float64 or dtype=torch\.float32\.$"),
        (((2,),), {"dtype": torch.bool}, TypeError,
         r"^EmpiricalDistribution\.sample: dtype must be a floating-point torch\.dtype; got "
         r"torch\.bool\."),
        (((True,),), {}, TypeError,
         r"^EmpiricalDistribution\.sample: sample_shape must be a tuple of ints or a "
         r"torch\.Size; got \(True,\)\."),
        ((), {"sample_shape": (2.0,)}, TypeError,
         r"^EmpiricalDistribution\.sample: sample_shape must be a tuple of ints"),
    ],
)  # fmt: skip
def test_empirical_distribution_sample_arguments_are_checked(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        EmpiricalDistribution(torch.zeros(2, 2)).sample(*args, **kwargs)


def test_empirical_distribution_keeps_float64_points_exact():
    # A float dtype is the only kind accepted: the rows come back as they are, not truncated.
    points = torch.tensor([[0.25, -1.5], [3.125, 0.5]], dtype=torch.float64)
    samples = EmpiricalDistribution(points).sample(
        (50,), torch.Generator().manual_seed(0), dtype=torch.float64
    )
    assert samples.dtype == torch.float64
    assert bool((samples[:, None, :] == points[None]).all(-1).any(-1).all())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_empirical_distribution_draws_from_a_cuda_generator():
    points = torch.arange(20.0).reshape(10, 2)
    generator = torch.Generator("cuda").manual_seed(0)
    samples = EmpiricalDistribution(points).sample((30,), generator)
    assert samples.shape == (30, 2) and samples.device == points.device


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: from_pixel_levels(torch.tensor([0, 16]), 17, dtype=torch.int64), TypeError,
         r"^from_pixel_levels: dtype must be a floating-point torch\.dtype; got torch\.int64\. "
         r"Pass dtype=torch\.float32 or dtype=torch\.float64\.$"),
        (lambda: from_pixel_levels(torch.tensor([0, 16]), 17, dtype=torch.uint8), TypeError,
         r"^from_pixel_levels: dtype must be a floating-point torch\.dtype; got torch\.uint8\."),
        (lambda: from_pixel_levels(torch.tensor([0, 16]), 17, dtype="float32"), TypeError,
         r"^from_pixel_levels: dtype must be a floating-point torch\.dtype; got 'float32'\."),
        (lambda: read_idx("labels", magic=-1), ValueError,
         r"^read_idx: magic must be in \[0, 4294967295\]; got -1\. Pass a 4-byte magic number, "
         r"e\.g\. 0x00000803, or None for any IDX file\.$"),
        (lambda: read_idx("labels", magic=2**32), ValueError,
         r"^read_idx: magic must be in \[0, 4294967295\]; got 4294967296\."),
        (lambda: read_idx("labels", magic=True), TypeError,
         r"^read_idx: magic must be an int or None; got bool True\."),
        (lambda: read_idx("labels", magic=0x801 * 1.0), TypeError,
         r"^read_idx: magic must be an int or None; got float 2049\.0\."),
    ],
)  # fmt: skip
def test_level_and_idx_options_are_checked_before_use(call, error, match):
    with pytest.raises(error, match=match):
        call()
