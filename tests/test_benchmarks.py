"""The benchmarks' bookkeeping, on runs small enough for the test suite.

The benchmarks' figures are recorded in benchmarks/RESULTS.md, not asserted here: these tests
check that a time-to-quality run stops at the first evaluation that meets the bar, that one
that never meets it is reported as such, that the summary says whether the target was met,
that the speed benchmark's reference loop computes what ``ganlib.train`` computes, and that
the MNIST Table 1 script runs end to end on a tiny set of IDX files written here.
"""

import dataclasses
import gzip
import importlib
import json
from pathlib import Path

import numpy as np
import pytest

from ganlib import recipes

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def benchmarks(monkeypatch):
    # benchmarks/ is a folder of scripts: time_to_quality imports its sibling train_speed.
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("time_to_quality"), importlib.import_module("train_speed")


@pytest.fixture
def ttq(benchmarks):
    return benchmarks[0]


def tiny(ttq, name):
    """The benchmark's recipe for the target, cut down to a few small steps."""
    recipe = recipes.get(ttq.RECIPES[name])
    defaults = {**recipe.defaults, "steps": 30, "batch_size": 32, "lr_decay_steps": ()}
    return dataclasses.replace(recipe, hidden=(16,), defaults=defaults)


def test_the_benchmark_recipes_are_the_library_recipes(ttq):
    assert ttq.RECIPES == {"ring": "ring-fast", "grid": "grid-fast"}
    assert recipes.get("grid-fast").scale == 4.0 and recipes.get("ring-fast").scale == 1.0


def test_a_run_stops_at_the_first_evaluation_that_meets_the_bar(ttq):
    bar = ttq.Bar(0, 0.0, 30.0)  # any generator meets a bar of 0 modes at step 0
    run = ttq.run(tiny(ttq, "ring"), bar, seed=0, evaluate_every=10)
    assert run["reached"] and run["steps"] == 0
    assert [row["step"] for row in run["timeline"]] == [0]
    assert run["seconds"] >= run["timeline"][0]["seconds"] > 0


def test_a_run_that_never_meets_the_bar_trains_every_step(ttq):
    bar = ttq.BARS["grid"]
    run = ttq.run(tiny(ttq, "grid"), bar, seed=0, evaluate_every=10)  # nowhere near 24 modes
    assert not run["reached"] and run["steps"] == 30
    assert [row["step"] for row in run["timeline"]] == [0, 10, 20, 30]
    assert 0 <= run["modes_captured"] < 24 and 0 <= run["high_quality_fraction"] <= 1
    summary = ttq.summarise(bar, [run, {**run, "reached": True, "seconds": 1.0}])
    assert summary["all_seeds_reached"] is False and summary["target_met"] is False


def test_the_summary_holds_the_target_to_the_worst_seed(ttq):
    runs = [
        {"reached": True, "seconds": s, "steps": n}
        for s, n in ((10.0, 1000), (25.0, 2000), (12.0, 1500))
    ]
    bar = ttq.BARS["ring"]
    summary = ttq.summarise(bar, runs)
    assert (summary["median_seconds"], summary["worst_seconds"]) == (12.0, 25.0)
    assert (summary["median_steps"], summary["worst_steps"]) == (1500, 2000)
    assert summary["target_met"] is True
    slow = ttq.summarise(bar, [*runs, {"reached": True, "seconds": 31.0, "steps": 3000}])
    assert slow["all_seeds_reached"] is True and slow["target_met"] is False


def test_the_summary_gives_the_share_that_reaches_the_bar_and_the_spread_of_times(ttq):
    runs = [{"reached": True, "seconds": float(s), "steps": 100 * s} for s in (4, 1, 3, 2, 5)]
    runs.append({"reached": False, "seconds": 99.0, "steps": 9900})  # left out of the times
    summary = ttq.summarise(ttq.BARS["ring"], runs)
    assert (summary["seeds"], summary["seeds_reached"]) == (6, 5)
    assert summary["share_reached"] == pytest.approx(5 / 6)
    assert summary["share_reached_se"] == pytest.approx((5 / 6 * 1 / 6 / 6) ** 0.5)
    assert summary["quartiles_seconds"] == [2.0, 4.0] and summary["median_steps"] == 300
    assert (summary["fastest_seconds"], summary["worst_seconds"]) == (1.0, 5.0)
    assert summary["mean_seconds_se"] == pytest.approx(np.std([1, 2, 3, 4, 5], ddof=1) / 5**0.5)


def test_the_reference_loop_ends_where_ganlib_train_ends(benchmarks):
    train_speed = benchmarks[1]
    # The same draws in the same order: equal up to float32 rounding of the updates.
    assert train_speed.equivalence(steps=5) < 1e-5


