"""The time-to-quality benchmark's bookkeeping, on runs small enough for the test suite.

The benchmark's figures are recorded in benchmarks/RESULTS.md, not asserted here: these tests
check that a run stops at the first evaluation that meets the bar, that one that never meets
it is reported as such, and that the summary says whether the target was met.
"""

import dataclasses
import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def ttq(monkeypatch):
    # benchmarks/ is a folder of scripts: time_to_quality imports its sibling train_speed.
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("time_to_quality")


def tiny(ttq, name, **config):
    """The target's recipe, cut down to a few small steps."""
    recipe = ttq.RECIPES[name]
    return dataclasses.replace(
        recipe,
        hidden=(16,),
        config={**recipe.config, "steps": 30, "batch_size": 32, "lr_decay_steps": (), **config},
        evaluate_every=10,
    )


def test_a_run_stops_at_the_first_evaluation_that_meets_the_bar(ttq, monkeypatch):
    monkeypatch.setitem(ttq.RECIPES, "ring", tiny(ttq, "ring"))
    monkeypatch.setitem(ttq.TARGETS, "ring", (*ttq.TARGETS["ring"][:2], ttq.Bar(0, 0.0, 30.0)))
    run = ttq.run("ring", seed=0)  # any generator meets a bar of 0 modes at step 0
    assert run["reached"] and run["steps"] == 0
    assert [row["step"] for row in run["timeline"]] == [0]
    assert run["seconds"] >= run["timeline"][0]["seconds"] > 0


def test_a_run_that_never_meets_the_bar_trains_every_step(ttq, monkeypatch):
    monkeypatch.setitem(ttq.RECIPES, "grid", tiny(ttq, "grid"))
    run = ttq.run("grid", seed=0)  # 30 steps of a tiny network: nowhere near 24 modes
    assert not run["reached"] and run["steps"] == 30
    assert [row["step"] for row in run["timeline"]] == [0, 10, 20, 30]
    assert 0 <= run["modes_captured"] < 24 and 0 <= run["high_quality_fraction"] <= 1
    summary = ttq.summarise("grid", [run, {**run, "reached": True, "seconds": 1.0}])
    assert summary["all_seeds_reached"] is False and summary["target_met"] is False


def test_the_summary_holds_the_target_to_the_worst_seed(ttq):
    runs = [
        {"reached": True, "seconds": s, "steps": n}
        for s, n in ((10.0, 1000), (25.0, 2000), (12.0, 1500))
    ]
    summary = ttq.summarise("ring", runs)
    assert (summary["median_seconds"], summary["worst_seconds"]) == (12.0, 25.0)
    assert (summary["median_steps"], summary["worst_steps"]) == (1500, 2000)
    assert summary["target_met"] is True
    slow = ttq.summarise("ring", [*runs, {"reached": True, "seconds": 31.0, "steps": 3000}])
    assert slow["all_seeds_reached"] is True and slow["target_met"] is False
