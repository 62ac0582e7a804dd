"""The duplicate review page: pending pairs of the user's units, confirm or reject.

Scoped like every page: a pair outside the user's units is 404, exactly like one that does
not exist. Writes go through the same services as the command line.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from renkou.core.audit import audit_log, request_actor
from renkou.core.errors import NotFound, RenkouError
from renkou.linkage.labels import reason_labels
from renkou.linkage.models import PairStatus
from renkou.linkage.selectors import pair_get_for_user, pairs_list_for_user
from renkou.linkage.services import pair_confirm, pair_reject

PAGE_SIZE = 50


@login_required
@never_cache
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", PairStatus.PENDING)
    if status not in PairStatus.values:
        status = PairStatus.PENDING
    rows = pairs_list_for_user(user=request.user, status=status, limit=PAGE_SIZE)
    from django.db import transaction

    with transaction.atomic():
        audit_log(actor=request_actor(request), action="linkage.pairs.list",
                  detail={"status": status, "shown": len(rows)})
    context: dict[str, Any] = {
        "rows": [(row, reason_labels(row.pair.reason_list)) for row in rows],
        "status": status, "statuses": PairStatus.choices, "page_size": PAGE_SIZE,
    }
    return render(request, "linkage/review.html", context)


def _decide(request: HttpRequest, pair_id: int, confirm: bool) -> HttpResponse:
    try:
        pair = pair_get_for_user(user=request.user, pair_id=pair_id, write=True)
        service = pair_confirm if confirm else pair_reject
        service(actor=request_actor(request), pair=pair,
                note=str(request.POST.get("note", ""))[:500])
    except NotFound:
        raise Http404 from None
    except RenkouError as exc:
        return render(request, "web/error.html", {"error": exc}, status=exc.http_status)
    return redirect("linkage:review")


@login_required
@require_POST
def confirm(request: HttpRequest, pair_id: int) -> HttpResponse:
    return _decide(request, pair_id, confirm=True)


@login_required
@require_POST
def reject(request: HttpRequest, pair_id: int) -> HttpResponse:
    return _decide(request, pair_id, confirm=False)
