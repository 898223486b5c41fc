"""Offer each chapter as an executed Jupyter notebook in the page's download menu.

The chapters are MyST Markdown notebooks. myst-nb keeps the notebook it executed, outputs
included, under ``_build/jupyter_execute``; this extension copies it next to the page's
source in ``_sources`` and tells the theme, whose download menu then lists an ``.ipynb``
beside the ``.md`` source. (The theme does this by itself only when a launch service such as
Binder is configured.)
"""

from __future__ import annotations

from pathlib import Path
from shutil import copy2

from sphinx.application import Sphinx


def offer_notebook(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    if doctree is None or not context.get("sourcename", "").endswith((".md", ".md.txt")):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():  # a plain Markdown page, not a notebook
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx):
    # Before the theme's header buttons (priority 501) read ``ipynb_source``.
    app.connect("html-page-context", offer_notebook, priority=500)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
