import importlib.metadata
import json
import math
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import tomllib
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import ganlib.cli
import ganlib.config
import ganlib.data
from ganlib import Gaussian1d, History, plot, recipes, ring_of_gaussians
from ganlib.checkpoint import load_checkpoint, save_checkpoint
from ganlib.cli import TARGETS, main

OPTIONS = [
    "--steps",
    "--k",
    "--batch-size",
    "--generator-loss",
    "--optimizer",
    "--pack",
    "--lr",
    "--lr-decay-steps",
    "--lr-decay",
    "--seed",
    "--device",
    "--threads",
    "--out",
    "--checkpoint-every",
    "--resume",
    "--no-progress",
]


def same(a, b) -> bool:
    """Whether two checkpoints hold the same values, tensors compared bit for bit."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    return a == b


def run(*argv: str) -> int:
    return main(["train", *argv, "--device", "cpu", "--no-progress"])


def test_a_packed_run_builds_its_discriminator_for_packs_and_resumes(tmp_path):
    out = tmp_path / "packed"
    assert run("ring", "--steps", "3", "--pack", "3", "--batch-size", "4", "--out", str(out)) == 0
    assert json.loads((out / "metrics.json").read_text())["config"]["pack"] == 3
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    weights = [v for k, v in state["networks"]["discriminator"].items() if "weight" in k]
    assert weights[0].shape[1] == 3 * 2  # three 2-D samples per input
    assert run("ring", "--steps", "5", "--resume", "--out", str(out)) == 0
    assert json.loads((out / "metrics.json").read_text())["steps"] == 5


def test_help_lists_every_option_and_each_targets_defaults():
    result = subprocess.run(
        [sys.executable, "-m", "ganlib", "train", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    for option in OPTIONS:
        assert option in result.stdout, option
    for name in TARGETS:
        assert f"  {name} " in result.stdout and recipes.get(name).summary in result.stdout
    assert "--steps 5000 --lr 0.05 --optimizer sgd" in result.stdout  # the gaussian defaults
    # The choices are the library's tables of losses and optimizers.
    losses, optimizers = ganlib.config.GENERATOR_LOSS_NAMES, ganlib.config.OPTIMIZERS
    assert f"--generator-loss {{{','.join(losses)}}}" in result.stdout
    assert f"--optimizer {{{','.join(optimizers)}}}" in result.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "nowhere"], "argument target: invalid choice: 'nowhere'"),
        (["train", "gaussian", "--bogus"], "unrecognized arguments: --bogus"),
        (["train", "gaussian", "--steps", "0"], "argument --steps: must be a positive integer"),
        (["train", "gaussian", "--lr", "-1"], "argument --lr: must be a positive number"),
        (["train", "gaussian", "--lr-decay-steps", "0"], "argument --lr-decay-steps: must be a"),
        (["train", "gaussian", "--lr-decay", "2"], "TrainConfig: lr_decay must be a finite"),
        (["train", "gaussian", "--device", "tpu"], "argument --device: invalid choice: 'tpu'"),
        (["train", "gaussian", "--optimizer", "rmsprop"], "argument --optimizer: invalid choice"),
        (["fit", "gaussian"], "argument command: invalid choice: 'fit'"),
        ([], "the following arguments are required: command"),
    ],
)
def test_wrong_targets_and_options_exit_non_zero_with_a_clear_message(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_short_run_writes_its_files_and_resumes(tmp_path):
    out = tmp_path / "run"
    assert run("gaussian", "--steps", "50", "--out", str(out)) == 0
    names = {"samples.png", "training.png", "metrics.json", "checkpoint.pt"}
    assert {p.name for p in out.iterdir()} == names
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 50 and metrics["config"]["steps"] == 50
    assert set(metrics["final"]) == {"discriminator_loss", "generator_loss", "d_real", "d_fake"}
    assert 0 < metrics["final"]["d_real"] < 1 and 0 < metrics["final"]["d_fake"] < 1
    js = metrics["js_divergence_estimate"]
    assert "estimate" in js["method"] and js["units"] == "nats" and js["samples"] == 10_000
    assert 0 <= js["floor"] < js["value"] <= 0.7  # log 2 = 0.693 at most

    assert run("gaussian", "--steps", "80", "--out", str(out), "--resume") == 0
    assert json.loads((out / "metrics.json").read_text())["steps"] == 80
    resumed = load_checkpoint(out / "checkpoint.pt")
    straight = tmp_path / "straight"
    assert run("gaussian", "--steps", "80", "--out", str(straight)) == 0
    expected = load_checkpoint(straight / "checkpoint.pt")
    assert resumed["step"] == 80
    assert same(resumed, expected)  # 50 + 30 steps = 80 steps: every tensor bit for bit


def test_options_reach_the_configuration(tmp_path):
    out = tmp_path / "run"
    argv = ["--steps", "5", "--k", "2", "--batch-size", "8", "--lr", "0.003", "--seed", "4"]
    argv += ["--generator-loss", "nonsaturating", "--optimizer", "adam", "--out", str(out)]
    argv += ["--lr-decay-steps", "4", "2", "--lr-decay", "0.5"]
    assert run("mixture", *argv) == 0
    config = json.loads((out / "metrics.json").read_text())["config"]
    assert config["lr_decay_steps"] == [2, 4] and config["lr_decay"] == 0.5
    assert config["k"] == 2 and config["batch_size"] == 8 and config["seed"] == 4
    assert config["discriminator_lr"] == config["generator_lr"] == 0.003
    assert config["generator_loss"] == "nonsaturating" and config["optimizer"] == "adam"


def test_a_2d_target_writes_a_scatter_and_mode_coverage(tmp_path):
    out = tmp_path / "ring"
    assert run("ring", "--steps", "3", "--out", str(out)) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert "js_divergence_estimate" not in metrics and metrics["config"]["latent_dim"] == 2
    coverage = metrics["mode_coverage"]
    assert coverage["n_modes"] == 8 and 0 <= coverage["modes_captured"] <= 8
    assert 0.0 <= coverage["high_quality_fraction"] <= 1.0
    assert (out / "samples.png").stat().st_size > 0


def test_resume_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        run("gaussian", "--out", str(tmp_path / "empty"), "--resume")
    assert info.value.code == 2
    assert "argument --resume: load_checkpoint: path must be an existing" in capsys.readouterr().err
    out = tmp_path / "run"
    assert run("gaussian", "--steps", "5", "--out", str(out)) == 0
    assert run("gaussian", "--steps", "9", "--out", str(out), "--resume", "--k", "3") == 1
    assert "config.k must match the checkpoint's" in capsys.readouterr().err
    (tmp_path / "bad.pt").write_text("not a checkpoint")
    assert run("gaussian", "--out", str(out), "--resume", str(tmp_path / "bad.pt")) == 1
    assert "is not a readable checkpoint" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("history/snapshots", None, "history of the checkpoint"),
        ("rng/data_and_noise", torch.zeros(3, dtype=torch.uint8), "uint8 RNG state of 5056"),
        ("step", -5, "step of the checkpoint"),
        ("config", {"k": "x"}, "config of the checkpoint"),
        ("config", "x", "config of the checkpoint"),
        ("networks/generator", {"0.weight": "w"}, "networks['generator']['0.weight'] of the"),
        ("flip", None, "must match the SHA-256 digest"),
        ("version", None, "has layout version 1"),
    ],
)
def test_a_damaged_checkpoint_is_one_line_and_exit_code_1(
    tmp_path, capsys, damaged_copy, key, value, message
):
    out = tmp_path / "run"
    assert run("gaussian", "--steps", "5", "--out", str(out)) == 0
    capsys.readouterr()
    path = out / "checkpoint.pt"
    state = load_checkpoint(path)
    if key == "flip":  # one bit of the generator's last bias, in the file's bytes
        data = bytearray(path.read_bytes())
        bias = state["networks"]["generator"][list(state["networks"]["generator"])[-1]]
        data[data.find(bias.numpy().tobytes())] ^= 0x01
        path.write_bytes(bytes(data))
    elif key == "version":
        torch.save({**state, "version": 1}, path)
    else:
        save_checkpoint(damaged_copy(state, *key.split("/"), value), path)
    assert run("gaussian", "--steps", "9", "--out", str(out), "--resume") == 1
    err = capsys.readouterr().err
    assert err.startswith("python -m ganlib train: error: ") and err.count("\n") == 1
    assert message in err and str(path) in err


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (lambda tmp: tmp / "a_file", "argument --out: must be a folder; got"),
        (lambda tmp: tmp / "a_file" / "run", "got '{}': Not a directory"),
        (lambda tmp: Path("/proc/ganlib-run"), "must be a folder where files can be written"),
        (lambda tmp: tmp / "taken", "checkpoint.pt' must be a file the run can write; got a"),
    ],
)
def test_an_out_folder_that_cannot_be_written_fails_before_the_first_step(
    tmp_path, capsys, monkeypatch, where, message
):
    (tmp_path / "a_file").write_text("notes")
    (tmp_path / "taken" / "checkpoint.pt").mkdir(parents=True)
    out = where(tmp_path)
    monkeypatch.setattr(recipes.Recipe, "train", lambda *a, **k: pytest.fail("it trained"))
    assert run("gaussian", "--steps", "5", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message.format(out) in err, err


def test_ctrl_c_saves_the_run_and_resume_continues_it_bit_for_bit(tmp_path):
    out, straight = tmp_path / "run", tmp_path / "straight"
    argv = [sys.executable, "-m", "ganlib", "train", "gaussian", "--device", "cpu"]
    argv += ["--checkpoint-every", "100000", "--no-progress", "--threads", "1"]
    process = subprocess.Popen(
        [*argv, "--steps", "200000", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # SIGINT's default action, as in a terminal, even where the tests run in a background
        # job (which starts every process with SIGINT ignored, and so without Ctrl-C).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 30
        while not out.is_dir() and time.monotonic() < deadline:  # --out is made, then it trains
            time.sleep(0.05)
        time.sleep(2.5)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert err.count("\n") == 1 and err.startswith("python -m ganlib train: interrupted at step")
    assert "Continue with --resume." in err
    step = load_checkpoint(out / "checkpoint.pt")["step"]
    assert 1 <= step < 200000 and f"at step {step} (of 200000)" in err
    steps, threads = str(step + 50), torch.get_num_threads()
    try:  # in this process, at one thread as the interrupted run
        assert main([*argv[3:], "--resume", "--steps", steps, "--out", str(out)]) == 0
        assert main([*argv[3:], "--steps", steps, "--out", str(straight)]) == 0
    finally:
        torch.set_num_threads(threads)
    resumed, expected = (load_checkpoint(o / "checkpoint.pt") for o in (out, straight))
    assert resumed["step"] == step + 50
    assert same(resumed, expected)  # every tensor, bit for bit


def test_threads_and_auto_device(tmp_path, monkeypatch):
    threads = torch.get_num_threads()
    monkeypatch.setenv("GANLIB_DEVICE", "cpu")
    try:
        argv = ["train", "gaussian", "--steps", "3", "--threads", "1", "--device", "auto"]
        assert main([*argv, "--out", str(tmp_path), "--no-progress"]) == 0
        assert json.loads((tmp_path / "metrics.json").read_text())["threads"] == 1
    finally:
        torch.set_num_threads(threads)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message where CUDA is absent")
def test_asking_for_cuda_without_a_gpu_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["train", "gaussian", "--device", "cuda", "--out", str(tmp_path)])
    assert "torch sees no CUDA device" in capsys.readouterr().err


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="checks the message without MPS")
def test_asking_for_mps_without_it_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(recipes.Recipe, "train", lambda *a, **k: pytest.fail("it trained"))
    with pytest.raises(SystemExit) as info:
        main(["train", "gaussian", "--device", "mps", "--out", str(tmp_path / "run")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    (message,) = [line for line in err.splitlines() if not line.startswith((" ", "usage:"))]
    assert message == (
        "python -m ganlib: error: argument --device: mps was asked for, but torch sees no MPS "
        "device (Apple's GPU, on macOS with Apple silicon)"
    )
    assert not (tmp_path / "run").exists()  # refused before --out is made


def test_mps_is_a_device_choice_as_ganlib_device_picks_it(monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    parser = ganlib.cli._parser()
    arguments = parser.parse_args(["train", "gaussian", "--device", "mps"])
    assert ganlib.cli._device(parser, arguments.device) == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv("GANLIB_DEVICE", raising=False)
    assert ganlib.device() == torch.device("mps")  # what --device auto picks here too


def test_version_prints_the_library_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"ganlib {ganlib.__version__}\n"
    result = subprocess.run(
        [sys.executable, "-m", "ganlib", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout == f"ganlib {ganlib.__version__}\n"


# -- the console script `ganlib` ----------------------------------------------------------------


def console_script() -> str:
    """The path of the installed ``ganlib`` executable, next to this interpreter."""
    try:
        importlib.metadata.distribution("ganlib")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("ganlib is not installed (pip install -e .), so it has no console script")
    scripts = sysconfig.get_path("scripts")
    path = shutil.which("ganlib", path=scripts)
    assert path, f"no ganlib in {scripts}: reinstall the project (pip install -e .)"
    return path


def test_pyproject_declares_the_console_script_and_it_is_installed():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["scripts"] == {"ganlib": "ganlib.cli:main"}
    try:
        distribution = importlib.metadata.distribution("ganlib")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("ganlib is not installed (pip install -e .)")
    (entry,) = [e for e in distribution.entry_points if e.group == "console_scripts"]
    assert (entry.name, entry.value) == ("ganlib", "ganlib.cli:main"), (
        "the installed metadata is stale: reinstall the project (pip install -e .)"
    )
    assert entry.load() is main


def test_the_console_script_runs_train_and_passes_the_exit_code_on(tmp_path):
    script, out = console_script(), tmp_path / "run"

    def ganlib_(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([script, *argv], capture_output=True, text=True, check=False)

    version = ganlib_("--version")
    assert version.returncode == 0 and version.stdout == f"ganlib {ganlib.__version__}\n"
    argv = ["train", "gaussian", "--steps", "3", "--device", "cpu", "--threads", "1"]
    trained = ganlib_(*argv, "--out", str(out), "--no-progress")
    assert trained.returncode == 0, trained.stderr
    assert {p.name for p in out.iterdir()} >= set(ganlib.cli.OUTPUTS)
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 3
    # main's return value is the exit code: 1 for a damaged checkpoint, 2 for wrong options.
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "checkpoint.pt").write_bytes(b"not a checkpoint")
    damaged = ganlib_(*argv, "--out", str(tmp_path / "damaged"), "--resume")
    assert damaged.returncode == 1, damaged.stderr
    assert damaged.stderr.startswith("ganlib train: error:") and damaged.stderr.count("\n") == 1
    wrong = ganlib_("train", "gaussian", "--steps", "0")
    assert wrong.returncode == 2 and "ganlib train: error: argument --steps" in wrong.stderr


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["--help"], "usage: ganlib [-h] [--version] command"),
        (["train", "--help"], "usage: ganlib train [-h]"),
    ],
)
def test_help_names_the_program_as_it_was_started(argv, usage):
    script = console_script()
    result = subprocess.run([script, *argv], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith(usage), result.stdout
    assert "python -m ganlib" not in result.stdout  # the examples say `ganlib train` too
    module = subprocess.run(
        [sys.executable, "-m", "ganlib", *argv], capture_output=True, text=True, check=False
    )
    assert module.returncode == 0
    assert module.stdout.startswith(usage.replace("usage: ganlib", "usage: python -m ganlib"))


def test_plot_helpers_return_figures_and_leave_rcparams_alone():
    before = dict(matplotlib.rcParams)
    history = History(*(torch.rand(30) for _ in range(4)))
    curves = plot.training_curves(history)
    assert isinstance(curves, Figure) and len(curves.axes) == 2
    ring = ring_of_gaussians()
    scatter = plot.samples_2d(ring.sample((100,)), centres=ring.centres)
    assert isinstance(scatter, Figure)
    target = Gaussian1d(0.0, 1.0)
    discriminator = torch.nn.Linear(1, 1)
    figure = plot.samples_1d(target, target.sample((200,)), discriminator=discriminator)
    assert len(figure.axes[0].lines) == 2  # p_data and D
    assert dict(matplotlib.rcParams) == before
    with pytest.raises(ValueError, match=r"samples must have shape \(\.\.\., 2\)"):
        plot.samples_2d(torch.zeros(5, 3))
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot.samples_2d(torch.zeros(5, 2), ax="left")


def test_digits_target_writes_a_grid_and_the_parzen_score(tmp_path):
    out = tmp_path / "digits"
    assert run("digits", "--steps", "20", "--threads", "1", "--out", str(out)) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    parzen = metrics["parzen_log_likelihood"]
    assert parzen["test_images"] == 359 and parzen["samples"] == 10_000
    assert parzen["standard_error"] > 0
    # The change to pixels in [0, 1] adds 64 log 2 nats, exactly.
    assert parzen["mean_pixels_in_0_1"] - parzen["mean"] == pytest.approx(64 * math.log(2))
    assert metrics["config"]["latent_dim"] == 100
    assert (out / "samples.png").stat().st_size > 0


def _write_idx(path, magic, array):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.astype("uint8").tobytes())


def test_digits_on_mnist_files(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for prefix, n in (("train", 120), ("t10k", 30)):
        images = rng.integers(0, 256, size=(n, 28, 28))
        labels = np.arange(n) % 10
        _write_idx(folder / f"{prefix}-images-idx3-ubyte", 0x803, images)
        _write_idx(folder / f"{prefix}-labels-idx1-ubyte", 0x801, labels)
    out = tmp_path / "run"
    assert run("digits", "--mnist", str(folder), "--steps", "3", "--out", str(out)) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["parzen_log_likelihood"]["test_images"] == 30
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ring", "--mnist", "somewhere"], "only the digits target trains on MNIST"),
        (["digits", "--mnist", "no/such/folder"], "argument --mnist:"),
    ],
)
def test_mnist_option_errors(argv, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as info:
        main(["train", *argv, "--out", str(tmp_path / "x")])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_tile_images_places_each_image_with_a_blank_gap():
    images = torch.arange(2 * 6, dtype=torch.float64).reshape(2, 6)  # two 2x3 images
    canvas = plot.tile_images(images, (2, 3), columns=2)
    assert canvas.shape == (2, 7)
    assert (canvas[:, :3] == images[0].reshape(2, 3).numpy()).all()
    assert (canvas[:, 4:] == images[1].reshape(2, 3).numpy()).all()
    assert np.isnan(canvas[:, 3]).all()
    with pytest.raises(ValueError, match="columns must be >= 1"):
        plot.tile_images(images, (2, 3), columns=0)


def test_only_the_entry_point_and_the_tests_import_the_command_line():
    root = Path(__file__).resolve().parent.parent
    sources = [*(root / "ganlib").glob("*.py"), *(root / "benchmarks").glob("*.py")]
    importers = {
        path.name
        for path in sources
        if re.search(r"^\s*(from ganlib\.cli |import ganlib\.cli|from ganlib import .*\bcli\b)",
                     path.read_text(encoding="utf-8"), re.MULTILINE)
    }  # fmt: skip
    assert importers == {"__main__.py"}


def _fake_fashion_mnist(folder: Path, n_train: int = 120, n_test: int = 30) -> None:
    """Four small IDX files of random 28x28 images in Fashion-MNIST's (MNIST's) format."""
    rng = np.random.default_rng(1)
    folder.mkdir(parents=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        _write_idx(folder / f"{prefix}-images-idx3-ubyte", 0x803, rng.integers(0, 256, (n, 28, 28)))
        _write_idx(folder / f"{prefix}-labels-idx1-ubyte", 0x801, np.arange(n) % 10)


def test_fashion_mnist_target_writes_a_grid_and_the_parzen_score(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLIB_DATA", str(tmp_path / "data"))  # the cache folder
    _fake_fashion_mnist(tmp_path / "data" / "fashion-mnist")
    out = tmp_path / "run"
    assert run("fashion-mnist", "--steps", "4", "--threads", "1", "--out", str(out)) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    parzen = metrics["parzen_log_likelihood"]
    assert parzen["test_images"] == 30 and parzen["samples"] == 10_000
    assert parzen["validation_images"] == 20  # all of them: fewer than 2,000
    assert parzen["mean_pixels_in_0_1"] - parzen["mean"] == pytest.approx(784 * math.log(2))
    assert metrics["target"] == "fashion-mnist" and metrics["steps"] == 4
    assert (out / "samples.png").stat().st_size > 0
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 4


def test_fashion_mnist_without_its_files_is_one_line_saying_how_to_get_them(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("GANLIB_DATA", str(tmp_path / "empty"))
    monkeypatch.setattr(ganlib.data, "DEBIAN_FASHION_MNIST", tmp_path / "debian")
    assert run("fashion-mnist", "--steps", "2", "--out", str(tmp_path / "run")) == 1
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1
    assert "apt-get install dataset-fashion-mnist" in error and "download=True" in error
    with pytest.raises(SystemExit):  # --mnist belongs to the digits target alone
        run("fashion-mnist", "--mnist", str(tmp_path))
