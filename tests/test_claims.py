import math
from fractions import Fraction

import numpy as np
import pytest
import torch

from ganlib import ClaimError, Claims


@pytest.fixture
def claims():
    return Claims("Test chapter")


def test_close_passes_within_tolerance_and_returns_the_value(claims):
    assert claims.close("pi", torch.tensor(3.14159, dtype=torch.float64), math.pi, atol=1e-5) == (
        pytest.approx(3.14159)
    )
    assert claims.close("relative", 101.0, 100.0, rtol=0.011) == 101.0
    assert [claim.name for claim in claims] == ["pi", "relative"]
    assert all(claim.passed for claim in claims)


def test_close_fails_naming_chapter_claim_and_both_numbers(claims):
    with pytest.raises(ClaimError) as error:
        claims.close("KL in bits", 1.19, 1.198, atol=5e-4)
    message = str(error.value)
    assert message.startswith("Test chapter: claim 'KL in bits' does not hold")
    assert "computed 1.19 but expected ≈ 1.198 (atol 0.0005)" in message
    assert "|difference| = 0.008" in message
    (failed,) = list(claims)
    assert not failed.passed  # the failure is recorded too


def test_close_tolerance_is_inclusive_and_combines_atol_and_rtol(claims):
    claims.close("edge", 1.5, 1.0, atol=0.25, rtol=0.25)
    with pytest.raises(ClaimError):
        claims.close("just outside", 1.5 + 1e-9, 1.0, atol=0.25, rtol=0.25)


def test_nan_never_passes(claims):
    with pytest.raises(ClaimError, match="computed nan"):
        claims.close("nan", float("nan"), 0.0, atol=1.0)
    with pytest.raises(ClaimError):
        claims.at_most("nan bound", float("nan"), 1.0)


def test_infinity_matches_only_the_same_infinity(claims):
    claims.close("KL is infinite", torch.tensor(float("inf")), math.inf, atol=1e-9)
    with pytest.raises(ClaimError):
        claims.close("wrong sign", -math.inf, math.inf, atol=1e-9)
    with pytest.raises(ClaimError):
        claims.close("finite vs inf", 1e308, math.inf, atol=1e-9)
    with pytest.raises(ClaimError):
        claims.close("finite vs inf, relative", 1e308, math.inf, rtol=0.5)


def test_array_claims_check_every_element(claims):
    values = claims.close("array", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12]), atol=1e-9)
    assert values.shape == (2,)
    with pytest.raises(ClaimError, match=r"largest of 2"):
        claims.close(
            "one bad element", torch.tensor([1.0, 2.5]), torch.tensor([1.0, 2.0]), atol=0.1
        )
    with pytest.raises(ValueError, match="same shape"):
        claims.close("shapes", np.zeros(2), np.zeros(3), atol=0.1)


def test_close_needs_a_tolerance(claims):
    with pytest.raises(ValueError, match="needs a tolerance"):
        claims.close("no tolerance", 1.0, 1.0)
    with pytest.raises(ValueError, match="atol must be a finite number >= 0"):
        claims.close("negative", 1.0, 1.0, atol=-1)


def test_equal_is_exact_and_handles_fractions(claims):
    assert claims.equal(
        "P(y1 | x1)", Fraction(2, 50) / Fraction(17, 50), Fraction(2, 17)
    ) == Fraction(2, 17)
    with pytest.raises(ClaimError, match="computed 119/100 but expected = 1199/1000"):
        claims.equal("truncated", Fraction(119, 100), Fraction(1199, 1000))
    claims.equal("ints", 3, 3)
    with pytest.raises(ClaimError):
        claims.equal("floats", 0.1 + 0.2, 0.3)


@pytest.mark.parametrize(
    ("method", "computed", "bound", "holds"),
    [
        ("at_most", 1.0, 1.0, True),
        ("at_most", 1.1, 1.0, False),
        ("at_least", 1.0, 1.0, True),
        ("at_least", 0.9, 1.0, False),
        ("less", 1.0, 1.0, False),
        ("less", 0.9, 1.0, True),
        ("greater", 1.0, 1.0, False),
        ("greater", 1.1, 1.0, True),
    ],
)
def test_inequalities(claims, method, computed, bound, holds):
    check = getattr(claims, method)
    if holds:
        assert check("inequality", computed, bound) == computed
    else:
        with pytest.raises(ClaimError, match="claim 'inequality' does not hold"):
            check("inequality", computed, bound)


def test_slack_widens_an_inequality(claims):
    claims.at_most("within slack", 1.0 + 1e-12, 1.0, slack=1e-9)
    claims.at_least("within slack below", 1.0 - 1e-12, 1.0, slack=1e-9)
    with pytest.raises(ValueError, match="slack must be a finite number >= 0"):
        claims.at_most("bad slack", 1.0, 1.0, slack=-1.0)