def test_the_mnist_table1_script_trains_and_scores_a_tiny_idx_folder(monkeypatch, tmp_path, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    table1 = importlib.import_module("mnist_table1")
    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for prefix, n in (("train", 60), ("t10k", 20)):
        arrays = {
            "images-idx3": rng.integers(0, 256, (n, 28, 28)),
            "labels-idx1": np.arange(n) % 10,
        }
        for kind, array in arrays.items():
            magic = bytes([0, 0, 8, array.ndim])
            header = magic + b"".join(size.to_bytes(4, "big") for size in array.shape)
            raw = header + array.astype(np.uint8).tobytes()
            (folder / f"{prefix}-{kind}-ubyte.gz").write_bytes(gzip.compress(raw))
    out = tmp_path / "results" / "table1.json"
    argv = [str(folder), "--steps", "3", "--samples", "50", "--threads", "1", "--device", "cpu"]
    result = table1.main([*argv, "--out", str(out)])
    parzen = result["parzen_log_likelihood"]
    assert (parzen["samples"], parzen["validation_images"], parzen["test_images"]) == (50, 10, 20)
    assert parzen["sigma"] in table1.SIGMAS and parzen["standard_error"] > 0
    assert result["paper_table_1"] == {
        "mean": 225.0,
        "standard_error": 2.0,
        "units": "nats, pixels in [0, 1]",
    }
    assert result["training"]["steps"] == 3
    assert json.loads(out.read_text())["parzen_log_likelihood"]["mean"] == parzen["mean"]
    assert "the paper's Table 1: 225 ± 2" in capsys.readouterr().out
    generator, discriminator = table1.paper_networks(0)
    assert sum(p.numel() for p in generator.parameters()) == 101 * 1200 + 1201 * 1200 + 1201 * 784
    assert str(discriminator[1]) == "Maxout(in_features=784, out_features=240, pieces=5)"


def test_the_ensemble_speed_script_runs_on_tiny_settings(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    ensemble_speed = importlib.import_module("ensemble_speed")
    assert ensemble_speed.equivalence("gaussian", steps=5) < 1e-5  # member 0 is train's run
    out = tmp_path / "ensemble_speed.json"
    arguments = ["--rounds", "1", "--work", "8", "--sizes", "1", "2", "--recipes", "gaussian"]
    arguments += ["--one-thread-only", "--out", str(out)]
    monkeypatch.setattr("sys.argv", ["ensemble_speed.py", *arguments])
    monkeypatch.setattr(ensemble_speed, "equivalence", lambda name: 0.0)  # checked above
    ensemble_speed.main()
    results = json.loads(out.read_text())
    (entry,) = results["speed"]
    assert (entry["recipe"], entry["threads"], entry["steps"]["E=2"]) == ("gaussian", 1, 20)
    assert set(entry["ratio_to_single"]) == {"E=1", "E=2"}
    assert all(rate > 0 for rate in entry["median_run_steps_per_second"].values())


def test_the_packing_script_runs_on_tiny_settings_and_keeps_finished_results(
    monkeypatch, tmp_path, capsys
):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    packing = importlib.import_module("packing")
    real_get = recipes.get

    def tiny_recipe(name):
        recipe = real_get(name)
        defaults = {**recipe.defaults, "batch_size": 8, "lr_decay_steps": ()}
        return dataclasses.replace(recipe, hidden=(8,), defaults=defaults)

    monkeypatch.setattr(packing.recipes, "get", tiny_recipe)
    out = tmp_path / "packing.json"
    for targets in (["ring"], ["grid"]):
        arguments = ["--targets", *targets, "--packs", "1", "2", "--seeds", "3", "--steps", "6"]
        arguments += ["--evaluate-every", "4", "--threads", "1", "--out", str(out)]
        arguments += ["--first-seed", "5", "--recipe", "grid=grid-fast"]
        monkeypatch.setattr("sys.argv", ["packing.py", *arguments])
        packing.main()
    results = json.loads(out.read_text())
    assert sorted(results["targets"]) == ["grid", "ring"]  # the ring's run was kept
    ring = results["targets"]["ring"]
    assert sorted(ring) == ["1", "2"] and ring["2"]["config"]["pack"] == 2
    assert [entry["step"] for entry in ring["2"]["timeline"]] == [4, 6]
    assert [run["seed"] for run in ring["1"]["runs"]] == [5, 6, 7]
    assert ring["1"]["recipe"] == "ring-precise"
    assert results["targets"]["grid"]["2"]["recipe"] == "grid-fast"
    modes, se = ring["1"]["summary"]["modes_captured"]
    assert 0 <= modes <= 8 and se >= 0
    assert "ring pack 2: modes" in capsys.readouterr().out
    monkeypatch.setattr("sys.argv", ["packing.py", "--recipe", "ring=rings"])
    with pytest.raises(SystemExit):  # argparse's error: not a recipe
        packing.main()
    assert "TARGET=NAME" in capsys.readouterr().err
