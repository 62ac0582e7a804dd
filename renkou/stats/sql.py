"""Every SQL statement of the statistics engine, in one place.

Plain SQL (joins, GROUP BY, CASE, GREATEST/LEAST, ROW_NUMBER, no inequality joins) that
DuckDB runs in-process today and Spark SQL can run over Parquet extracts of the same `r_*`
tables: the engine is a parameter, not a rewrite. Dates are integers (days since 1970-01-01),
so no date function is needed; ages use the integer year and month·100+day of the two dates,
which is exactly `periods.age_on` (29 February birthdays turn on 1 March in common years).

Three layers:

1. `r_*` raw tables, extracted from the system of record (see `facts.py`):
   r_unit(unit_key, code, level, …), r_person(person_key, id, sex, birth_d, birth_y, birth_md,
   marital, mother_id, b15 … b50 = day of the 15th … 50th birthday),
   r_spell(person_id, unit_code, start_d, end_d), r_marital(person_id, status, start_d, end_d),
   r_event(id, type, person_id, d, d_y, d_md, rec_d, unit_code, spouse_id, birth_order).
2. `f_*` fact tables, built once per data version (`FACT_STATEMENTS`, then `bucket_sql`):
   - f_spell: registration spells with closed ends; f_married: days a person is married;
   - f_point(unit_key, m, d, delta): +1 where an interval of stock measure m starts, −1 where
     it ends (m indexes STOCK_MEASURES: registered, WRA, married WRA, women by age group);
   - f_bucket(bucket, unit_key, m, n): the points summed between *anchor* days (31 December
     of recent years): the stock on anchor j is Σ n over buckets ≤ j, a few thousand rows;
   - f_recent: the points between the first and the last anchor, the only ones a period
     between them reads;
   - f_birth (order, mother's age, timeliness), f_event, and f_flow (events per unit, day).
3. Period queries over `f_*` with one tiny parameter table, q_map(unit_key, out_key), which
   maps each lowest unit under the requested unit to an output row. Stock on the boundary
   days D_0 < … < D_K (a − 1 and b of each period) = stock on the anchor before D_0 + the
   points after it, each put in the first boundary day on or after its date (a CASE, not an
   inequality join) and accumulated. Flows are summed per segment between period ends, and a
   period is the sum of its segments.
"""

from __future__ import annotations

from collections.abc import Sequence

from renkou.stats.catalog import ASFR_AGES

# Open ends of spells (null start: from before the data; null end: until now).
MIN_DAY = -1_000_000
MAX_DAY = 10_000_000

# Stock measures: m in f_point / f_bucket is the index in this tuple.
STOCK_MEASURES: tuple[str, ...] = ("pop", "wra", "mwra", *(f"w{x}" for x in ASFR_AGES))
_M = {name: i for i, name in enumerate(STOCK_MEASURES)}
# Flow measures, in the column order of f_flow and of flow query results.
FLOW_MEASURES: tuple[str, ...] = (
    "births", "births_m", "births_f", "births_o1", "births_o2", "births_o3p", "timely",
    *(f"b{x}" for x in ASFR_AGES),
    "deaths", "move_in", "move_out", "marriages",
)
BIRTHDAY_AGES: tuple[int, ...] = (*ASFR_AGES, 50)  # b15 … b50 on r_person


def _age_sql(y: str, md: str, birth_y: str, birth_md: str) -> str:
    """Completed years on the day (y, md) of someone born on (birth_y, birth_md)."""
    return f"({y} - {birth_y} - CASE WHEN {md} < {birth_md} THEN 1 ELSE 0 END)"