def test_rechecking_a_claim_replaces_it(claims):
    claims.close("rerun", 1.0, 1.0, atol=0.1)
    claims.close("rerun", 1.05, 1.0, atol=0.1)
    assert len(claims) == 1
    assert next(iter(claims)).computed == 1.05


def test_table_lists_claims_in_order_as_html_and_text(claims):
    claims.close("first <claim>", 1.0, 1.0, atol=0.1)
    claims.at_most("second", 0.5, math.log(2))
    table = claims.table()
    html = table._repr_html_()
    assert html.index("first &lt;claim&gt;") < html.index("second")
    assert "Test chapter: 2 claims, 0 checks" in html
    assert "≤ 0.693147" in html
    assert "✓ holds" in html
    assert "<details" not in html  # no checks, nothing folded
    assert "1. first <claim>: 1 ≈ 1 [atol 0.1] holds" in repr(table)
    assert table.rows()[1]["expected"] == "≤ 0.693147"


def test_checks_are_listed_apart_and_folded_beneath_the_claims(claims):
    claims.close("grid mass", 1.0, 1.0, atol=1e-9, guards="the quadrature grid")
    claims.at_most("a claim", 0.5, 1.0)
    claims.close("mean D", 0.51, 0.5, atol=0.03, why="3 s.e. over 16 seeds")
    assert [c.name for c in claims.claims] == ["a claim", "mean D"]
    assert [c.name for c in claims.checks] == ["grid mass"]
    table = claims.table()
    html = table._repr_html_()
    assert "Test chapter: 2 claims, 1 check" in html
    folded = html.index("<details")
    assert html.index("a claim") < folded < html.index("grid mass")
    assert html.index("the quadrature grid") > folded
    assert "atol 0.03 (3 s.e. over 16 seeds)" in html
    claims.less("bounded", 0.1, 0.2, why="largest of 10 seeds 0.15")
    assert claims.table().rows()[-1]["tolerance"] == "largest of 10 seeds 0.15"
    rows = table.rows()
    assert [r["kind"] for r in rows] == ["check", "claim", "claim"]
    assert rows[0]["guards"] == "the quadrature grid"
    assert "(guards the quadrature grid)" in repr(table)


def test_a_failing_check_is_named_a_check_and_shows_its_basis(claims):
    with pytest.raises(ClaimError, match=r"check 'sum' does not hold.*atol 0.1 \(3 s\.e\.\)"):
        claims.close("sum", 2.0, 1.0, atol=0.1, guards="the sum", why="3 s.e.")


@pytest.mark.parametrize("label", ["guards", "why"])
@pytest.mark.parametrize("value", ["", "   ", 3])
def test_guards_and_why_must_be_text(claims, label, value):
    with pytest.raises(TypeError, match=f"{label} of 'x' must be a non-empty text"):
        claims.close("x", 1.0, 1.0, atol=0.1, **{label: value})


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda c: Claims(""), ValueError,
         r"^Claims: chapter must be a non-empty str; got ''\. Name the chapter, e\.g\. "
         r"Claims\(\"Information\"\)\.$"),
        (lambda c: Claims(None), TypeError, r"^Claims: chapter must be a str; got NoneType None\."),
        (lambda c: c.close(" ", 1.0, 1.0, atol=1), ValueError,
         r"^Claims\.close: name must be a non-empty str; got ' '\. Name the claim as the prose "
         r"states it\.$"),
        (lambda c: c.equal(3, 1, 1), TypeError, r"^Claims\.equal: name must be a str; got int 3\."),
        (lambda c: c.at_least("", 1, 1), ValueError, r"^Claims\.at_least: name must be a non-"),
        (lambda c: c.close("x", 1.0, 1.0, atol=-1), ValueError,
         r"^Claims\.close: atol must be a finite number >= 0; got -1\. State the tolerance"),
        (lambda c: c.close("x", 1.0, 1.0, rtol=math.nan), ValueError,
         r"^Claims\.close: rtol must be a finite number >= 0; got nan\."),
        (lambda c: c.close("x", 1.0, 1.0, atol="0.1"), TypeError,
         r"^Claims\.close: atol must be a real number; got str '0\.1'\."),
        (lambda c: c.at_most("x", 1.0, 1.0, slack=-1.0), ValueError,
         r"^Claims\.at_most: slack must be a finite number >= 0; got -1\.0\. Pass the margin"),
        (lambda c: c.less("x", 1.0, 2.0) and c.at_least("y", 1.0, 1.0, slack=True), TypeError,
         r"^Claims\.at_least: slack must be a real number; got bool True\."),
        (lambda c: c.close("x", "one", 1.0, atol=1), TypeError,
         r"^Claims: the computed value must be a number, an array or a tensor; got str 'one'\. "
         r"Pass what the chapter computed\.$"),
    ],
)  # fmt: skip
def test_bad_arguments_are_errors(claims, make, error, message):
    with pytest.raises(error, match=message):
        make(claims)


