"""A page that lists every checked claim of the book.

Each chapter ends with the HTML table that ``ganlib.Claims.table()`` renders. While Sphinx
reads the executed chapters, this extension collects the rows of those tables; the
``claims-index`` directive then becomes one table of every claim, each linked to its chapter.
Nothing is executed twice: the rows are the ones the chapter's own run produced.
"""

from __future__ import annotations

from html.parser import HTMLParser

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

COLUMNS = ("claim", "computed", "expected", "tolerance", "status")


class _ClaimRows(HTMLParser):
    """The cells of every row in the body of a ``table.ganlib-claims``."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = self._in_body = self._in_cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "ganlib-claims" in (dict(attrs).get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._in_cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_cell = False
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._in_cell:
            self.rows[-1][-1] += data


class claims_index(nodes.General, nodes.Element):
    """Placeholder, replaced by the table once every chapter has been read."""


class ClaimsIndexDirective(SphinxDirective):
    def run(self):
        return [claims_index("")]


def collect(app: Sphinx, doctree: nodes.document) -> None:
    rows = []
    for raw in doctree.findall(nodes.raw):
        if "ganlib-claims" in raw.astext():
            parser = _ClaimRows()
            parser.feed(raw.astext())
            rows += [dict(zip(COLUMNS, row[1:], strict=True)) for row in parser.rows]
    store = app.env.__dict__.setdefault("ganlib_claims", {})
    store.pop(app.env.docname, None)
    if rows:
        store[app.env.docname] = rows


def purge(app, env, docname):
    env.__dict__.get("ganlib_claims", {}).pop(docname, None)


def merge(app, env, docnames, other):
    env.__dict__.setdefault("ganlib_claims", {}).update(
        {d: r for d, r in other.__dict__.get("ganlib_claims", {}).items() if d in docnames}
    )


def render(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    store = app.env.__dict__.get("ganlib_claims", {})
    order = [d for d in app.env.found_docs if d in store]
    toc_order = {name: i for i, name in enumerate(_toc_order(app))}
    order.sort(key=lambda d: (toc_order.get(d, len(toc_order)), d))
    for placeholder in list(doctree.findall(claims_index)):
        total = sum(len(store[d]) for d in order)
        failing = sum(r["status"] != "✓ holds" for d in order for r in store[d])
        lines = [
            f"<p>{total} claims in {len(order)} chapters; {failing} failing.</p>",
            '<table class="ganlib-claims ganlib-claims-index"><thead><tr>'
            "<th>claim</th><th>computed</th><th>expected</th><th>tolerance</th>"
            "<th>status</th></tr></thead><tbody>",
        ]
        for docname in order:
            uri = app.builder.get_relative_uri(fromdocname, docname)
            title = _escape(app.env.titles[docname].astext())
            count = len(store[docname])
            lines.append(
                f'<tr class="ganlib-claims-chapter"><th colspan="5"><a href="{uri}">{title}</a>'
                f" ({count} claims)</th></tr>"
            )
            for row in store[docname]:
                cells = "".join(f"<td>{_escape(row[c])}</td>" for c in COLUMNS)
                lines.append(f"<tr>{cells}</tr>")
        lines.append("</tbody></table>")
        placeholder.replace_self(nodes.raw("", "\n".join(lines), format="html"))


def _toc_order(app: Sphinx) -> list[str]:
    """Documents in reading order, following the toctrees from the root document."""
    ordered, seen = [], set()

    def visit(docname):
        if docname in seen:
            return
        seen.add(docname)
        ordered.append(docname)
        for child in app.env.toctree_includes.get(docname, []):
            visit(child)

    visit(app.config.root_doc)
    return ordered


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def setup(app: Sphinx):
    app.add_node(claims_index)
    app.add_directive("claims-index", ClaimsIndexDirective)
    app.connect("doctree-read", collect)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("doctree-resolved", render)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
