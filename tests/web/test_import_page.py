"""The import page through Django's test client: who sees it, upload → job page → worker →
progress partial → errors table and import-errors.csv download."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from renkou.core.models import AuditEvent
from renkou.jobs.models import ImportJob, ImportStatus
from renkou.jobs.worker import run_one
from renkou.registry.models import Person
from tests.jobs import files as x


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.RENKOU_HOME = tmp_path
    settings.TASKS = {"default": {"BACKEND": "renkou.jobs.backend.DatabaseBackend"}}


def _client(user: Any, language: str = "en") -> Client:
    client = Client(REMOTE_ADDR="10.0.0.8")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def test_only_clerks_and_county_administrators_get_the_page(personas):
    for persona, status in (("township_clerk_1", 200), ("county_admin", 200),
                            ("village_worker_a", 403), ("auditor", 403)):
        response = _client(personas[persona]).get("/import/")
        assert response.status_code == status, persona
    assert Client().get("/import/").status_code == 302  # sign in first


def test_nav_link_only_for_importers(personas):
    link = 'href="/import/"'
    assert link in _client(personas["township_clerk_1"]).get("/persons/").content.decode()
    assert link not in _client(personas["village_worker_a"]).get("/persons/").content.decode()


def test_a_village_worker_cannot_post_an_upload(personas):
    response = _client(personas["village_worker_a"]).post(
        "/import/", {"files": [x.upload("households.csv", x.HOUSEHOLDS)]})
    assert response.status_code == 403
    assert ImportJob.objects.count() == 0


def test_a_wrong_file_is_refused_on_the_form(personas):
    response = _client(personas["county_admin"]).post(
        "/import/", {"files": [x.upload("notes.txt", "hello")]})
    assert response.status_code == 400
    assert "notes.txt is not an import file" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_upload_with_an_error_shows_the_errors_and_changes_nothing(
        personas, django_capture_on_commit_callbacks):
    client = _client(personas["township_clerk_1"])
    before = Person.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/import/", {"files": [
            x.upload("households.csv", x.HOUSEHOLDS),
            x.upload("persons.csv", x.PERSONS_BAD_SEX)]})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/import/{job.pk}/"

    # queued: the page polls the progress partial (htmx) and refreshes without JavaScript
    page = client.get(f"/import/{job.pk}/").content.decode()
    assert f'hx-get="/import/{job.pk}/progress/"' in page
    assert 'http-equiv="refresh"' in page
    assert "Waiting for a worker" in page

    run_one()
    partial = client.get(f"/import/{job.pk}/progress/").content.decode()
    assert "hx-get" not in partial  # finished: polling stops
    assert "1 error was found: nothing was imported." in partial
    assert "persons.csv" in partial
    assert "<td>sex</td>" in partial
    page = client.get(f"/import/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page

    download = client.get(f"/import/{job.pk}/import-errors.csv")
    assert download.status_code == 200
    assert 'filename="import-errors.csv"' in download["Content-Disposition"]
    body = b"".join(download.streaming_content).decode("utf-8")
    assert body.startswith("\ufefffile,line,column,value,message")
    assert "persons.csv,3,sex,3," in body
    assert Person.objects.count() == before
    assert AuditEvent.objects.filter(action="import.errors_export",
                                     object_id=str(job.pk)).exists()


def test_successful_upload_reaches_done(personas, django_capture_on_commit_callbacks):
    client = _client(personas["county_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/import/", {"files": [x.upload("households.csv", x.HOUSEHOLDS),
                                           x.upload("persons.csv", x.PERSONS)]})
    job = ImportJob.objects.get()
    run_one()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    partial = client.get(f"/import/{job.pk}/progress/").content.decode()
    assert 'data-status="done"' in partial
    assert 'max="10" value="10"' in partial
    assert "<td>persons</td><td>3</td><td>3</td>" in partial
    listing = client.get("/import/").content.decode()
    assert "households.csv, persons.csv" in listing
    assert "Imported" in listing
    assert client.get(f"/import/{job.pk}/import-errors.csv").status_code == 404


def test_another_users_job_is_not_found(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _client(personas["township_clerk_1"]).post(
            "/import/", {"files": [x.upload("households.csv", x.HOUSEHOLDS)]})
    job = ImportJob.objects.get()
    other = _client(personas["county_admin"])
    for url in (f"/import/{job.pk}/", f"/import/{job.pk}/progress/",
                f"/import/{job.pk}/import-errors.csv"):
        assert other.get(url).status_code == 404

