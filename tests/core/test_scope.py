"""Unit scope (renkou.core.scope) and the registry selectors built on it.

Given personas in units of a two-township county and people in three villages,
every selector returns only what lies in the user's units; anything else is NotFound.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from renkou.core.audit import Actor
from renkou.core.errors import NotFound
from renkou.core.models import AuditEvent, Membership
from renkou.core.scope import unit_scope_q, user_can_see_unit, user_has_role, user_units
from renkou.registry import selectors
from renkou.units.models import Unit
from tests import factories as f
from tests.web.data import VISIBLE_VILLAGES, make_people

ACTOR_ORIGIN = "192.0.2.1"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(units):
    return make_people()


def _actor(user: Any) -> Actor:
    return Actor(user=user, origin=ACTOR_ORIGIN)


def _expected(persona: str, people) -> set[str]:
    return {r.person_id for r in people.values() if r.village in VISIBLE_VILLAGES[persona]}


# --- scope helpers -----------------------------------------------------------------------------

def test_user_units_follow_memberships(personas):
    assert [u.code for u in user_units(personas["village_worker_a"])] == [f.VILLAGE_A]
    assert [u.code for u in user_units(personas["township_clerk_1"],
                                       {"township_clerk"})] == [f.TOWNSHIP_1]
    assert user_units(personas["township_clerk_1"], {"county_admin"}) == []
    assert user_units(AnonymousUser()) == []
    assert user_units(None) == []


def test_superuser_without_membership_sees_nothing(units, people):
    root = get_user_model().objects.create_superuser("root", password="pw-root")
    assert user_units(root) == []
    assert list(selectors.persons_for_user(user=root)) == []
    with pytest.raises(NotFound):
        selectors.person_get_for_user(user=root, person_id="P-A1", actor=_actor(root))


def test_unit_scope_q_matches_units_at_or_under(units):
    township = Unit.objects.get(code=f.TOWNSHIP_1)
    group = Unit.objects.get(code=f.GROUP_A1)
    under_township = set(Unit.objects.filter(unit_scope_q([township], ""))
                         .values_list("code", flat=True))
    assert under_township == {f.TOWNSHIP_1, f.VILLAGE_A, f.VILLAGE_B, f.GROUP_A1, f.GROUP_A2,
                              f.GROUP_B1}
    assert set(Unit.objects.filter(unit_scope_q([group], "")).values_list(
        "code", flat=True)) == {f.GROUP_A1}
    assert not Unit.objects.filter(unit_scope_q([], "")).exists()


def test_user_can_see_unit(personas, units):
    worker = personas["village_worker_a"]
    assert user_can_see_unit(worker, units[f.GROUP_A2])
    assert user_can_see_unit(worker, units[f.VILLAGE_A])
    assert not user_can_see_unit(worker, units[f.VILLAGE_B])
    assert not user_can_see_unit(worker, units[f.TOWNSHIP_1])  # above is not inside
    assert user_can_see_unit(personas["county_admin"], units[f.GROUP_C1])
    assert user_has_role(personas["county_admin"], {"county_admin"})
    assert not user_has_role(personas["village_worker_a"], {"county_admin"})


# --- selectors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", sorted(VISIBLE_VILLAGES))
def test_persons_for_user(persona, personas, people):
    got = set(selectors.persons_for_user(user=personas[persona]).values_list("id", flat=True))
    assert got == _expected(persona, people)


@pytest.mark.parametrize("persona", sorted(VISIBLE_VILLAGES))
def test_search_for_user_never_crosses_units(persona, personas, people):
    user = personas[persona]
    for resident in people.values():
        for query in (resident.name, resident.name[:1], resident.id_number,
                      resident.person_id):
            page = selectors.persons_search_for_user(user=user, query=query)
            found = {p.id for p in page.persons}
            assert found <= _expected(persona, people), (persona, query)
            if resident.village in VISIBLE_VILLAGES[persona]:
                assert resident.person_id in found


@pytest.mark.parametrize("persona", sorted(VISIBLE_VILLAGES))
def test_person_and_household_get(persona, personas, people):
    user = personas[persona]
    for resident in people.values():
        visible = resident.village in VISIBLE_VILLAGES[persona]
        if visible:
            person = selectors.person_get_for_user(user=user, person_id=resident.person_id,
                                                   actor=_actor(user))
            assert person.id == resident.person_id
            detail = selectors.household_detail_for_user(
                user=user, household_id=resident.household_id, actor=_actor(user))
            assert resident.person_id in [m.id for m in detail.members]
        else:
            with pytest.raises(NotFound):
                selectors.person_get_for_user(user=user, person_id=resident.person_id,
                                              actor=_actor(user))
            with pytest.raises(NotFound):
                selectors.household_get_for_user(user=user,
                                                 household_id=resident.household_id,
                                                 actor=_actor(user))
            with pytest.raises(NotFound):
                selectors.household_detail_for_user(user=user,
                                                    household_id=resident.household_id,
                                                    actor=_actor(user))


def test_refused_reads_leave_no_audit_row(personas, people):
    user = personas["village_worker_a"]
    with pytest.raises(NotFound):
        selectors.person_get_for_user(user=user, person_id="P-C1", actor=_actor(user))
    assert not AuditEvent.objects.exists()


def test_relatives_are_scoped(personas, people):
    worker = personas["village_worker_a"]
    person = selectors.person_get_for_user(user=worker, person_id="P-A4", actor=_actor(worker))
    relatives = selectors.person_relatives_for_user(user=worker, person=person)
    assert relatives.mother is None
    assert relatives.mother_hidden
    admin = personas["county_admin"]
    relatives = selectors.person_relatives_for_user(user=admin, person=person)
    assert relatives.mother is not None
    assert relatives.mother.id == "P-C1"
    mother = selectors.person_get_for_user(user=admin, person_id="P-C1", actor=_actor(admin))
    children = selectors.person_relatives_for_user(user=admin, person=mother).children
    assert [c.id for c in children] == ["P-A4", "P-C2"]  # by birth date
    children = selectors.person_relatives_for_user(user=personas["village_worker_c"],
                                                   person=mother).children
    assert [c.id for c in children] == ["P-C2"]


def test_membership_in_a_group_limits_to_the_group(units, people):
    user = get_user_model().objects.create_user("grp", password="pw-grp")
    Membership.objects.create(user=user, unit_id=f.GROUP_A2, role="village_worker")
    assert set(selectors.persons_for_user(user=user).values_list("id", flat=True)) == {"P-A4"}


def test_several_memberships_add_up(units, people):
    user = get_user_model().objects.create_user("two", password="pw-two")
    Membership.objects.create(user=user, unit_id=f.VILLAGE_B, role="village_worker")
    Membership.objects.create(user=user, unit_id=f.VILLAGE_C, role="service_provider")
    got = set(selectors.persons_for_user(user=user).values_list("id", flat=True))
    assert got == {"P-B1", "P-C1", "P-C2"}


def test_households_count_for_unit_is_scoped(personas, people, units):
    worker = personas["village_worker_a"]
    assert selectors.households_count_for_unit(user=worker, unit=units[f.VILLAGE_A]) == 2
    assert selectors.households_count_for_unit(user=worker, unit=units[f.VILLAGE_C]) == 0
    assert selectors.households_count_for_unit(user=worker, unit=units[f.COUNTY]) == 2
    assert selectors.households_count_by_level(
        user=personas["county_admin"], unit=units[f.COUNTY], level="township") == {
        f.TOWNSHIP_1: 3, f.TOWNSHIP_2: 1}
