"""Run the book's chapters as tests.

The chapters are MyST Markdown notebooks (jupytext). nbval only collects ``.ipynb`` files,
so this hook reads each MyST notebook with jupytext and hands its code cells to nbval's
cell runner: every chapter executes top to bottom in a fresh kernel of the environment
pytest runs in, and a cell that raises (a failed claim among them) fails the test.

The sources carry no stored outputs, so outputs are not compared (nbval's ``--nbval-lax``
behaviour); what is checked is what the chapter's own claims check.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import jupytext
import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, find_comment_markers, find_metadata_tags

MYST_HEADER = "format_name: myst"


def is_myst_notebook(path: Path) -> bool:
    """A Markdown file whose front matter declares a jupytext MyST notebook."""
    if path.suffix != ".md":
        return False
    with path.open(encoding="utf-8") as handle:
        head = handle.read(2000)
    return head.startswith("---") and MYST_HEADER in head and "kernelspec:" in head


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # Workers of `pytest -n N` share the cores: one torch thread each, since the small
        # networks of the tests run slower, not faster, on threads that contend for a core.
        # (The chapters set their own thread count, in their kernels.)
        import torch

        torch.set_num_threads(1)
    # Chapters run in the interpreter and packages of this test run, whatever kernel
    # happens to be registered as "python3" on the machine.
    config.option.nbval_current_env = True


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if is_myst_notebook(file_path):
        return MystNotebook.from_parent(parent, path=file_path)
    return None


class MystNotebook(IPyNbFile):
    """nbval's notebook collector, reading the notebook from its MyST Markdown source."""

    def collect(self):
        self.nb = jupytext.read(self.path)
        code_cells = (cell for cell in self.nb.cells if cell.cell_type == "code")
        for number, cell in enumerate(code_cells):
            options = defaultdict(bool, find_metadata_tags(cell.metadata))
            options.update(find_comment_markers(cell.source))
            options["check"] = False  # no stored outputs to compare with
            yield IPyNbCell.from_parent(
                self, name=f"Cell {number}", cell_num=number, cell=cell, options=options
            )
