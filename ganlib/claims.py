r"""The claim checker: every number the book states is computed, compared and recorded.

A chapter makes one :class:`Claims` book and checks each statement of its prose with it::

    claims = Claims("Information")
    claims.close("KL(fair || biased) in bits", kl_bits, 1.198, atol=5e-4)
    claims.at_most("JS(p || q) <= log 2", js, math.log(2))
    claims.table()          # the chapter's table of checked claims

A claim that does not hold raises :class:`ClaimError` at once, naming the chapter, the
claim and both numbers, so the cell fails, nbval fails the chapter and the book build
stops. Passing claims are kept, in order, for the table at the end of the chapter.

The record holds two kinds of item. A *claim* is what the book asserts about GANs or
mathematics. A *check* is a sanity check of the chapter's code or numerics: a quadrature
that sums to one, a loss that matches its formula. A check is no evidence for the book's
argument, so it is recorded with ``guards=``, the text of what it protects, and the table
lists it apart, folded beneath the claims::

    claims.close("grid mass", total, 1.0, atol=1e-9, guards="the quadrature grid")

A stochastic tolerance states its basis with ``why=`` (standard errors, or a spread measured
over seeds), shown beside the tolerance::

    claims.close("mean D(x)", d_mean, 0.5, atol=0.03, why="3 s.e. over 16 seeds")
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from fractions import Fraction
from numbers import Integral, Real

import numpy as np
import torch

from ganlib._checks import check_real, check_text, shown

__all__ = ["CLAIMS_MIMETYPE", "Claim", "ClaimError", "ClaimTable", "Claims"]

CLAIMS_MIMETYPE = "application/vnd.ganlib.claims+json"
"""The type of the data block in which a rendered :class:`ClaimTable` carries its claims, each
as :meth:`Claim.as_dict`, for the book's page of every claim and check to read back as data."""


class ClaimError(AssertionError):
    """A claim of the book did not hold."""


@dataclass(frozen=True)
class Claim:
    """One checked statement: what was computed, what it was compared with, and how."""

    chapter: str
    name: str
    computed: float | Fraction | np.ndarray
    relation: str  # one of "≈", "=", "≤", "≥", "<", ">"
    expected: float | Fraction | np.ndarray
    tolerance: str  # human-readable, e.g. "atol 5e-04"; "exact" for = and inequalities
    passed: bool
    guards: str = ""  # a check's text of what it protects; "" for a claim
    why: str = ""  # the basis of the tolerance, e.g. "3 s.e. over 16 seeds"

    @property
    def kind(self) -> str:
        """``"claim"`` (about GANs or mathematics) or ``"check"`` (of code or numerics)."""
        return "check" if self.guards else "claim"

    @property
    def computed_text(self) -> str:
        return _format(self.computed)

    @property
    def expected_text(self) -> str:
        return f"{self.relation} {_format(self.expected)}"

    @property
    def tolerance_text(self) -> str:
        """The tolerance, followed by its basis in parentheses where one was stated; for an
        exact comparison (an inequality without slack) the basis alone."""
        if not self.why:
            return self.tolerance
        return self.why if self.tolerance == "exact" else f"{self.tolerance} ({self.why})"

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "chapter": self.chapter,
            "claim": self.name,
            "computed": self.computed_text,
            "expected": self.expected_text,
            "tolerance": self.tolerance_text,
            "passed": self.passed,
            "kind": self.kind,
            "guards": self.guards,
        }


