"""The GitHub Actions workflows parse, and run what .ci/run runs.

They cannot run here, so this checks what can be checked offline: both files are valid YAML
with the expected triggers, tests.yml builds the book with warnings as errors before it runs
``pytest`` with the browser check required, book.yml deploys ``_build/html`` to GitHub Pages,
and every install, lint, build and test command of ``.ci/run`` appears unchanged in tests.yml
(and the install and build ones in book.yml). When a job fails, both workflows keep the
execution reports of the chapters (the tracebacks that _config.yml has the build save).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
CI_RUN = ROOT / ".ci" / "run"
BUILD = "jupyter-book build . -W -n --keep-going --all"
CPU_TORCH = "--index-url https://download.pytorch.org/whl/cpu"
# Where Jupyter Book 1 (myst-nb) saves the traceback of a chapter that failed to execute
# (<chapter>.err.log), and the executed notebooks.
REPORTS = "_build/html/reports"
EXECUTED = "_build/jupyter_execute"

# The commands of .ci/run that the workflows must run too. torch is the one deliberate
# difference: .ci/run takes the CPU wheel this machine has on disk, the workflows take it
# from PyTorch's CPU index (as the README says).
CI_COMMAND = re.compile(r"\b(pip install -e|ruff |jupyter-book |pytest\b|test -f|apt-get )")


def load(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(workflow, dict), f"{name} is not a YAML mapping"
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def normalise(command: str) -> str:
    """A command as both files spell it: no quiet flags, no privilege prefix, one space."""
    command = re.sub(r"\s--quiet\b|\s-q\b", "", command)
    command = re.sub(r"^(\$as_root|sudo)\s+", "", command.strip())
    return re.sub(r"\s+", " ", command)


def run_lines(workflow: dict, job: str) -> list[str]:
    lines = []
    for step in workflow["jobs"][job]["steps"]:
        for line in step.get("run", "").splitlines():
            if line.strip() and not line.strip().startswith("#"):
                lines.append(normalise(line))
    return lines


def uses(workflow: dict, job: str) -> list[dict]:
    return [step for step in workflow["jobs"][job]["steps"] if "uses" in step]


def ci_run_commands() -> list[str]:
    lines = CI_RUN.read_text(encoding="utf-8").splitlines()
    commands = [normalise(line) for line in lines if not line.strip().startswith(("#", "echo"))]
    return [command for command in commands if CI_COMMAND.search(command)]


def position(lines: list[str], needle: str) -> int:
    matches = [index for index, line in enumerate(lines) if needle in line]
    assert matches, f"no step runs {needle!r}"
    return matches[0]


@pytest.mark.parametrize("name", ["book.yml", "drift.yml", "tests.yml"])
def test_workflow_parses(name):
    workflow = load(name)
    assert workflow["on"], f"{name} has no trigger"
    for job_name, job in workflow["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest", f"{name}: job {job_name}"
        assert job["steps"], f"{name}: job {job_name} has no steps"


def test_ci_run_has_the_commands_the_workflows_mirror():
    commands = ci_run_commands()
    for needle in ('pip install -e ".[dev]"', "ruff check .", BUILD, "pytest", "apt-get install"):
        assert any(needle in command for command in commands), f".ci/run runs no {needle!r}"


def test_tests_workflow_runs_what_ci_runs():
    workflow = load("tests.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    lines = run_lines(workflow, "ci")
    missing = [command for command in ci_run_commands() if command not in lines]
    assert not missing, f"tests.yml does not run these commands of .ci/run: {missing}"
    assert any("python-version" in step.get("with", {}) for step in uses(workflow, "ci"))


def test_tests_workflow_builds_with_warnings_as_errors_before_pytest():
    lines = run_lines(load("tests.yml"), "ci")
    build, tests = position(lines, BUILD), position(lines, "pytest")
    assert build < tests, "the book must be built before pytest, for the browser check"
    assert lines[tests] == "GANLIB_REQUIRE_BROWSER=1 pytest"
    assert position(lines, CPU_TORCH) < position(lines, 'pip install -e ".[dev]"')


def test_ci_run_builds_before_the_tests_and_requires_the_browser_check():
    commands = ci_run_commands()
    build, tests = position(commands, BUILD), position(commands, "pytest")
    assert build < tests
    assert commands[tests] == "GANLIB_REQUIRE_BROWSER=1 pytest"


def test_book_workflow_builds_and_deploys_the_html_to_pages():
    workflow = load("book.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"]["pages"] == "write"
    assert workflow["permissions"]["id-token"] == "write"
    assert workflow["concurrency"]["group"]

    lines = run_lines(workflow, "build")
    assert (
        position(lines, CPU_TORCH)
        < position(lines, 'pip install -e ".[dev]"')
        < position(lines, BUILD)
    )
    assert 'python -m pip install -e ".[dev]"' in lines
    setup = [step for step in uses(workflow, "build") if "setup-python" in step["uses"]]
    assert setup and str(setup[0]["with"]["python-version"]) == "3.11"

    upload = [step for step in uses(workflow, "build") if "upload-pages-artifact" in step["uses"]]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert any("actions/deploy-pages" in step["uses"] for step in uses(workflow, "deploy"))


def failure_uploads(workflow: dict, job: str) -> list[tuple[int, dict]]:
    """``(index, step)`` of the job's steps that upload an artifact when the job fails."""
    return [
        (index, step)
        for index, step in enumerate(workflow["jobs"][job]["steps"])
        if step.get("uses", "").startswith("actions/upload-artifact@")
        and str(step.get("if", "")).replace("${{", "").replace("}}", "").strip() == "failure()"
    ]


