"""The audit trail: every read of one person's record, and every write in its transaction.

Reads: who (user and user name), when, what (action, object) and from where (REMOTE_ADDR).
Writes: the audit row commits with the write or not at all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from renkou.core.audit import Actor, audit_log, cli_actor, data_version_bump, data_version_get
from renkou.core.models import AuditEvent
from renkou.registry.models import Household
from tests import factories as f
from tests.web.data import make_people


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(units):
    return make_people()


def _client(user: Any, address: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


# --- reads -------------------------------------------------------------------------------------

def test_person_page_read_is_logged_with_who_when_what_where(personas, people):
    user = personas["village_worker_a"]
    before = timezone.now()
    response = _client(user, "10.20.30.40").get("/persons/P-A2/")
    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert event.action == "person.view"
    assert (event.user_id, event.username) == (user.pk, "vw_a")
    assert (event.object_type, event.object_id) == ("person", "P-A2")
    assert event.unit_code == f.GROUP_A1
    assert event.origin == "10.20.30.40"
    assert before <= event.at <= timezone.now() + timedelta(seconds=1)


def test_every_read_is_logged_not_only_the_first(personas, people):
    client = _client(personas["county_admin"], "10.0.0.1")
    for _ in range(3):
        client.get("/persons/P-C1/")
    client.get("/persons/P-B1/")
    assert list(AuditEvent.objects.order_by("id").values_list("object_id", flat=True)) == [
        "P-C1", "P-C1", "P-C1", "P-B1"]


def test_household_read_is_logged_with_the_members_shown(personas, people):
    _client(personas["village_worker_a"], "10.0.0.2").get("/households/H-A1/")
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.origin) == ("household.view", "H-A1",
                                                             "10.0.0.2")
    assert event.detail == {"members": ["P-A1", "P-A2", "P-A3"]}


def test_reads_of_ones_outside_scope_or_missing_log_nothing(personas, people):
    client = _client(personas["village_worker_a"], "10.0.0.3")
    assert client.get("/persons/P-C1/").status_code == 404
    assert client.get("/persons/NOPE/").status_code == 404
    assert client.get("/households/H-C1/").status_code == 404
    assert not AuditEvent.objects.exists()


def test_listing_pages_are_not_person_reads(personas, people):
    client = _client(personas["village_worker_a"], "10.0.0.4")
    client.get("/")
    client.get("/persons/")
    assert not AuditEvent.objects.filter(action="person.view").exists()


# --- writes ------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_write_and_its_audit_row_commit_together(units):
    actor = cli_actor()
    with transaction.atomic():
        Household.objects.create(id="H-NEW", unit_id=f.GROUP_A1)
        audit_log(actor=actor, action="household.create", object_type="household",
                  object_id="H-NEW", unit_code=f.GROUP_A1)
    assert Household.objects.filter(id="H-NEW").exists()
    event = AuditEvent.objects.get(action="household.create")
    assert event.origin.startswith("cli:")


@pytest.mark.django_db(transaction=True)
def test_a_failing_write_leaves_no_audit_row(units):
    actor = cli_actor()

    class Boom(Exception):
        pass

    def failing_write() -> None:
        with transaction.atomic():
            audit_log(actor=actor, action="household.create", object_type="household",
                      object_id="H-FAIL", unit_code=f.GROUP_A1)
            Household.objects.create(id="H-FAIL", unit_id=f.GROUP_A1)
            raise Boom()

    with pytest.raises(Boom):
        failing_write()
    assert not Household.objects.filter(id="H-FAIL").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_write_failing_in_the_database_takes_its_audit_row_with_it(units):
    from django.db import IntegrityError

    Household.objects.create(id="H-DUP", unit_id=f.GROUP_A1)
    def duplicate_write() -> None:
        with transaction.atomic():
            audit_log(actor=cli_actor(), action="household.create", object_type="household",
                      object_id="H-DUP")
            Household.objects.create(id="H-DUP", unit_id=f.GROUP_A1)  # duplicate key

    with pytest.raises(IntegrityError):
        duplicate_write()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_audit_of_a_write_outside_a_transaction_is_refused(units):
    with pytest.raises(RuntimeError, match="outside a transaction"):
        audit_log(actor=cli_actor(), action="household.create", object_id="H-X")
    # reads may be logged on their own
    audit_log(actor=Actor(user=None, origin="10.0.0.9"), action="person.view",
              object_id="P-A1")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_page_reads_commit_their_audit_rows(units, django_user_model, settings):
    """With real transactions (no test wrapper): the read's audit row is committed."""
    from django.db import connection

    make_people()
    user = f.make_user("vw_t", f.VILLAGE_A, "village_worker")
    _client(user, "10.0.0.5").get("/persons/P-A1/")
    assert not connection.in_atomic_block
    assert AuditEvent.objects.filter(action="person.view", object_id="P-A1",
                                     origin="10.0.0.5").count() == 1


def test_data_version(db):
    assert data_version_get() == 0
    with transaction.atomic():
        data_version_bump()
        data_version_bump()
    assert data_version_get() == 2
