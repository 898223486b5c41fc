"""A page that lists every claim and check of the book.

Each chapter ends with the table that ``ganlib.Claims.table()`` renders. Beside the visible
HTML table, the rendered output carries the same claims as data: a
``<script type="application/vnd.ganlib.claims+json">`` block holding one ``Claim.as_dict()``
per row. While Sphinx reads the executed chapters, this extension collects those rows; the
``claims-index`` directive then becomes one table of every claim, each linked to its chapter.
Nothing is executed twice, and no table is scraped: the rows are the data of the chapter's
own run.

The data travel inside the HTML output rather than as a separate entry of the output's mime
bundle because myst-nb renders every entry of a bundle while it reads a page and warns about
a type it has no renderer for, and the book builds with warnings as errors.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

CLAIMS_MIMETYPE = "application/vnd.ganlib.claims+json"  # ganlib.claims.CLAIMS_MIMETYPE
COLUMNS = ("kind", "claim", "computed", "expected", "tolerance", "status", "guards")


class _ClaimData(HTMLParser):
    """The text of every ``<script type="application/vnd.ganlib.claims+json">`` block."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._in_block = False

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("type") == CLAIMS_MIMETYPE:
            self._in_block = True
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_block = False

    def handle_data(self, data):
        if self._in_block:
            self.blocks[-1] += data


def claim_rows(html: str) -> list[dict[str, str]]:
    """The claims carried by rendered claim tables in ``html``, as rows of :data:`COLUMNS`.

    Each claim is read from its ``Claim.as_dict()``; ``passed`` becomes the status the page
    shows, "✓ holds" or "✗ fails". ``kind`` is "claim" or "check", and ``guards`` says what a
    check protects ("" for a claim).
    """
    parser = _ClaimData()
    parser.feed(html)
    parser.close()
    rows = []
    for block in parser.blocks:
        for claim in json.loads(block):
            status = "✓ holds" if claim["passed"] else "✗ fails"
            rows.append({c: status if c == "status" else claim[c] for c in COLUMNS})
    return rows


class claims_index(nodes.General, nodes.Element):
    """Placeholder, replaced by the table once every chapter has been read."""


class ClaimsIndexDirective(SphinxDirective):
    def run(self):
        return [claims_index("")]


def collect(app: Sphinx, doctree: nodes.document) -> None:
    rows = []
    for raw in doctree.findall(nodes.raw):
        if CLAIMS_MIMETYPE in raw.astext():
            rows += claim_rows(raw.astext())
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
    shown = ("kind", "claim", "computed", "expected", "tolerance", "status")
    for placeholder in list(doctree.findall(claims_index)):
        rows = [r for d in order for r in store[d]]
        n_claims = sum(r["kind"] == "claim" for r in rows)
        failing = sum(r["status"] != "✓ holds" for r in rows)
        lines = [
            f"<p>{n_claims} claims and {len(rows) - n_claims} checks in {len(order)} "
            f"chapters; {failing} failing.</p>",
            '<table class="ganlib-claims ganlib-claims-index"><thead><tr>'
            + "".join(f"<th>{c}</th>" for c in shown)
            + "</tr></thead><tbody>",
        ]
        for docname in order:
            uri = app.builder.get_relative_uri(fromdocname, docname)
            title = _escape(app.env.titles[docname].astext())
            claims = [r for r in store[docname] if r["kind"] == "claim"]
            checks = [r for r in store[docname] if r["kind"] == "check"]
            lines.append(
                f'<tr class="ganlib-claims-chapter"><th colspan="{len(shown)}">'
                f'<a href="{uri}">{title}</a> ({_count(len(claims), "claim")}, '
                f"{_count(len(checks), 'check')})</th></tr>"
            )
            for row in claims + checks:
                css = ' class="ganlib-check"' if row["kind"] == "check" else ""
                cells = "".join(f"<td>{_escape(row[c])}</td>" for c in shown)
                lines.append(f"<tr{css}>{cells}</tr>")
        lines.append("</tbody></table>")
        placeholder.replace_self(nodes.raw("", "\n".join(lines), format="html"))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


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
