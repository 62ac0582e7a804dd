"""Vital events on top of tests.web.data for the dashboard and reports pages.

The last event is on 2025-06-15, so the dashboard's reference day is that day (the records
end before today) and its statistical year is 2024Oct (the 2025 statistical year):
this year so far = 2024-10-01 … 2025-06-15, last year = 2023-10-01 … 2024-06-15.

Hand counts for 城关镇 (township 1: 李家村 and 张庄村):
  this year so far: births P-N1 (boy, 李家村一组, 2024-11-05), P-N2 (girl, 李家村二组,
  2025-03-10); death P-A1 (李家村一组, 2025-06-15)                → births 2, deaths 1
  last year: birth P-N3 (boy, 张庄村, 2024-02-01); death P-B1 (张庄村, 2023-12-01)
                                                                    → births 1, deaths 1
  population at the end: 2025-06-15 A2 A3 A4 N1 N2 N3 = 6; 2024-06-15 A1 A2 A3 A4 N3 = 5
王庄村 (township 2) has a birth P-N4 on 2025-01-01 that no township-1 figure may include.
"""

from __future__ import annotations

from datetime import date

from tests import factories as f

LAST_EVENT = date(2025, 6, 15)


def add_vital_events() -> None:
    f.make_person("P-N1", "H-A1", sex=1, birth=date(2024, 11, 5), name="李小一",
                  mother="P-A2")
    f.make_person("P-N2", "H-A2", sex=2, birth=date(2025, 3, 10), name="李小二",
                  mother="P-A4")
    f.make_person("P-N3", "H-B1", sex=1, birth=date(2024, 2, 1), name="张小三")
    f.make_person("P-N4", "H-C1", sex=2, birth=date(2025, 1, 1), name="欧阳小四",
                  mother="P-C1")
    f.make_event("E-N1", "birth", "P-N1", date(2024, 11, 5), f.GROUP_A1,
                 recorded=date(2024, 11, 20))
    f.make_event("E-N2", "birth", "P-N2", date(2025, 3, 10), f.GROUP_A2,
                 recorded=date(2025, 5, 1))  # 52 days: not timely
    f.make_event("E-N3", "birth", "P-N3", date(2024, 2, 1), f.GROUP_B1)
    f.make_event("E-N4", "birth", "P-N4", date(2025, 1, 1), f.GROUP_C1)
    f.make_event("E-D1", "death", "P-A1", LAST_EVENT, f.GROUP_A1)
    f.make_event("E-D2", "death", "P-B1", date(2023, 12, 1), f.GROUP_B1)
