import random

import numpy as np
import pytest
import torch

import ganlib
from ganlib import device, seed_everything
from ganlib.runtime import DEVICE_ENV_VAR


def test_device_defaults_to_an_available_device(monkeypatch):
    monkeypatch.delenv(DEVICE_ENV_VAR, raising=False)
    chosen = device()
    expected = "cuda" if torch.cuda.is_available() else None
    if expected is None:
        expected = "mps" if torch.backends.mps.is_available() else "cpu"
    assert chosen.type == expected
    torch.zeros(1, device=chosen)  # usable


def test_environment_variable_overrides_device(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV_VAR, "cpu")
    assert device() == torch.device("cpu")


def test_unknown_device_name_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV_VAR, "tpu-please")
    with pytest.raises(ValueError, match="GANLIB_DEVICE must name a torch device"):
        device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_missing_device_is_an_error_not_a_fallback(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV_VAR, "cuda")
    message = (
        r"^device: GANLIB_DEVICE must name a device this machine has; got 'cuda', which this "
        r"machine does not have\. Unset GANLIB_DEVICE or set it to 'cpu'\.$"
    )
    with pytest.raises(ValueError, match=message):
        device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_a_missing_device_is_the_same_error_here_as_in_the_loaders(monkeypatch):
    # One condition, one exception type: ValueError from device() and from device= arguments.
    monkeypatch.setenv(DEVICE_ENV_VAR, "cuda")
    with pytest.raises(ValueError, match="this machine has"):
        device()
    with pytest.raises(ValueError, match="this machine has"):
        ganlib.load_sklearn_digits(device="cuda")


def test_seed_everything_seeds_all_generators():
    generator = seed_everything(123)
    first = (
        random.random(),
        np.random.rand(),  # noqa: NPY002 - seed_everything seeds the legacy global
        torch.rand(1).item(),
        torch.rand(1, generator=generator).item(),
    )
    generator = seed_everything(123)
    second = (
        random.random(),
        np.random.rand(),  # noqa: NPY002 - seed_everything seeds the legacy global
        torch.rand(1).item(),
        torch.rand(1, generator=generator).item(),
    )
    assert first == second


@pytest.mark.parametrize("seed", ["1", 1.0, True, None])
def test_seed_must_be_an_int(seed):
    with pytest.raises(TypeError, match="seed_everything: seed must be an int"):
        seed_everything(seed)


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_seed_must_be_in_range(seed):
    with pytest.raises(ValueError, match=r"seed_everything: seed must be in \[0, 4294967295\]"):
        seed_everything(seed)


def test_use_one_thread_sets_one_thread_and_returns_the_previous_count():
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        assert ganlib.use_one_thread() == 2
        assert torch.get_num_threads() == 1
        assert ganlib.use_one_thread() == 1
    finally:
        torch.set_num_threads(threads)