def test_bad_names_and_values_are_errors(claims):
    with pytest.raises(TypeError, match="the computed value must be a number"):
        claims.close("text", "one", 1.0, atol=1)


_SHAPES = r"Pass arrays of one shape, or compare the parts separately\.$"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda c: c.close("x", np.zeros(2), np.zeros(3), atol=0.1),
         r"^Claims\.close: computed and expected must have the same shape, or expected is a "
         r"single value; got shapes \(2,\) and \(3,\) in claim 'x'\. " + _SHAPES),
        (lambda c: c.close("x", 1.0, [1.0, 1.0], atol=0.1),
         r"^Claims\.close: computed and expected must have the same shape, or expected is a "
         r"single value; got shapes \(\) and \(2,\) in claim 'x'\."),
        (lambda c: c.equal("x", [1, 2], [1, 2, 3]),
         r"^Claims\.equal: computed and expected must have the same shape, or expected is a "
         r"single value; got shapes \(2,\) and \(3,\) in claim 'x'\. " + _SHAPES),
        (lambda c: c.at_most("x", np.zeros(2), np.ones(3)),
         r"^Claims\.at_most: computed and bound must have the same shape, or one of them is a "
         r"single value; got shapes \(2,\) and \(3,\) in claim 'x'\. " + _SHAPES),
        (lambda c: c.at_least("x", np.zeros(2), np.zeros(3), slack=0.1),
         r"^Claims\.at_least: computed and bound must have the same shape, or one of them"),
        (lambda c: c.less("x", np.zeros(2), np.ones((3, 1))),  # no silent broadcast to (3, 2)
         r"^Claims\.less: computed and bound must have the same shape, or one of them is a "
         r"single value; got shapes \(2,\) and \(3, 1\) in claim 'x'\."),
        (lambda c: c.greater("x", torch.ones(2, 2), torch.zeros(2)),
         r"^Claims\.greater: computed and bound must have the same shape, or one of them is a "
         r"single value; got shapes \(2, 2\) and \(2,\) in claim 'x'\."),
    ],
)  # fmt: skip
def test_mismatched_shapes_are_errors_naming_both(claims, make, message):
    with pytest.raises(ValueError, match=message):
        make(claims)
    assert len(claims) == 0  # an error in the arguments records nothing


def test_a_single_value_is_compared_with_every_element(claims):
    assert list(claims.equal("all zero", np.zeros(3), 0)) == [0.0, 0.0, 0.0]
    assert claims.equal("one element", np.array([3]), 3) == 3.0
    assert list(claims.less("below the bound", [1.0, 2.0], 3.0)) == [1.0, 2.0]
    assert claims.at_most("below every bound", 1.0, [3.0, 4.0]) == 1.0
    with pytest.raises(ClaimError):
        claims.equal("one differs", np.array([0.0, 1.0]), 0)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda c: c.close("x", "1.0", 1.0, atol=0.1), TypeError,
         r"^Claims: the computed value must be a number, an array or a tensor; got str '1\.0'\."),
        (lambda c: c.close("x", 1.0, None, atol=0.1), TypeError,
         r"^Claims: the expected value must be a number, an array or a tensor; got NoneType"),
        (lambda c: c.at_most("x", ["0.5"], 1.0), TypeError,
         r"^Claims: the computed value must be a number, an array or a tensor; got list"),
        (lambda c: c.less("x", 1.0, 2 + 1j), TypeError,
         r"^Claims: the bound value must be a number, an array or a tensor; got complex"),
        (lambda c: c.equal("x", Fraction(1, 2), "1/2"), TypeError,
         r"^Claims: the expected value must be an int, a Fraction or a float when compared as a "
         r"fraction; got str '1/2'\. Pass what the chapter computed\.$"),
        (lambda c: c.equal("x", [0.5], Fraction(1, 2)), TypeError,
         r"^Claims: the computed value must be an int, a Fraction or a float"),
    ],
)  # fmt: skip
def test_values_are_numbers_never_parsed_text(claims, make, error, message):
    with pytest.raises(error, match=message):
        make(claims)


def test_fractions_compare_exactly_with_ints_floats_and_nan(claims):
    assert claims.equal("half", Fraction(1, 2), 0.5) == Fraction(1, 2)
    assert claims.equal("numpy half", Fraction(1, 2), np.float64(0.5)) == Fraction(1, 2)
    assert claims.equal("two", 2, Fraction(4, 2)) == Fraction(2)
    with pytest.raises(ClaimError, match=r"computed 0\.5 but expected = nan"):
        claims.equal("nan", Fraction(1, 2), math.nan)
    with pytest.raises(ClaimError):
        claims.equal("a tenth is not 0.1", Fraction(1, 10), 0.1)
