"""The book's claims page reads the tables that ganlib.Claims renders; the two must agree."""

import math
import sys
from pathlib import Path

import pytest

from ganlib import ClaimError, Claims

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
from claims_index import COLUMNS, _ClaimRows


def test_rows_of_a_rendered_table_are_read_back():
    claims = Claims("Chapter <A>")
    claims.close("KL(fair || biased) in bits", 1.19796, 1.198, atol=5e-4)
    claims.at_most("JS <= log 2", 0.5, math.log(2))
    parser = _ClaimRows()
    parser.feed("<div>before</div>" + claims.table()._repr_html_())
    rows = [dict(zip(COLUMNS, row[1:], strict=True)) for row in parser.rows]
    assert rows == [
        {
            "claim": "KL(fair || biased) in bits",
            "computed": "1.19796",
            "expected": "≈ 1.198",
            "tolerance": "atol 0.0005",
            "status": "✓ holds",
        },
        {
            "claim": "JS <= log 2",
            "computed": "0.5",
            "expected": "≤ 0.693147",
            "tolerance": "exact",
            "status": "✓ holds",
        },
    ]


def test_a_failed_claim_reads_back_as_failing():
    claims = Claims("Chapter")
    with pytest.raises(ClaimError):
        claims.less("wrong", 2.0, 1.0)
    parser = _ClaimRows()
    parser.feed(claims.table()._repr_html_())
    assert parser.rows[0][-1] == "✗ fails"


def test_other_tables_are_ignored():
    parser = _ClaimRows()
    parser.feed("<table class='dataframe'><tbody><tr><td>1</td></tr></tbody></table>")
    assert parser.rows == []
