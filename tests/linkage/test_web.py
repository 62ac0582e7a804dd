"""The review page: scoped to the user's units, confirm/reject through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from renkou.core.models import AuditEvent
from renkou.linkage.models import DuplicatePair, PairStatus
from tests import factories as f
from tests.linkage import data


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client(user: Any) -> Client:
    client = Client(REMOTE_ADDR="10.0.0.7")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(user)
    return client


@pytest.fixture
def pairs(personas: dict[str, Any]) -> dict[str, DuplicatePair]:
    data.registry()
    now = timezone.now()

    def make(a: str, b: str, unit_a: str, unit_b: str) -> DuplicatePair:
        return DuplicatePair.objects.create(
            person_a=a, person_b=b, unit_a_id=unit_a, unit_b_id=unit_b, probability=0.97,
            reasons="name_homophone;id_exact;birth_exact;same_sex", found_at=now,
            last_seen_at=now)

    return {"village_a": make("P01", "P03", f.GROUP_A1, f.GROUP_A1),
            "village_c": make("P11", "P12", f.GROUP_C1, f.GROUP_C1),
            "across": make("P01", "P02", f.GROUP_A1, f.GROUP_B1)}


def _shown(client: Client) -> set[int]:
    response = client.get("/quality/duplicates/")
    assert response.status_code == 200
    return {p.pair.pk for p, _ in response.context["rows"]}


def test_each_user_sees_only_pairs_inside_their_units(
        personas: dict[str, Any], pairs: dict[str, DuplicatePair]) -> None:
    assert _shown(_client(personas["village_worker_a"])) == {pairs["village_a"].pk}
    assert _shown(_client(personas["village_worker_c"])) == {pairs["village_c"].pk}
    assert _shown(_client(personas["township_clerk_1"])) == {pairs["village_a"].pk,
                                                             pairs["across"].pk}
    assert _shown(_client(personas["county_admin"])) == {p.pk for p in pairs.values()}
    page = _client(personas["village_worker_a"]).get("/quality/duplicates/").content.decode()
    assert "王丽" in page
    assert "李建国" in page
    assert "赵敏" not in page
    assert "同音" in page or "name sounds the same" in page


def test_confirm_and_reject(personas: dict[str, Any], pairs: dict[str, DuplicatePair]) -> None:
    client = _client(personas["village_worker_a"])
    outside = pairs["village_c"]
    assert client.post(f"/quality/duplicates/{outside.pk}/confirm/").status_code == 404
    assert client.post(f"/quality/duplicates/{pairs['across'].pk}/reject/").status_code == 404
    outside.refresh_from_db()
    assert outside.status == PairStatus.PENDING

    mine = pairs["village_a"]
    response = client.post(f"/quality/duplicates/{mine.pk}/reject/", {"note": "两个人"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.note, mine.decided_by) == (
        PairStatus.REJECTED, "两个人", personas["village_worker_a"])
    audit = AuditEvent.objects.get(action="linkage.pair.rejected")
    assert (audit.username, audit.origin, audit.object_id) == ("vw_a", "10.0.0.7",
                                                               str(mine.pk))
    assert _shown(client) == set()

    clerk = _client(personas["township_clerk_1"])
    assert clerk.post(f"/quality/duplicates/{pairs['across'].pk}/confirm/").status_code == 302
    assert DuplicatePair.objects.get(pk=pairs["across"].pk).status == PairStatus.CONFIRMED


def test_readers_cannot_decide(personas: dict[str, Any],
                               pairs: dict[str, DuplicatePair]) -> None:
    auditor = _client(personas["auditor"])
    assert pairs["village_a"].pk in _shown(auditor)
    assert auditor.post(f"/quality/duplicates/{pairs['village_a'].pk}/confirm/"
                        ).status_code == 404
    assert DuplicatePair.objects.get(pk=pairs["village_a"].pk).status == PairStatus.PENDING


def test_anonymous_is_sent_to_login(pairs: dict[str, DuplicatePair]) -> None:
    response = Client().get("/quality/duplicates/")
    assert response.status_code == 302
    assert "login" in response["Location"]