def _women_sql() -> str:
    """Counting intervals of women: registered and aged 15–49 (m = wra), or x … x+4."""
    groups = [(_M["wra"], 15, 50)] + [(_M[f"w{x}"], x, x + 5) for x in ASFR_AGES]
    table = " UNION ALL ".join(f"SELECT {m} AS m, {lo} AS lo, {hi} AS hi"
                               for m, lo, hi in groups)

    def birthday(column: str) -> str:
        whens = " ".join(f"WHEN {x} THEN p.b{x}" for x in BIRTHDAY_AGES)
        return f"CASE g.{column} {whens} END"

    return (
        f"SELECT person_key, unit_key, m, start_d, end_d FROM ("
        f"SELECT s.person_key, s.unit_key, g.m, GREATEST(s.start_d, {birthday('lo')}) AS start_d, "
        f"LEAST(s.end_d, {birthday('hi')}) AS end_d "
        "FROM f_spell s JOIN r_person p ON p.person_key = s.person_key "
        f"CROSS JOIN ({table}) g WHERE p.sex = 2 AND p.birth_d IS NOT NULL) w "
        "WHERE start_d < end_d"
    )


def _fact_statements() -> tuple[tuple[str, str], ...]:
    women = _women_sql()
    age_groups = ", ".join(
        f"SUM(CASE WHEN mother_age BETWEEN {x} AND {x + 4} THEN 1 ELSE 0 END) AS b{x}"
        for x in ASFR_AGES
    )
    mother_age = _age_sql("e.d_y", "e.d_md", "mo.birth_y", "mo.birth_md")
    return (
        # Registration spells with open ends closed by sentinels (person_key may be null
        # only for a spell of a person missing from r_person; such a spell still counts).
        ("f_spell", f"""
SELECT p.person_key, s.person_id, u.unit_key,
       COALESCE(s.start_d, {MIN_DAY}) AS start_d, COALESCE(s.end_d, {MAX_DAY}) AS end_d
FROM r_spell s
JOIN r_unit u ON u.code = s.unit_code
LEFT JOIN r_person p ON p.id = s.person_id"""),
        # Days on which a person is married: status 20 spells, or all days for a person with
        # no marriage/divorce events whose persons.csv status is 20 (SPEC §2).
        ("f_married", f"""
SELECT p.person_key, COALESCE(m.start_d, {MIN_DAY}) AS start_d,
       COALESCE(m.end_d, {MAX_DAY}) AS end_d
FROM r_marital m JOIN r_person p ON p.id = m.person_id
WHERE m.status = '20'
UNION ALL
SELECT p.person_key, {MIN_DAY} AS start_d, {MAX_DAY} AS end_d
FROM r_person p
WHERE p.marital = '20' AND NOT EXISTS (SELECT 1 FROM r_marital m WHERE m.person_id = p.id)"""),
        # Counting intervals of women: registered and aged 15–49, or x … x+4.
        ("f_women", women),
        # Married women 15–49: the WRA intervals cut to the days they are married.
        ("f_mwra", f"""
SELECT w.unit_key, GREATEST(w.start_d, x.start_d) AS start_d, LEAST(w.end_d, x.end_d) AS end_d
FROM f_women w JOIN f_married x ON x.person_key = w.person_key
WHERE w.m = {_M["wra"]} AND GREATEST(w.start_d, x.start_d) < LEAST(w.end_d, x.end_d)"""),
        # Change points of every stock measure.
        ("f_point", f"""
SELECT unit_key, {_M["pop"]} AS m, start_d AS d, 1 AS delta FROM f_spell
UNION ALL
SELECT unit_key, {_M["pop"]} AS m, end_d AS d, -1 AS delta FROM f_spell WHERE end_d < {MAX_DAY}
UNION ALL
SELECT unit_key, m, start_d AS d, 1 AS delta FROM f_women
UNION ALL
SELECT unit_key, m, end_d AS d, -1 AS delta FROM f_women
UNION ALL
SELECT unit_key, {_M["mwra"]} AS m, start_d AS d, 1 AS delta FROM f_mwra
UNION ALL
SELECT unit_key, {_M["mwra"]} AS m, end_d AS d, -1 AS delta FROM f_mwra"""),
        # Birth order: given, else rank among the mother's children in persons.csv by
        # (birth_date, person_id), unknown birth dates last; unknown mother → 1.
        ("f_rank", """
SELECT id, ROW_NUMBER() OVER (PARTITION BY mother_id
                              ORDER BY birth_d ASC NULLS LAST, id ASC) AS rnk
FROM r_person WHERE mother_id IS NOT NULL"""),
        ("f_birth", f"""
SELECT e.id AS event_id, e.person_id, u.unit_key, e.d, c.sex,
       CASE WHEN e.birth_order IS NOT NULL THEN e.birth_order
            WHEN c.mother_id IS NULL OR r.rnk IS NULL THEN 1
            ELSE r.rnk END AS birth_order,
       CASE WHEN c.mother_id IS NULL OR mo.birth_d IS NULL THEN NULL
            ELSE {mother_age} END AS mother_age,
       CASE WHEN e.rec_d IS NOT NULL AND e.rec_d - e.d <= 30 THEN 1 ELSE 0 END AS timely
FROM r_event e
JOIN r_unit u ON u.code = e.unit_code
LEFT JOIN r_person c ON c.id = e.person_id
LEFT JOIN f_rank r ON r.id = e.person_id
LEFT JOIN r_person mo ON mo.id = c.mother_id
WHERE e.type = 'birth'"""),
        ("f_event", """
SELECT e.id AS event_id, e.type, e.person_id, e.spouse_id, u.unit_key, e.d
FROM r_event e JOIN r_unit u ON u.code = e.unit_code
WHERE e.type <> 'birth'"""),
        ("f_flow", f"""
SELECT unit_key, d,
       SUM(births) AS births, SUM(births_m) AS births_m, SUM(births_f) AS births_f,
       SUM(births_o1) AS births_o1, SUM(births_o2) AS births_o2,
       SUM(births_o3p) AS births_o3p, SUM(timely) AS timely,
       {", ".join(f"SUM(b{x}) AS b{x}" for x in ASFR_AGES)},
       SUM(deaths) AS deaths, SUM(move_in) AS move_in, SUM(move_out) AS move_out,
       SUM(marriages) AS marriages
FROM (
  SELECT unit_key, d, COUNT(*) AS births,
         SUM(CASE WHEN sex = 1 THEN 1 ELSE 0 END) AS births_m,
         SUM(CASE WHEN sex = 2 THEN 1 ELSE 0 END) AS births_f,
         SUM(CASE WHEN birth_order = 1 THEN 1 ELSE 0 END) AS births_o1,
         SUM(CASE WHEN birth_order = 2 THEN 1 ELSE 0 END) AS births_o2,
         SUM(CASE WHEN birth_order >= 3 THEN 1 ELSE 0 END) AS births_o3p,
         SUM(timely) AS timely, {age_groups},
         0 AS deaths, 0 AS move_in, 0 AS move_out, 0 AS marriages
  FROM f_birth GROUP BY unit_key, d
  UNION ALL
  SELECT unit_key, d, 0, 0, 0, 0, 0, 0, 0, {", ".join("0" for _ in ASFR_AGES)},
         SUM(CASE WHEN type = 'death' THEN 1 ELSE 0 END),
         SUM(CASE WHEN type = 'move_in' THEN 1 ELSE 0 END),
         SUM(CASE WHEN type = 'move_out' THEN 1 ELSE 0 END),
         SUM(CASE WHEN type = 'marriage' THEN 1 ELSE 0 END)
  FROM f_event GROUP BY unit_key, d
) x
GROUP BY unit_key, d"""),
    )


