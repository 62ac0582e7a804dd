"""The consistency rules: each rule on a hand-built registry, re-runs, closing, per-write runs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from renkou.core.audit import Actor
from renkou.core.models import AuditEvent
from renkou.quality.models import Finding, FindingStatus
from renkou.quality.rules import RULES, RULES_BY_CODE
from renkou.quality.services import finding_resolve, rules_run
from renkou.registry import services as reg
from tests import factories as f

ACTOR = Actor(user=None, origin="cli:test@host")
P1_ID = "410325196003010018"  # valid: 1960-03-01, male (17th digit 1 is odd)
P2_BAD = "410325199006150027"  # 1990-06-15, female; the right check character is 8


@pytest.fixture
def registry(units: Any) -> None:
    h1 = f.make_household("H1", f.GROUP_A1)
    f.make_household("H2", f.GROUP_B1)
    f.make_household("H3", f.GROUP_A2)
    f.make_person("P1", h1, sex=1, birth=date(1960, 3, 1), id_number=P1_ID)
    f.make_person("P2", h1, sex=2, birth=date(1990, 6, 15), id_number=P2_BAD)
    # Born the day before the mother's 10th birthday: completed years 2000 − 1990 − 1 = 9.
    f.make_person("P3", h1, birth=date(2000, 6, 14), mother="P2", father="P1")
    f.make_person("P5", "H3", sex=2, birth=date(1900, 1, 2))
    f.make_person("P7", "H3", birth=date(1955, 1, 2), mother="P5")  # mother exactly 55: fine
    f.make_person("P8", "H3", birth=date(1955, 1, 1), mother="P5")  # 54: fine
    f.make_person("P9", "H3", birth=date(1956, 1, 2), mother="P5")  # 56: too old
    f.make_person("P10", "H3", birth=date(1899, 5, 5), mother="P5")  # before the mother
    # Same number, same birth date and sex as P1: only the duplicate rule applies.
    f.make_person("Q1", "H2", sex=1, birth=date(1960, 3, 1), id_number=P1_ID)
    from renkou.registry.models import Person
    Person.objects.filter(id="P1").update(relation="02")
    Person.objects.filter(id="P5").update(relation="02")
    Person.objects.filter(id="Q1").update(relation="10")
    f.make_event("E1", "death", "P1", date(2020, 1, 1), f.GROUP_A1)
    f.make_event("E2", "move_out", "P1", date(2021, 5, 1), f.GROUP_A1)
    f.make_event("E0", "move_out", "P2", date(2020, 1, 1), f.GROUP_A1)  # alive: fine
    f.make_event("E3", "marriage", "P2", date(1985, 1, 1), f.GROUP_A1, spouse="P1")
    f.make_event("E4", "marriage", "P8", date(1980, 1, 1), f.GROUP_A2)  # both born: fine


EXPECTED = {
    ("id_number.check", "person", "P2"): (f.GROUP_A1, P2_BAD),
    ("id_number.duplicate", "person", "P1"): (f.GROUP_A1, f"{P1_ID}: P1, Q1"),
    ("id_number.duplicate", "person", "Q1"): (f.GROUP_B1, f"{P1_ID}: P1, Q1"),
    ("birth.mother_age", "person", "P3"): (f.GROUP_A1, "mother P2 aged 9"),
    ("birth.mother_age", "person", "P9"): (f.GROUP_A2, "mother P5 aged 56"),
    # 1899-05-05 to 1900-01-02: −1 + 0 = −1 completed years (< 12), and before the mother.
    ("birth.mother_age", "person", "P10"): (f.GROUP_A2, "mother P5 aged -1"),
    ("person.older_than_parent", "person", "P10"): (f.GROUP_A2, "mother P5 born 1900-01-02"),
    ("event.after_death", "event", "E2"): (f.GROUP_A1, "move_out 2021-05-01 after death 2020-01-01"),
    ("household.no_head", "household", "H2"): (f.GROUP_B1, "members: 1"),
    ("marriage.before_birth", "event", "E3"): (f.GROUP_A1, "P2 born 1990-06-15"),
}


def _findings(status: str | None = None) -> dict[tuple[str, str, str], tuple[str, str]]:
    qs = Finding.objects.all() if status is None else Finding.objects.filter(status=status)
    return {(x.rule, x.object_type, x.object_id): (x.unit_code, x.value) for x in qs}


def test_rules_are_declared_once_with_code_severity_and_messages():
    assert len(RULES_BY_CODE) == len(RULES) == 12
    for rule in RULES:
        assert rule.severity in {"error", "warning", "info"}
        assert rule.object_type in {"person", "household", "event"}
        assert rule.message_en
        assert rule.message_zh


def test_every_rule_finds_exactly_its_cases(registry):
    result = rules_run(actor=ACTOR)
    assert _findings(FindingStatus.OPEN) == EXPECTED
    assert result.opened == len(EXPECTED)
    assert result.open_by_rule["birth.mother_age"] == 3
    severities = dict(Finding.objects.values_list("rule", "severity").distinct())
    assert severities["id_number.check"] == "error"
    assert severities["household.no_head"] == "warning"
    assert AuditEvent.objects.filter(action="quality.rules_run").count() == 1


def test_rerun_updates_never_duplicates_and_closes_what_no_longer_applies(registry):
    rules_run()
    first = {(x.rule, x.object_id): (x.pk, x.found_at) for x in Finding.objects.all()}
    again = rules_run()
    assert (again.opened, again.updated, again.closed) == (0, 0, 0)
    assert {(x.rule, x.object_id): (x.pk, x.found_at) for x in Finding.objects.all()} == first

    # A human resolves one and dismisses another, with notes.
    check = Finding.objects.get(rule="id_number.check")
    finding_resolve(actor=ACTOR, finding=check, note="已联系派出所更正")
    no_head = Finding.objects.get(rule="household.no_head")
    finding_resolve(actor=ACTOR, finding=no_head, dismiss=True, note="户主在外地")

    from renkou.registry.models import Person
    Person.objects.filter(id="P2").update(birth_date=date(1970, 6, 15),
                                          id_number="410325197006150029")
    Person.objects.filter(id="Q1").update(id_number="")
    result = rules_run()
    # Gone: P2's check (resolved by hand: kept as it was), mother_age of P3 (age 29 now), the
    # marriage before birth (1985 > 1970), both duplicates; they were open → closed.
    assert result.closed == 4
    check.refresh_from_db()
    assert (check.status, check.resolution_note) == ("resolved", "已联系派出所更正")
    no_head.refresh_from_db()  # still applies, but dismissed: stays so, note kept
    assert (no_head.status, no_head.resolution_note) == ("dismissed", "户主在外地")
    closed = Finding.objects.get(rule="birth.mother_age", object_id="P3")
    assert closed.status == "resolved"
    assert closed.resolved_by_id is None
    assert closed.resolved_at is not None
    assert closed.resolution_note
    assert Finding.objects.count() == len(EXPECTED)  # nothing added, nothing deleted

    # The problem comes back: the system-closed finding is the same row, open again.
    Person.objects.filter(id="P2").update(birth_date=date(1990, 6, 15))
    rules_run()
    again = Finding.objects.get(rule="birth.mother_age", object_id="P3")
    assert (again.pk, again.status) == (closed.pk, "open")


def test_a_write_refreshes_the_findings_it_touches_as_a_full_run_would(registry):
    rules_run()
    # Through the service: P2's birth date moves to 1970; this touches P2's events and child.
    reg.person_update(actor=ACTOR, person_id="P2", birth_date=date(1970, 6, 15))
    after_write = _findings(FindingStatus.OPEN)
    assert ("birth.mother_age", "person", "P3") not in after_write
    assert ("marriage.before_birth", "event", "E3") not in after_write
    # The check character is still wrong, now also the birth date differs from the number.
    assert ("id_number.birth_date_mismatch", "person", "P2") in after_write
    rules_run()
    assert _findings(FindingStatus.OPEN) == after_write


def test_recording_an_event_after_death_opens_a_finding(registry):
    from renkou.events.models import Event
    rules_run()
    Event.objects.filter(id="E2").delete()
    rules_run()  # a deleted record's findings are closed by the next full run
    assert ("event.after_death", "event", "E2") not in _findings(FindingStatus.OPEN)
    f.make_event("E5", "move_in", "P1", date(2022, 1, 1), f.GROUP_A1)
    rules_run(person_ids=["Q1"])  # not about P1: nothing found for E5 yet
    assert ("event.after_death", "event", "E5") not in _findings()
    rules_run(person_ids=["P1"])
    assert _findings(FindingStatus.OPEN)[("event.after_death", "event", "E5")] == (
        f.GROUP_A1, "move_in 2022-01-01 after death 2020-01-01")


def test_quality_rules_command_prints_a_summary(registry, capsys):
    call_command("quality", "rules")
    out = capsys.readouterr().out
    assert "birth.mother_age" in out
    assert "opened 10" in out or "新增 10" in out
    assert Finding.objects.filter(status="open").count() == 10


def test_unknown_dates_find_nothing_and_old_numbers_match_their_new_form(units):
    f.make_household("HX", f.GROUP_C1)
    f.make_person("X1", "HX", sex=2, birth=None)
    f.make_person("X2", "HX", birth=None, mother="X1")  # no dates: no age rule
    f.make_person("X3", "HX", birth=date(2000, 1, 1), mother="NOBODY")  # unknown mother
    # The old 15-digit form of P1's number is the same person number: a duplicate.
    f.make_household("HY", f.GROUP_C1)  # another household: found by number alone
    f.make_person("X4", "HY", sex=1, birth=date(1960, 3, 1), id_number="410325600301001")
    f.make_person("X5", "HX", sex=1, birth=date(1960, 3, 1), id_number=P1_ID)
    from renkou.registry.models import Person
    Person.objects.filter(id__in=["X1", "X4"]).update(relation="02")
    rules_run()
    assert _findings(FindingStatus.OPEN) == {
        ("id_number.upgraded_15", "person", "X4"): (f.GROUP_C1, "410325600301001"),
        ("id_number.duplicate", "person", "X4"): (f.GROUP_C1, f"{P1_ID}: X4, X5"),
        ("id_number.duplicate", "person", "X5"): (f.GROUP_C1, f"{P1_ID}: X4, X5"),
    }
    full = _findings(FindingStatus.OPEN)
    # The per-write path finds the 15-digit twin from the 18-digit number too (and then
    # decides all of the twin's findings).
    Finding.objects.all().delete()
    rules_run(person_ids=["X5"])
    assert _findings(FindingStatus.OPEN) == full
