"""The API reference (book/api.md) documents every public name of ``ganlib``.

The page renders docstrings with autodoc directives inside MyST ``{eval-rst}`` blocks. These
tests read those directives, without building the book: a name added to ``ganlib.__all__``
without an entry on the page fails here, as does an entry of the wrong kind (a function
documented as a class would not answer the ``{py:func}`` links of the chapters).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import re
import textwrap
from pathlib import Path

import pytest

import ganlib

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "book" / "api.md"

DIRECTIVE = re.compile(r"^\.\. (?:py:)?(?P<kind>[a-z]+):: (?P<target>\S+)\s*$")
KINDS = {
    "autofunction": "function",
    "autoclass": "class",
    "autoexception": "exception",
    "autodata": "data",
    "automodule": "module",
    "data": "data",
    "module": "module",
}


def rst_blocks(text: str) -> list[str]:
    """The contents of the page's ```` ```{eval-rst} ```` blocks, in order."""
    return re.findall(r"^```\{eval-rst\}\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def documented(text: str) -> dict[str, tuple[str, str]]:
    """Every object the page documents: full name -> (kind, the directive's indented body)."""
    entries: dict[str, tuple[str, str]] = {}
    module = ""
    for block in rst_blocks(text):
        lines = block.splitlines()
        for number, line in enumerate(lines):
            match = DIRECTIVE.match(line)
            if match is None:
                continue
            kind, target = match["kind"], match["target"]
            if kind == "currentmodule":
                module = target
                continue
            if kind not in KINDS:
                continue
            if kind in ("module", "automodule"):
                module = target
                full = target
            else:
                full = target if target.startswith("ganlib.") else f"{module}.{target}"
            body = []
            for following in lines[number + 1 :]:
                if following and not following.startswith("   "):
                    break
                body.append(following)
            entries[full] = (KINDS[kind], textwrap.dedent("\n".join(body)).strip())
    return entries


def kind_of(value: object) -> str:
    if inspect.ismodule(value):
        return "module"
    if inspect.isclass(value):
        return "exception" if issubclass(value, BaseException) else "class"
    if callable(value):
        return "function"
    return "data"


def resolve(full: str) -> object | None:
    """The object a dotted name documents, by attribute from ``ganlib`` (``ganlib.train`` is
    the function), importing a module that ``ganlib`` does not (``ganlib.plot``)."""
    parts = full.split(".")
    value: object = ganlib
    for index, part in enumerate(parts[1:], start=2):
        if hasattr(value, part):
            value = getattr(value, part)
            continue
        try:
            value = importlib.import_module(".".join(parts[:index]))
        except ImportError:
            return None
    return value


def attribute_docstring(module: str, name: str) -> str | None:
    """The string literal that follows ``name = ...`` at the top level of ``ganlib/<module>``."""
    body = ast.parse((ROOT / "ganlib" / f"{module}.py").read_text(encoding="utf-8")).body
    for statement, following in itertools.pairwise(body):
        if isinstance(statement, ast.Assign):
            names = [target.id for target in statement.targets if isinstance(target, ast.Name)]
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names = [statement.target.id]
        else:
            continue
        if name in names and isinstance(following, ast.Expr):
            if isinstance(following.value, ast.Constant) and isinstance(following.value.value, str):
                return inspect.cleandoc(following.value.value)
    return None


ENTRIES = documented(API.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ganlib.__all__)
def test_every_public_name_is_documented_under_its_flat_name(name):
    full = f"ganlib.{name}"
    assert full in ENTRIES, f"book/api.md documents no {full}: add an autodoc entry for it"
    kind, _ = ENTRIES[full]
    assert kind == kind_of(getattr(ganlib, name)), f"{full} is documented as a {kind}"


def test_the_page_documents_nothing_that_does_not_exist():
    for full, (kind, _) in ENTRIES.items():
        value = resolve(full)
        assert value is not None, f"book/api.md documents {full}, which does not exist"
        assert kind == kind_of(value), f"{full} is documented as a {kind}"


@pytest.mark.parametrize(
    "name", [name for name in ganlib.__all__ if kind_of(getattr(ganlib, name)) == "data"]
)
def test_a_constant_written_out_on_the_page_has_its_docstring_from_the_source(name):
    # autodoc finds a constant's docstring only in the module that assigns it, so the flat
    # ganlib.NAME entries are written out as py:data directives: they must not drift.
    _, body = ENTRIES[f"ganlib.{name}"]
    options, _, text = body.partition("\n\n")  # the directive's options, then its content
    if not options.startswith(":"):
        text = body
    sources = [path.stem for path in (ROOT / "ganlib").glob("*.py")]
    docstrings = {attribute_docstring(module, name) for module in sources} - {None}
    if name == "__version__":
        assert text, "ganlib.__version__ has no description on the page"
        return
    assert docstrings, f"ganlib.{name} has no docstring in the source"
    assert text.strip() in docstrings, f"the page's text for ganlib.{name} is not its docstring"


def test_the_page_is_in_the_table_of_contents():
    assert "file: book/api\n" in (ROOT / "_toc.yml").read_text(encoding="utf-8")


ROLES = {"func": "function", "class": "class", "exc": "exception", "data": "data", "mod": "module"}
LINK = re.compile(r"\{py:(?P<role>[a-z]+)\}`(?:[^`<]*<)?(?P<target>ganlib[\w.]*)>?`")


@pytest.mark.parametrize(
    "chapter", sorted(path.name for path in (ROOT / "book").glob("*.md") if path.name != "api.md")
)
def test_the_chapters_link_to_documented_objects_with_the_matching_role(chapter):
    text = (ROOT / "book" / chapter).read_text(encoding="utf-8")
    for link in LINK.finditer(text):
        target, role = link["target"], link["role"]
        assert target in ENTRIES, f"{chapter}: {link[0]} links to an undocumented object"
        assert ENTRIES[target][0] == ROLES.get(role), f"{chapter}: {link[0]} has the wrong role"