# (table, SELECT): run in order, each as CREATE TABLE <table> AS <SELECT>.
FACT_STATEMENTS: tuple[tuple[str, str], ...] = _fact_statements()
# Intermediate tables dropped once the facts are built.
TRANSIENT_TABLES: tuple[str, ...] = ("f_women", "f_mwra", "f_rank")

# Range of event dates: the anchors are the 31 Decembers around it.
EVENT_RANGE_SQL = "SELECT MIN(d), MAX(d) FROM r_event"


def _first_at_or_after(column: str, days: Sequence[int]) -> str:
    """Index of the first of the sorted `days` ≥ column (len(days) if none)."""
    whens = " ".join(f"WHEN {column} <= {int(d)} THEN {k}" for k, d in enumerate(days))
    return f"CASE {whens} ELSE {len(days)} END"


def bucket_statements(anchors: Sequence[int]) -> tuple[tuple[str, str], ...]:
    """f_bucket (points summed per anchor bucket) and f_recent (the points between the first
    and the last anchor, sorted by day so that a period's scan skips the rest)."""
    if not anchors:
        return (("f_bucket", "SELECT 0 AS bucket, unit_key, m, SUM(delta) AS n FROM f_point "
                 "WHERE 1 = 0 GROUP BY unit_key, m"),
                ("f_recent", "SELECT * FROM f_point WHERE 1 = 0"))
    bucket = _first_at_or_after("d", anchors)
    return (
        ("f_bucket", f"SELECT {bucket} AS bucket, unit_key, m, SUM(delta) AS n FROM f_point "
                     f"WHERE d <= {int(anchors[-1])} GROUP BY 1, 2, 3"),
        ("f_recent", f"SELECT unit_key, m, d, delta FROM f_point WHERE d > {int(anchors[0])} "
                     f"AND d <= {int(anchors[-1])} ORDER BY d"),
    )