class Claims:
    r"""The claims of one chapter, checked as they are stated.

    Each checking method records the claim and returns the computed value (as a float, or a
    float64 array for array claims), so a chapter can pass it on to ``glue``. Checking a
    claim again under the same name replaces the earlier record, so re-running a cell in
    Jupyter does not list a claim twice.

    >>> claims = Claims("Doctest")
    >>> claims.close("one third", 1 / 3, 0.3333, atol=1e-4)
    0.333...
    >>> claims.at_most("a probability", 0.2, 1)
    0.2
    >>> claims.close("pi", 3.0, math.pi, atol=0.1)
    Traceback (most recent call last):
    ...
    ganlib.claims.ClaimError: Doctest: claim 'pi' does not hold: computed 3 but expected ≈ ...
    """

    def __init__(self, chapter: str):
        fix = 'Name the chapter, e.g. Claims("Information").'
        self.chapter = check_text("Claims", "chapter", chapter, fix=fix)
        self._claims: dict[str, Claim] = {}

    # -- the checks -------------------------------------------------------------------

    def close(
        self,
        name: str,
        computed,
        expected,
        *,
        atol: float = 0.0,
        rtol: float = 0.0,
        guards: str | None = None,
        why: str | None = None,
    ):
        r"""Claim ``|computed - expected| <= atol + rtol * |expected|`` (elementwise for arrays).

        At least one of ``atol`` and ``rtol`` must be positive: a claim about floating-point
        results states the tolerance it was computed to. Infinite values match only the same
        infinity (KL divergence *is* infinite in some of the book's examples).

        Every checking method takes two optional texts. ``guards`` makes the item a *check*
        of code or numerics and says what it protects; ``why`` states the basis of a
        stochastic tolerance or bound (standard errors, or a spread measured over seeds).
        """
        _check_name("Claims.close", name)
        fix = "State the tolerance the value is known to, e.g. atol=5e-4."
        atol = check_real("Claims.close", "atol", atol, low=0.0, fix=fix)
        rtol = check_real("Claims.close", "rtol", rtol, low=0.0, fix=fix)
        if atol == 0 and rtol == 0:
            raise ValueError(
                f"Claims.close: claim {name!r} needs a tolerance; got atol=0 and rtol=0. "
                "State the tolerance the value is known to (or use Claims.equal for exact values)."
            )
        c, e = _as_array(computed, "computed"), _as_array(expected, "expected")
        _check_shapes("Claims.close", name, c, e, "expected")
        e_full = np.broadcast_to(e, c.shape)
        same_infinity = np.isinf(c) & (c == e_full)
        with np.errstate(invalid="ignore"):
            difference = np.where(same_infinity, 0.0, np.abs(c - e_full))
            within = (difference <= atol + rtol * np.abs(e_full)) & np.isfinite(e_full)
        # NaN compares False, so a NaN never passes; an infinity passes only against itself.
        passed = bool(np.all(same_infinity | within))
        tolerance = ", ".join(
            f"{label} {value:.3g}" for label, value in (("atol", atol), ("rtol", rtol)) if value
        )
        worst = float(np.nanmax(difference)) if np.any(~np.isnan(difference)) else math.nan
        detail = f"|difference| = {worst:.6g}" + (f" (largest of {c.size})" if c.size > 1 else "")
        self._record(name, c, "≈", e, tolerance, passed, detail, guards, why)
        return _result(c, computed)

    def equal(
        self, name: str, computed, expected, *, guards: str | None = None, why: str | None = None
    ):
        """Claim exact equality: for integers, fractions and other exactly computed values.

        With a :class:`~fractions.Fraction` on either side both are compared as fractions
        (a float by its exact binary value). Otherwise ``expected`` is one value or an array of
        ``computed``'s shape, as in :meth:`close`.
        """
        _check_name("Claims.equal", name)
        if isinstance(computed, Fraction) or isinstance(expected, Fraction):
            c, e = _as_fraction(computed, "computed"), _as_fraction(expected, "expected")
            if c is not None and e is not None:
                self._record(name, c, "=", e, "exact", c == e, "", guards, why)
                return c
            # NaN or an infinity on one side: no fraction, and no equality either.
        c, e = _as_array(computed, "computed"), _as_array(expected, "expected")
        _check_shapes("Claims.equal", name, c, e, "expected")
        passed = bool(np.array_equal(np.broadcast_to(e, c.shape), c))
        self._record(name, c, "=", e, "exact", passed, "", guards, why)
        return _result(c, computed)

    def at_most(self, name: str, computed, bound, *, slack: float = 0.0, guards=None, why=None):
        """Claim ``computed <= bound + slack`` (every element, for arrays).

        ``computed`` and ``bound`` have one shape, or one of them is a single value; the
        same holds for :meth:`at_least`, :meth:`less` and :meth:`greater`.
        """
        return self._inequality(
            "at_most", name, computed, "≤", bound, slack, np.less_equal, guards, why
        )

    def at_least(self, name: str, computed, bound, *, slack: float = 0.0, guards=None, why=None):
        """Claim ``computed >= bound - slack`` (every element, for arrays)."""
        return self._inequality(
            "at_least", name, computed, "≥", bound, slack, np.greater_equal, guards, why
        )

    def less(self, name: str, computed, bound, *, guards=None, why=None):
        """Claim ``computed < bound`` strictly (every element, for arrays)."""
        return self._inequality("less", name, computed, "<", bound, 0.0, np.less, guards, why)

    def greater(self, name: str, computed, bound, *, guards=None, why=None):
        """Claim ``computed > bound`` strictly (every element, for arrays)."""
        return self._inequality("greater", name, computed, ">", bound, 0.0, np.greater, guards, why)

    # -- reading the record -------------------------------------------------------------

    def __iter__(self):
        return iter(self._claims.values())

    def __len__(self) -> int:
        return len(self._claims)

    @property
    def claims(self) -> list[Claim]:
        """The recorded claims (not the checks), in the order they were checked."""
        return [c for c in self._claims.values() if c.kind == "claim"]

    @property
    def checks(self) -> list[Claim]:
        """The recorded checks of code and numerics, in the order they were checked."""
        return [c for c in self._claims.values() if c.kind == "check"]

    def table(self) -> ClaimTable:
        """The chapter's table: its claims, with the checks folded beneath (HTML in a notebook)."""
        return ClaimTable(self.chapter, list(self._claims.values()))

    # -- internals ----------------------------------------------------------------------

    def _inequality(self, method, name, computed, relation, bound, slack, compare, guards, why):
        function = f"Claims.{method}"
        _check_name(function, name)
        fix = "Pass the margin the bound is known to, e.g. slack=1e-9, or 0.0 for none."
        slack = check_real(function, "slack", slack, low=0.0, fix=fix)
        c, b = _as_array(computed, "computed"), _as_array(bound, "bound")
        _check_shapes(function, name, c, b, "bound", either=True)
        shifted = b + slack if relation in ("≤", "<") else b - slack
        passed = bool(np.all(compare(c, shifted)))
        tolerance = f"slack {slack:.3g}" if slack else "exact"
        self._record(name, c, relation, b, tolerance, passed, "", guards, why)
        return _result(c, computed)

    def _record(self, name, computed, relation, expected, tolerance, passed, detail, guards, why):
        guards = _optional_text("guards", name, guards, "what the check protects")
        why = _optional_text("why", name, why, "the basis of the tolerance")
        claim = Claim(
            self.chapter,
            name,
            _scalar(computed),
            relation,
            _scalar(expected),
            tolerance,
            passed,
            guards,
            why,
        )
        self._claims.pop(name, None)
        self._claims[name] = claim
        if not passed:
            where = f" ({claim.tolerance_text})" if tolerance not in ("exact", "") else ""
            message = (
                f"{self.chapter}: {claim.kind} {name!r} does not hold: computed "
                f"{claim.computed_text} but expected {claim.expected_text}{where}"
            )
            raise ClaimError(message + (f"; {detail}." if detail else "."))


