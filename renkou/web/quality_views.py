"""Data-quality findings: the scoped list, and resolving one with a note (who and when are
recorded by the service). Post/redirect/get; a finding outside the user's units is 404."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from renkou.core.audit import request_actor
from renkou.core.errors import NotFound, PermissionDenied, ValidationError
from renkou.quality.models import FindingStatus
from renkou.quality.selectors import finding_get_for_user, findings_page_for_user
from renkou.quality.services import finding_resolve as resolve_service
from renkou.web.views import maps_errors, page_view


def _page(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


@page_view
def finding_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", FindingStatus.OPEN)
    if status not in FindingStatus.values and status != "all":
        status = FindingStatus.OPEN
    rule = request.GET.get("rule", "")
    page = findings_page_for_user(user=request.user,
                                  status="" if status == "all" else status, rule=rule,
                                  page=_page(request.GET.get("page")))
    return render(request, "web/findings.html", {
        "page": page, "status": status, "rule": rule,
        "statuses": [("open", _("Open")), ("resolved", _("Resolved")),
                     ("dismissed", _("Dismissed (not a problem)")), ("all", _("All"))],
        "query": urlencode({"status": status, "rule": rule}),
    })


@login_required
@never_cache
@require_POST
@maps_errors
def finding_resolve(request: HttpRequest, finding_id: int) -> HttpResponse:
    try:
        finding = finding_get_for_user(user=request.user, finding_id=finding_id, write=True)
    except NotFound:
        # Seen but not writable (auditor, service provider): forbidden; else not found.
        finding_get_for_user(user=request.user, finding_id=finding_id)
        raise PermissionDenied() from None
    dismiss = request.POST.get("action") == "dismiss"
    note = request.POST.get("note", "").strip()[:500]
    try:
        resolve_service(actor=request_actor(request), finding=finding, dismiss=dismiss,
                        note=note)
    except ValidationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Finding %(id)s: %(status)s.") % {
            "id": finding.pk, "status": finding.get_status_display()})
    back = request.POST.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = ""
    return redirect(back or "web:finding_list")
