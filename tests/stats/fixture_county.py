"""A small county whose every indicator is computed by hand (see test_engine.py).

Units (tests/factories.py): county → township 1 (李家村 A with groups A1, A2; 张庄村 B with
group B1), township 2 (王庄村 C with group C1, and 赵庄村 D added here, with nobody in it).

Persons (id, sex, birth date, persons.csv marital status, mother) by household:

HA1 in group A1
  W1  F 1990-06-15 20                 married by persons.csv, no marital events
  C1  M 2015-03-01 10  mother W1      born before the data's events
  CN  F (unknown) 10   mother W1      unknown birth date: ranks last among W1's children
  C2  M 2024-05-10 10  mother W1      birth EB2 in A1, no birth_order → rank 2 (C1, C2, CN)
  H1  M 1988-01-01 20                 death ED1 2024-08-01 in A1
  W2  F 1976-02-29 10                 29 February: 49 on 2026-02-28, 50 on 2026-03-01
                                      (1975 has no 29 February; 2026 is a common year)
  W5  F 1985-04-04 20                 moves B1 → A1 on 2024-07-01 (move_out + move_in)
  T1  F 2024-12-01 10  mother W5      twins, births ET1/ET2 in A1: same birth date, so the
  T2  M 2024-12-01 10  mother W5        person id decides: T1 order 1, T2 order 2
HA2 in group A2
  W3  F 2000-01-01 20                 marriage EM1 2024-03-01 in A2 with M3: never married
                                      before it (whatever persons.csv says), married after
  C3  F 2024-11-20 10  mother W3      birth EB3 in A2 with birth_order = 2 given (rank is 1);
                                      recorded 2025-01-15: 56 days, not timely
  W4  F 1980-07-01 20                 divorce EV1 2024-06-01 in A2: married before, divorced
                                      after (persons.csv's 20 is overridden)
  K2  M 2008-01-01 10  mother W4
  K3  F 2024-02-14 10  mother W4      birth EK3 in A2, rank 3 (K1 2005, K2 2008, K3)
HB1 in group B1
  M3  M 1998-02-02 20
  P6  M 1960-01-01 20                 move_out 2024-02-01 from B1, move_in 2024-09-01 to B1
  C7  M 2024-03-03 10  (no mother)    birth EB7 in B1 (order 1, not in ASFR), recorded
                                      2024-04-02 (30 days: timely); death ED7 2024-10-10
HC1 in group C1
  K1  F 2005-01-01 10  mother W4      W4's first child, registered outside village A
  P8  M 1950-01-01 30                 move_out 2024-04-01 from C1 (leaves the area)
  W9  F 2009-03-15 10                 14 on 2023-12-31, 15 on 2024-12-31
  P10 M 1970-05-05 20                 move_in 2024-08-08 to C1 (first move is a move_in)
  W11 F 1997-08-08 10
"""

from __future__ import annotations

from datetime import date

from renkou.core.audit import data_version_bump
from renkou.events.spells import spells_rebuild
from renkou.units.models import Unit
from renkou.units.services import derive_hierarchy
from tests import factories as f

D = date
VILLAGE_D = "410325200202"


def make_empty_village() -> Unit:
    """赵庄村, a village of township 2 with no households."""
    row = f.UnitRow(VILLAGE_D, "赵庄村", "village", f.TOWNSHIP_2, "220")
    info = derive_hierarchy([*f.UNIT_ROWS, row])[VILLAGE_D]
    return Unit.objects.create(code=VILLAGE_D, name=row.name, level=row.level,
                               parent_id=row.parent_code, urban_rural_code="220", **info)