def stock_anchor_sql(bucket: int) -> str:
    """Stock per output row and measure on anchor `bucket` (Σ of buckets 0 … bucket)."""
    return (
        "SELECT q.out_key, p.m, CAST(SUM(p.n) AS BIGINT) AS n FROM f_bucket p "
        f"JOIN q_map q ON q.unit_key = p.unit_key WHERE p.bucket <= {int(bucket)} "
        "GROUP BY q.out_key, p.m"
    )


def stock_before_sql(day: int) -> str:
    """Stock per output row and measure on `day` from every point (no anchor before it)."""
    return (
        "SELECT q.out_key, p.m, CAST(SUM(p.delta) AS BIGINT) AS n FROM f_point p "
        f"JOIN q_map q ON q.unit_key = p.unit_key WHERE p.d <= {int(day)} "
        "GROUP BY q.out_key, p.m"
    )


def stock_steps_sql(source: str, after: int, days: Sequence[int]) -> str:
    """Points dated in (after, days[-1]] per boundary day k (the first day ≥ the point's),
    output row and measure; the stock on day k is the anchor plus the steps up to k."""
    k = _first_at_or_after("p.d", days)
    return (
        f"SELECT {k} AS k, q.out_key, p.m, CAST(SUM(p.delta) AS BIGINT) AS n FROM {source} p "
        "JOIN q_map q ON q.unit_key = p.unit_key "
        f"WHERE p.d > {int(after)} AND p.d <= {int(days[-1])} GROUP BY 1, 2, 3"
    )


def flow_segments_sql(bounds: Sequence[int]) -> str:
    """Events per segment s = [bounds[s], bounds[s + 1]) and output row."""
    sums = ", ".join(f"CAST(SUM(f.{m}) AS BIGINT) AS {m}" for m in FLOW_MEASURES)
    ends = [int(b) - 1 for b in bounds[1:]]  # last day of each segment
    s = _first_at_or_after("f.d", ends)
    return (
        f"SELECT {s} AS s, q.out_key, {sums} FROM f_flow f "
        "JOIN q_map q ON q.unit_key = f.unit_key "
        f"WHERE f.d >= {int(bounds[0])} AND f.d < {int(bounds[-1])} GROUP BY 1, 2"
    )


# --- drill-down and breakdown queries (q_map holds the lowest units under the unit) -------

def _counted_on(measure: str, day: int) -> str:
    """Condition on f_spell s / r_person p: counted in stock `measure` on `day`."""
    t = int(day)
    condition = f"s.start_d <= {t} AND {t} < s.end_d"
    if measure == "pop":
        return condition
    condition += f" AND p.sex = 2 AND p.b15 <= {t} AND {t} < p.b50"
    if measure == "wra":
        return condition
    return condition + (" AND EXISTS (SELECT 1 FROM f_married x WHERE x.person_key = "
                        f"p.person_key AND x.start_d <= {t} AND {t} < x.end_d)")


def stock_persons_sql(measure: str, day: int) -> str:
    """Person ids counted in stock `measure` (pop, wra or mwra) on `day`."""
    return (
        "SELECT DISTINCT s.person_id FROM f_spell s JOIN q_map q ON q.unit_key = s.unit_key "
        "LEFT JOIN r_person p ON p.person_key = s.person_key "
        f"WHERE {_counted_on(measure, day)} ORDER BY s.person_id"
    )


