"""Small-count suppression for reports published outside the office (DOMAIN, Privacy).

Inside the office reports show exact figures. A public report must not let a reader find
out about one or a few persons, so:

1. primary: every count of 1–4 is shown as "<5" (0 and ≥ 5 are shown);
2. complementary: where a suppressed count could be recovered by subtraction — from the
   unit's total and its other units in the same column, or inside a row from BIRTHS =
   BIRTHS_M + BIRTHS_F = BIRTHS_O1 + BIRTHS_O2 + BIRTHS_O3P — the smallest other non-zero
   cell of that sum is hidden too ("×"), repeated until nothing can be recovered;
3. derived: a rate, ratio or percentage computed from a suppressed or hidden count is not
   shown either (a birth rate and the population give the births back); an age-specific
   fertility rate whose age group has 1–4 births is "<5" (the caller passes those), and
   then the TFR, which would give it back, is hidden.

What this does not cover (documented in docs/reports.md): differences between reports of
overlapping periods, and the demographic balance POP_END = POP_START + births − deaths + in −
out across columns; publish either the balance items or the populations, not both, when a
unit is tiny.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from renkou.stats.catalog import ASFR_AGES, Kind, by_code
from renkou.stats.reports.model import SMALL_LIMIT, Cell, Mark, Row

# The counts each derived value is computed from (SPEC §3 formulas).
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    "POP_AVG": ("POP_START", "POP_END"),
    "CBR": ("BIRTHS",),
    "CDR": ("DEATHS",),
    "RNI": ("BIRTHS", "DEATHS"),
    "SRB": ("BIRTHS_M", "BIRTHS_F"),
    "SRB_LO": ("BIRTHS_M", "BIRTHS_F"),
    "SRB_HI": ("BIRTHS_M", "BIRTHS_F"),
    "GFR": ("BIRTHS",),
    "TFR": ("BIRTHS",),
    "REG_TIMELY": ("BIRTHS",),
    **{f"ASFR_{x}": ("BIRTHS",) for x in ASFR_AGES},
}

ASFR_CODES: tuple[str, ...] = tuple(f"ASFR_{x}" for x in ASFR_AGES)

# Counts that add up inside one row: total → parts.
ROW_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("BIRTHS", ("BIRTHS_M", "BIRTHS_F")),
    ("BIRTHS", ("BIRTHS_O1", "BIRTHS_O2", "BIRTHS_O3P")),
)


def is_small(value: float | int | None) -> bool:
    return value is not None and 0 < value < SMALL_LIMIT


def _hide_one(cells: Sequence[Cell]) -> bool:
    """If exactly one cell of a sum is hidden, hide the smallest other non-zero one."""
    hidden = [c for c in cells if c.mark is not Mark.NONE]
    if len(hidden) != 1:
        return False
    candidates = [c for c in cells if c.mark is Mark.NONE and c.value]
    if not candidates:
        return False
    target = min(candidates, key=lambda c: float(c.value or 0))
    target.mark = Mark.HIDDEN
    return True


def suppress_rows(rows: Sequence[Row], codes: Iterable[str], *,
                  extra_small: dict[tuple[str, str], bool] | None = None) -> None:
    """Mark the cells of `rows` in place. Each row must carry every indicator a derived
    value depends on (suppress the full rows, then cut them into tables). The unit's total
    row is the one with `is_total`; the others add up to it (see the roll-up check).

    `extra_small` marks (unit_code, code) derived cells small for reasons the cells
    themselves do not show (e.g. an ASFR whose age group has 1–4 births).
    """
    codes = list(codes)
    count_codes = [c for c in codes if by_code(c).kind is Kind.COUNT]
    for row in rows:
        for code in count_codes:
            if is_small(row.cells[code].value):
                row.cells[code].mark = Mark.SMALL

    total = next((r for r in rows if r.is_total), None)
    parts = [r for r in rows if not r.is_total]
    changed = True
    while changed:
        changed = False
        if total is not None and parts:
            for code in count_codes:
                changed |= _hide_one([total.cells[code], *(r.cells[code] for r in parts)])
        for row in rows:
            for whole, pieces in ROW_SUMS:
                if whole in row.cells and all(p in row.cells for p in pieces):
                    changed |= _hide_one([row.cells[whole], *(row.cells[p] for p in pieces)])

    for row in rows:
        for code in codes:
            deps = DEPENDS_ON.get(code)
            if deps is None:
                continue
            marks = [row.cells[d].mark for d in deps if d in row.cells]
            if extra_small and extra_small.get((row.unit_code, code)):
                marks.append(Mark.SMALL)
            if Mark.SMALL in marks:
                row.cells[code].mark = Mark.SMALL
            elif Mark.HIDDEN in marks:
                row.cells[code].mark = Mark.HIDDEN
        # TFR is 5 × the sum of the ASFRs: shown next to all but one of them, it gives the
        # hidden one back.
        if "TFR" in row.cells and row.cells["TFR"].mark is Mark.NONE and any(
                row.cells[a].mark is not Mark.NONE for a in ASFR_CODES if a in row.cells):
            row.cells["TFR"].mark = Mark.HIDDEN