class ClaimTable:
    """A chapter's claims, and its checks folded beneath: HTML in a notebook, text elsewhere."""

    def __init__(self, chapter: str, items: list[Claim]):
        self.chapter = chapter
        self.items = items

    def rows(self) -> list[dict[str, str | bool]]:
        """Each claim and check as :meth:`ganlib.Claim.as_dict`, in the order they were checked."""
        return [claim.as_dict() for claim in self.items]

    def to_json(self) -> str:
        """The rows as JSON, safe to embed in HTML (``<``, ``>`` and ``&`` are escaped)."""
        text = json.dumps(self.rows(), ensure_ascii=False)
        return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")

    @property
    def claims(self) -> list[Claim]:
        """The claims of the table, without the checks."""
        return [c for c in self.items if c.kind == "claim"]

    @property
    def checks(self) -> list[Claim]:
        """The checks of code and numerics of the table."""
        return [c for c in self.items if c.kind == "check"]

    def _repr_html_(self) -> str:
        """The claims, the checks folded beneath them, then every row as data (a ``<script>``
        of :data:`CLAIMS_MIMETYPE`)."""
        claims, checks = self.claims, self.checks
        parts = [
            '<table class="ganlib-claims">'
            f"<caption>{html.escape(self.chapter)}: {_count(len(claims), 'claim')}, "
            f"{_count(len(checks), 'check')}</caption>"
            + _html_rows(claims, ("claim",))
            + "</table>"
        ]
        if checks:
            parts.append(
                '<details class="ganlib-checks"><summary>'
                f"{_count(len(checks), 'check')} of code and numerics (no evidence for the "
                "claims; each says what it guards)</summary>"
                '<table class="ganlib-claims ganlib-checks-table">'
                + _html_rows(checks, ("check", "guards"))
                + "</table></details>"
            )
        parts.append(f'<script type="{CLAIMS_MIMETYPE}">{self.to_json()}</script>')
        return "".join(parts)

    def __repr__(self) -> str:
        claims, checks = self.claims, self.checks
        lines = [f"{self.chapter}: {_count(len(claims), 'claim')}, {_count(len(checks), 'check')}"]
        for heading, items in (("claims", claims), ("checks", checks)):
            if items:
                lines.append(f"{heading}:")
            for number, claim in enumerate(items, start=1):
                status = "holds" if claim.passed else "FAILS"
                guards = f" (guards {claim.guards})" if claim.guards else ""
                lines.append(
                    f"{number:>3}. {claim.name}: {claim.computed_text} {claim.expected_text} "
                    f"[{claim.tolerance_text}] {status}{guards}"
                )
        return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _html_rows(items: list[Claim], first: tuple[str, ...]) -> str:
    """A table's head and body: #, the item's name, computed, expected, tolerance, status, and
    for checks what each guards."""
    columns = ("#", first[0], "computed", "expected", "tolerance", "status", *first[1:])
    head = "".join(f"<th>{h}</th>" for h in columns)
    body = []
    for number, claim in enumerate(items, start=1):
        cells = [
            str(number),
            claim.name,
            claim.computed_text,
            claim.expected_text,
            claim.tolerance_text,
            "✓ holds" if claim.passed else "✗ fails",
        ]
        if len(first) > 1:
            cells.append(claim.guards)
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>"


