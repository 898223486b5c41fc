"""The book's harness: every chapter in _toc.yml is a MyST notebook that pytest runs, and a
failing claim in a notebook fails pytest with the chapter and the claim named."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _book_collector():
    """The repository's top-level conftest.py (the chapters' collector), loaded by path:
    the name ``conftest`` also belongs to tests/conftest.py."""
    spec = importlib.util.spec_from_file_location("book_collector", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


is_myst_notebook = _book_collector().is_myst_notebook
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def toc_files() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]
    entries += [chapter["file"] for chapter in toc.get("chapters", [])]
    for part in toc.get("parts", []):
        entries += [chapter["file"] for chapter in part.get("chapters", [])]
    return [ROOT / (entry if entry.endswith(".md") else entry + ".md") for entry in entries]


def chapters() -> list[Path]:
    return [path for path in toc_files() if path.exists() and is_myst_notebook(path)]


def run_pytest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_toc_entry_exists():
    missing = [str(path.relative_to(ROOT)) for path in toc_files() if not path.exists()]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_the_book_has_chapters():
    assert len(chapters()) >= 3


@pytest.mark.parametrize("path", chapters(), ids=lambda p: p.name)
def test_chapter_imports_ganlib_and_checks_claims(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "import ganlib" in text, f"{path.name} does not import ganlib"
    assert "ganlib.Claims(" in text, f"{path.name} makes no Claims book"
    assert "claims.table()" in text, f"{path.name} does not end with its table of claims"


def test_no_notebook_copies_next_to_the_sources():
    copies = sorted(p.name for p in (ROOT / "book").glob("*.ipynb"))
    assert not copies, f"book/ holds .ipynb files next to the MyST sources: {copies}"


def test_every_toc_chapter_is_collected_as_a_notebook():
    result = run_pytest("--collect-only", "-q", "book")
    assert result.returncode == 0, result.stdout + result.stderr
    for path in chapters():
        assert f"book/{path.name}::Cell 0" in result.stdout, result.stdout


def test_failing_claim_fails_pytest_naming_chapter_and_claim():
    result = run_pytest("-q", str(FIXTURES / "failing_claim.md"))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "failing_claim.md" in output
    assert "ClaimError" in output
    assert "Fixture chapter: claim 'entropy of a fair coin is two bits' does not hold" in output
    assert "computed 1 but expected ≈ 2" in output


def test_passing_claim_passes_pytest():
    result = run_pytest("-q", str(FIXTURES / "passing_claim.md"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


CODE_WIDTH = 80  # characters of code a chapter's column shows without a scroll bar


@pytest.mark.parametrize("path", chapters(), ids=lambda p: p.name)
def test_code_cells_fit_the_page(path: Path):
    notebook = jupytext.read(path)
    long_lines = [
        line
        for cell in notebook.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > CODE_WIDTH
    ]
    assert not long_lines, (
        f"{path.name}: {len(long_lines)} code lines are longer than {CODE_WIDTH} characters "
        f"and would scroll sideways on the page; the first: {long_lines[0]!r}"
    )


def training_chapters() -> list[Path]:
    """The chapters of the part "Training GANs" of _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    (part,) = [p for p in toc.get("parts", []) if p.get("caption") == "Training GANs"]
    return [ROOT / f"{chapter['file']}.md" for chapter in part["chapters"]]


EXERCISE = re.compile(r"^`{3,}\{exercise\}[^\n]*\n:label: (\S+)", re.MULTILINE)
SOLUTION = re.compile(r"^`{3,}\{solution(?:-start)?\} (\S+)", re.MULTILINE)
GATED = re.compile(r"^(`{3,})\{solution-start\} (\S+).*?^`{3,}\{solution-end\}", re.M | re.S)


@pytest.mark.parametrize("path", chapters(), ids=lambda p: p.name)
def test_exercises_are_numbered_and_each_has_its_solution(path: Path):
    """Exercises are sphinx-exercise's {exercise}, each with a {solution} of its label; no
    solution hides as a plain admonition, and no solution's code is removed from the page."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\{admonition\} Solution", text), (
        f"{path.name}: a solution is a plain admonition; write it as {{solution}} of its "
        "exercise's label (sphinx-exercise)"
    )
    exercises, solutions = EXERCISE.findall(text), SOLUTION.findall(text)
    assert sorted(exercises) == sorted(solutions), (
        f"{path.name}: exercises {exercises} and solutions {solutions} do not pair up"
    )
    for match in GATED.finditer(text):
        assert "remove-cell" not in match.group(0), (
            f"{path.name}: the solution of {match.group(2)} removes code from the page; use "
            "hide-input so that the reader can open it"
        )


def test_exercise_labels_are_unique_across_the_book():
    labels = [label for path in chapters() for label in EXERCISE.findall(path.read_text())]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    assert not repeated, f"exercise labels used twice: {repeated}"


@pytest.mark.parametrize("path", training_chapters(), ids=lambda p: p.name)
def test_training_chapters_have_an_exercise_with_code_in_its_solution(path: Path):
    text = path.read_text(encoding="utf-8")
    with_code = [m.group(2) for m in GATED.finditer(text) if "{code-cell}" in m.group(0)]
    assert with_code, (
        f"{path.name}: a training chapter needs at least one exercise whose solution is code "
        "(a {solution-start} ... {solution-end} with a code cell)"
    )