@pytest.mark.parametrize(("name", "job"), [("tests.yml", "ci"), ("book.yml", "build")])
def test_a_failed_job_keeps_the_execution_reports(name, job):
    workflow = load(name)
    steps = workflow["jobs"][job]["steps"]
    uploads = [
        (index, step)
        for index, step in failure_uploads(workflow, job)
        if REPORTS in step["with"]["path"].split()
    ]
    assert uploads, f"{name}: no `if: failure()` step uploads {REPORTS}"
    (index, step), *_ = uploads
    assert EXECUTED in step["with"]["path"].split()
    assert step["with"]["name"]
    builds = [i for i, s in enumerate(steps) if BUILD in " ".join(s.get("run", "").split())]
    assert builds and builds[0] < index, f"{name}: the reports are uploaded before the build"


def test_the_book_build_saves_the_tracebacks_it_fails_on():
    execute = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["execute"]
    assert execute["show_tb"] is True
    assert execute["allow_errors"] is False
    # With raise_on_error the build stops at the first failing chapter, before myst-nb writes
    # its report; without it the failure is a warning, which -W turns into a failed build
    # and --keep-going reports after every chapter has run.
    assert execute["raise_on_error"] is False
    assert " -W " in f" {BUILD} " and "--keep-going" in BUILD
    assert execute["execute_notebooks"] == "force"


NOTEBOOKS_ARTIFACT = "executed-notebooks"
PUBLISH = "python tools/publish_notebooks.py"


def test_book_workflow_publishes_the_executed_chapters_to_the_notebooks_branch():
    """The Colab and Binder buttons open ``book/<chapter>.ipynb`` on the ``notebooks`` branch.

    The build job keeps the executed chapters as an artifact after the build; the notebooks
    job, the only one allowed to write to the repository, heads each with the setup cell
    (tools/publish_notebooks.py, at the commit built) beside binder/, and force-pushes them
    as the ``notebooks`` branch. Pages keeps its own permissions.
    """
    workflow = load("book.yml")
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}

    steps = workflow["jobs"]["build"]["steps"]
    builds = [i for i, s in enumerate(steps) if BUILD in " ".join(s.get("run", "").split())]
    kept = [
        (index, step)
        for index, step in enumerate(steps)
        if step.get("uses", "").startswith("actions/upload-artifact@")
        and step["with"]["name"] == NOTEBOOKS_ARTIFACT
    ]
    assert kept, f"the build job keeps no {NOTEBOOKS_ARTIFACT!r} artifact"
    (index, step), *_ = kept
    assert builds and builds[0] < index and "if" not in step
    assert step["with"]["path"] == f"{EXECUTED}/book/*.ipynb"

    job = workflow["jobs"]["notebooks"]
    assert job["needs"] == "build"
    assert job["permissions"] == {"contents": "write"}
    download = [s for s in uses(workflow, "notebooks") if "download-artifact" in s["uses"]]
    assert download and download[0]["with"] == {
        "name": NOTEBOOKS_ARTIFACT,
        "path": f"{EXECUTED}/book",
    }
    setup = [s for s in uses(workflow, "notebooks") if "setup-python" in s["uses"]]
    assert setup and str(setup[0]["with"]["python-version"]) == "3.11"

    lines = run_lines(workflow, "notebooks")
    publish = lines[position(lines, PUBLISH)]
    assert '--commit "${{ github.sha }}"' in publish
    assert f"--out notebooks {EXECUTED}/book/*.ipynb" in publish
    assert position(lines, "checkout --orphan notebooks") < position(lines, PUBLISH)
    assert position(lines, PUBLISH) < position(lines, "git push --force origin notebooks")
    assert "git add book binder" in lines


def test_the_drift_workflow_tests_the_floors_and_the_newest_versions():
    drift = yaml.safe_load((WORKFLOWS / "drift.yml").read_text(encoding="utf-8"))
    triggers = drift.get("on", drift.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "push" in triggers and "schedule" in triggers
    floors = [step.get("run", "") for step in drift["jobs"]["floors"]["steps"]]
    assert any("python tools/floors.py > floors.txt" in run for run in floors)
    assert any('-c floors.txt -e ".[dev]"' in run for run in floors)
    assert any(run.strip() == "pytest" for run in floors)
    newest = drift["jobs"]["newest"]
    assert newest["if"] == "github.event_name != 'push'"  # weekly, or by hand
    runs = [step.get("run", "") for step in newest["steps"]]
    assert any("--upgrade --upgrade-strategy eager" in run for run in runs)
    assert any("GANLIB_REQUIRE_BROWSER=1 pytest" in run for run in runs)


def test_the_floors_are_every_lower_bound_of_pyproject(tmp_path):
    import subprocess
    import sys
    import tomllib

    listed = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "floors.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    pins = dict(line.split("==") for line in listed)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pins["torch"] == "2.13" and pins["ruff"] == "0.17.6"
    for requirement in pyproject["project"]["dependencies"]:
        name, bound = requirement.split(">=")
        assert pins[name.strip().lower()] == bound.strip()