def birth_persons_sql(condition: str, first_day: int, last_day: int) -> str:
    return (
        "SELECT DISTINCT b.person_id FROM f_birth b JOIN q_map q ON q.unit_key = b.unit_key "
        f"WHERE b.d BETWEEN {int(first_day)} AND {int(last_day)} AND ({condition}) "
        "ORDER BY b.person_id"
    )


def event_persons_sql(event_type: str, first_day: int, last_day: int) -> str:
    return (
        "SELECT DISTINCT x.id FROM ("
        "SELECT person_id AS id, unit_key, d, type FROM f_event "
        "UNION ALL SELECT spouse_id AS id, unit_key, d, type FROM f_event "
        "WHERE type = 'marriage' AND spouse_id IS NOT NULL) x "
        "JOIN q_map q ON q.unit_key = x.unit_key "
        f"WHERE x.type = '{event_type}' AND x.d BETWEEN {int(first_day)} AND {int(last_day)} "
        "ORDER BY x.id"
    )


def pyramid_sql(day: int, y: int, md: int) -> str:
    age = _age_sql(str(int(y)), str(int(md)), "p.birth_y", "p.birth_md")
    return (
        f"SELECT CASE WHEN p.birth_d IS NULL THEN NULL ELSE {age} END AS age, p.sex, "
        "COUNT(*) AS n FROM f_spell s JOIN q_map q ON q.unit_key = s.unit_key "
        "JOIN r_person p ON p.person_key = s.person_key "
        f"WHERE s.start_d <= {int(day)} AND {int(day)} < s.end_d GROUP BY 1, 2"
    )


def births_detail_sql(first_day: int, last_day: int) -> str:
    return (
        "SELECT b.mother_age, b.birth_order, b.sex, COUNT(*) AS n FROM f_birth b "
        "JOIN q_map q ON q.unit_key = b.unit_key "
        f"WHERE b.d BETWEEN {int(first_day)} AND {int(last_day)} GROUP BY 1, 2, 3"
    )


def women_children_sql(day: int) -> str:
    """Women counted in WRA on `day`, by number of children born on or before `day`."""
    return (
        "SELECT COALESCE(c.n, 0) AS children, COUNT(*) AS women FROM ("
        "SELECT DISTINCT p.id FROM f_spell s JOIN q_map q ON q.unit_key = s.unit_key "
        f"JOIN r_person p ON p.person_key = s.person_key WHERE {_counted_on('wra', day)}) w "
        "LEFT JOIN (SELECT mother_id, COUNT(*) AS n FROM r_person "
        f"WHERE mother_id IS NOT NULL AND birth_d <= {int(day)} GROUP BY mother_id) c "
        "ON c.mother_id = w.id GROUP BY 1"
    )


def migration_sql(first_day: int, last_day: int) -> str:
    """Moves in U by direction and by where the same-day counterpart move lies.

    A move_out and a move_in of one person on one date is a move inside the area; `peer`
    says whether the counterpart is under U (1), elsewhere in the area (2) or absent (0).
    """
    return (
        "SELECT e.type, CASE WHEN EXISTS (SELECT 1 FROM f_event o JOIN q_map mo "
        "ON mo.unit_key = o.unit_key WHERE o.person_id = e.person_id AND o.d = e.d "
        "AND o.type = CASE WHEN e.type = 'move_in' THEN 'move_out' ELSE 'move_in' END) THEN 1 "
        "WHEN EXISTS (SELECT 1 FROM f_event o WHERE o.person_id = e.person_id AND o.d = e.d "
        "AND o.type = CASE WHEN e.type = 'move_in' THEN 'move_out' ELSE 'move_in' END) THEN 2 "
        "ELSE 0 END AS peer, COUNT(*) AS n "
        "FROM f_event e JOIN q_map q ON q.unit_key = e.unit_key "
        f"WHERE e.type IN ('move_in', 'move_out') AND e.d BETWEEN {int(first_day)} "
        f"AND {int(last_day)} GROUP BY 1, 2"
    )
