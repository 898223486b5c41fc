"""The book's claims page reads the claims that ganlib.Claims renders as data; the two agree."""

import math
import sys
from pathlib import Path

import pytest

from ganlib import ClaimError, Claims
from ganlib.claims import CLAIMS_MIMETYPE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
import claims_index
from claims_index import COLUMNS, claim_rows


def test_the_extension_and_ganlib_name_the_same_mimetype():
    assert claims_index.CLAIMS_MIMETYPE == CLAIMS_MIMETYPE


def test_rows_of_a_rendered_table_are_read_back_from_its_data():
    claims = Claims("Chapter <A>")
    claims.close("KL(fair || biased) in bits", 1.19796, 1.198, atol=5e-4)
    claims.at_most("JS <= log 2 & </script>", 0.5, math.log(2), guards="the <b>table</b>")
    rows = claim_rows("<div>before</div>" + claims.table()._repr_html_())
    assert rows == [
        {
            "kind": "claim",
            "claim": "KL(fair || biased) in bits",
            "computed": "1.19796",
            "expected": "≈ 1.198",
            "tolerance": "atol 0.0005",
            "status": "✓ holds",
            "guards": "",
        },
        {
            "kind": "check",
            "claim": "JS <= log 2 & </script>",
            "computed": "0.5",
            "expected": "≤ 0.693147",
            "tolerance": "exact",
            "status": "✓ holds",
            "guards": "the <b>table</b>",
        },
    ]
    assert all(tuple(row) == COLUMNS for row in rows)


def test_the_data_are_the_claims_as_dicts():
    claims = Claims("Chapter")
    claims.close("one third", 1 / 3, 0.3333, atol=1e-4)
    (row,) = claim_rows(claims.table()._repr_html_())
    (claim,) = claims.table().rows()
    assert claim == next(iter(claims)).as_dict()
    assert row == {c: claim[c] for c in COLUMNS if c != "status"} | {"status": "✓ holds"}


def test_a_failed_claim_reads_back_as_failing():
    claims = Claims("Chapter")
    with pytest.raises(ClaimError):
        claims.less("wrong", 2.0, 1.0)
    assert claim_rows(claims.table()._repr_html_())[0]["status"] == "✗ fails"


def test_tables_of_several_chapters_on_one_page_are_all_read():
    first, second = Claims("One"), Claims("Two")
    first.equal("a", 1, 1)
    second.equal("b", 2, 2)
    html = first.table()._repr_html_() + second.table()._repr_html_()
    assert [row["claim"] for row in claim_rows(html)] == ["a", "b"]


def test_other_tables_and_scripts_are_ignored():
    html = (
        "<table class='dataframe'><tbody><tr><td>1</td></tr></tbody></table>"
        '<script type="application/json">[{"claim": "not ours"}]</script>'
        "<script>var x = 1;</script>"
    )
    assert claim_rows(html) == []