def build() -> None:
    """Create the persons and events above (units must exist), derive spells, bump."""
    make_empty_village()
    ha1 = f.make_household("HA1", f.GROUP_A1)
    ha2 = f.make_household("HA2", f.GROUP_A2)
    hb1 = f.make_household("HB1", f.GROUP_B1)
    hc1 = f.make_household("HC1", f.GROUP_C1)
    person = f.make_person
    person("W1", ha1, sex=2, birth=D(1990, 6, 15), marital_status="20")
    person("C1", ha1, sex=1, birth=D(2015, 3, 1), mother="W1")
    person("CN", ha1, sex=2, birth=None, mother="W1")
    person("C2", ha1, sex=1, birth=D(2024, 5, 10), mother="W1")
    person("H1", ha1, sex=1, birth=D(1988, 1, 1), marital_status="20")
    person("W2", ha1, sex=2, birth=D(1976, 2, 29))
    person("W5", ha1, sex=2, birth=D(1985, 4, 4), marital_status="20")
    person("T1", ha1, sex=2, birth=D(2024, 12, 1), mother="W5")
    person("T2", ha1, sex=1, birth=D(2024, 12, 1), mother="W5")
    person("W3", ha2, sex=2, birth=D(2000, 1, 1), marital_status="20")
    person("C3", ha2, sex=2, birth=D(2024, 11, 20), mother="W3")
    person("W4", ha2, sex=2, birth=D(1980, 7, 1), marital_status="20")
    person("K2", ha2, sex=1, birth=D(2008, 1, 1), mother="W4")
    person("K3", ha2, sex=2, birth=D(2024, 2, 14), mother="W4")
    person("M3", hb1, sex=1, birth=D(1998, 2, 2), marital_status="20")
    person("P6", hb1, sex=1, birth=D(1960, 1, 1), marital_status="20")
    person("C7", hb1, sex=1, birth=D(2024, 3, 3))
    person("K1", hc1, sex=2, birth=D(2005, 1, 1), mother="W4")
    person("P8", hc1, sex=1, birth=D(1950, 1, 1), marital_status="30")
    person("W9", hc1, sex=2, birth=D(2009, 3, 15))
    person("P10", hc1, sex=1, birth=D(1970, 5, 5), marital_status="20")
    person("W11", hc1, sex=2, birth=D(1997, 8, 8))

    event = f.make_event
    event("EB2", "birth", "C2", D(2024, 5, 10), f.GROUP_A1, recorded=D(2024, 5, 20))
    event("ET1", "birth", "T1", D(2024, 12, 1), f.GROUP_A1, recorded=D(2024, 12, 5))
    event("ET2", "birth", "T2", D(2024, 12, 1), f.GROUP_A1, recorded=D(2024, 12, 5))
    event("EB3", "birth", "C3", D(2024, 11, 20), f.GROUP_A2, recorded=D(2025, 1, 15),
          birth_order=2)
    event("EK3", "birth", "K3", D(2024, 2, 14), f.GROUP_A2, recorded=D(2024, 2, 20))
    event("EB7", "birth", "C7", D(2024, 3, 3), f.GROUP_B1, recorded=D(2024, 4, 2))
    event("ED1", "death", "H1", D(2024, 8, 1), f.GROUP_A1)
    event("ED7", "death", "C7", D(2024, 10, 10), f.GROUP_B1)
    event("EM1", "marriage", "W3", D(2024, 3, 1), f.GROUP_A2, spouse="M3",
          source="civil_affairs")
    event("EV1", "divorce", "W4", D(2024, 6, 1), f.GROUP_A2, source="civil_affairs")
    event("EO5", "move_out", "W5", D(2024, 7, 1), f.GROUP_B1, source="police")
    event("EI5", "move_in", "W5", D(2024, 7, 1), f.GROUP_A1, source="police")
    event("EO6", "move_out", "P6", D(2024, 2, 1), f.GROUP_B1, source="police")
    event("EI6", "move_in", "P6", D(2024, 9, 1), f.GROUP_B1, source="police")
    event("EO8", "move_out", "P8", D(2024, 4, 1), f.GROUP_C1, source="police")
    event("EI10", "move_in", "P10", D(2024, 8, 8), f.GROUP_C1, source="police")
    spells_rebuild()
    data_version_bump()
