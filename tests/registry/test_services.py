"""Registry writes keep before/after history, audit, and id-number findings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from renkou.core.audit import Actor, audit_log
from renkou.core.errors import ValidationError
from renkou.core.models import AuditEvent
from renkou.quality.models import Finding
from renkou.quality.services import finding_resolve
from renkou.registry import services as reg
from renkou.registry.models import RecordChange
from tests import factories as f

ACTOR = Actor(user=None, origin="10.0.0.7")
GOOD_ID = "11010519491231002X"  # the classic valid GB 11643 example: female, 1949-12-31


@pytest.fixture
def household(units):
    return reg.household_create(actor=ACTOR, household_id="H1", unit_code=f.GROUP_A1,
                                address="李家村1组1号")


def test_register_and_update_keeps_before_and_after(household):
    reg.person_register(actor=ACTOR, person_id="P1", household_id="H1", name="张伟", sex=1,
                        birth_date=date(1980, 5, 6))
    reg.person_update(actor=ACTOR, person_id="P1", name="张玮")
    changes = list(RecordChange.objects.filter(model="person", object_id="P1"))
    assert [c.action for c in changes] == ["create", "update"]
    assert changes[1].before["name"] == "张伟"
    assert changes[1].after["name"] == "张玮"
    audit = AuditEvent.objects.get(action="person.update")
    assert audit.origin == "10.0.0.7"
    assert audit.detail == {"changed": ["name"]}


def test_noop_update_writes_nothing(household):
    reg.person_register(actor=ACTOR, person_id="P1", household_id="H1", name="张伟", sex=1,
                        birth_date=date(1980, 5, 6))
    count = RecordChange.objects.count()
    reg.person_update(actor=ACTOR, person_id="P1", name="张伟")
    assert RecordChange.objects.count() == count


def test_state_on_a_past_date_is_recovered(household):
    reg.person_register(actor=ACTOR, person_id="P1", household_id="H1", name="张伟", sex=1,
                        birth_date=date(1980, 5, 6))
    between = timezone.now()
    reg.person_update(actor=ACTOR, person_id="P1", name="张玮")
    state = reg.person_state_at(person_id="P1", at=between)
    assert state is not None
    assert state["name"] == "张伟"
    assert reg.person_state_at(person_id="P1", at=between - timedelta(days=1)) is None
    now_state = reg.person_state_at(person_id="P1", at=timezone.now())
    assert now_state is not None
    assert now_state["name"] == "张玮"


def test_invalid_person_changes_nothing(household):
    with pytest.raises(ValidationError):
        reg.person_register(actor=ACTOR, person_id="P2", household_id="H1", name="李四",
                            sex=3, birth_date=date(1990, 1, 1))
    with pytest.raises(ValidationError):
        reg.person_register(actor=ACTOR, person_id="P2", household_id="NOPE", name="李四",
                            sex=1, birth_date=date(1990, 1, 1))
    assert not RecordChange.objects.filter(model="person").exists()
    assert not AuditEvent.objects.filter(action="person.create").exists()


def test_id_number_problems_become_findings_and_resolve(household):
    # Sex 1 (male) disagrees with the 17th digit 2 (even = female): a finding, not an error.
    reg.person_register(actor=ACTOR, person_id="P3", household_id="H1", name="王芳", sex=1,
                        birth_date=date(1949, 12, 31), id_number=GOOD_ID)
    finding = Finding.objects.get(object_id="P3")
    assert finding.rule == "id_number.sex_mismatch"
    assert finding.status == "open"
    reg.person_update(actor=ACTOR, person_id="P3", sex=2)
    finding.refresh_from_db()
    assert finding.status == "resolved"


def test_dismissing_a_finding_needs_a_reason(household):
    reg.person_register(actor=ACTOR, person_id="P4", household_id="H1", name="王芳", sex=2,
                        birth_date=date(1949, 12, 31), id_number="110105194912310021")
    finding = Finding.objects.get(object_id="P4", rule="id_number.check")
    with pytest.raises(ValidationError):
        finding_resolve(actor=ACTOR, finding=finding, dismiss=True)
    finding_resolve(actor=ACTOR, finding=finding, dismiss=True, note="护照核实")
    assert Finding.objects.get(pk=finding.pk).status == "dismissed"


def test_audit_row_rolls_back_with_its_write(household):
    def failing_write() -> None:
        with transaction.atomic():
            audit_log(actor=ACTOR, action="person.update", object_id="X")
            raise RuntimeError("write failed")

    with pytest.raises(RuntimeError):
        failing_write()
    assert not AuditEvent.objects.filter(object_id="X").exists()