def _optional_text(label: str, name: str, value, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise TypeError(
            f"Claims: {label} of {name!r} must be a non-empty text ({what}); got "
            f"{type(value).__name__} {shown(value)}. Pass the text, or leave {label} out."
        )
    return value.strip()


# -- helpers ---------------------------------------------------------------------------


def _check_name(function: str, name: object) -> None:
    check_text(function, "name", name, fix="Name the claim as the prose states it.")


def _check_shapes(
    function: str, name: str, c: np.ndarray, other: np.ndarray, label: str, *, either=False
) -> None:
    """``other`` (expected or bound) has ``c``'s shape or is one value; with ``either``, ``c``
    may be the one value instead. No other broadcasting: (2,) against (3, 1) is an error."""
    if c.shape == other.shape or other.size == 1 or (either and c.size == 1):
        return
    single = "one of them is a single value" if either else f"{label} is a single value"
    raise ValueError(
        f"{function}: computed and {label} must have the same shape, or {single}; got shapes "
        f"{c.shape} and {other.shape} in claim {name!r}. Pass arrays of one shape, or compare "
        "the parts separately."
    )


def _as_array(value, label: str) -> np.ndarray:
    """Any number, Fraction, NumPy value or torch tensor (any device) as a float64 array.

    Booleans count as 0 and 1 (a claim may state a count of truths); text, None and complex
    numbers are refused rather than parsed or turned into NaN.
    """
    if isinstance(value, torch.Tensor):
        value = value.detach().to("cpu", torch.float64).numpy()
    elif isinstance(value, Fraction):
        value = float(value)
    try:
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":  # bool, int, unsigned, float
            raise TypeError(f"dtype {array.dtype}")
        array = array.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"Claims: the {label} value must be a number, an array or a tensor; got "
            f"{type(value).__name__} {shown(value)}. Pass what the chapter computed."
        ) from error
    return array


def _as_fraction(value, label: str) -> Fraction | None:
    """An int, Fraction or float (its exact binary value) as a Fraction; None for NaN or an
    infinity, which no fraction equals."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Integral):
        return Fraction(int(value))
    if isinstance(value, Real):
        return Fraction(float(value)) if math.isfinite(value) else None
    raise TypeError(
        f"Claims: the {label} value must be an int, a Fraction or a float when compared as a "
        f"fraction; got {type(value).__name__} {shown(value)}. Pass what the chapter computed."
    )


def _scalar(array):
    if isinstance(array, np.ndarray) and array.size == 1:
        return float(array.reshape(()))
    return array


def _result(array: np.ndarray, original):
    if isinstance(original, Fraction):
        return original
    return float(array.reshape(())) if array.size == 1 else array


def _format(value) -> str:
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, np.ndarray):
        finite = value[np.isfinite(value)]
        if finite.size == 0:
            return f"{value.size} values"
        return f"{value.size} values in [{finite.min():.6g}, {finite.max():.6g}]"
    return f"{value:.6g}"
