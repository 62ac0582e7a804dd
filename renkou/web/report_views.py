"""The reports page (choose unit, period, level; see the table; export Excel or PDF) and the
password change page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import get_language

from renkou.core.audit import audit_log, request_actor
from renkou.core.errors import NotFound, ValidationError
from renkou.web.reports import (
    EXPORT_FORMATS,
    level_choices,
    parse_level,
    parse_report_period,
    period_choices,
    report_export,
    report_table,
    report_unit_for_user,
    report_units_for_user,
)
from renkou.web.views import page_view


@page_view
def reports(request: HttpRequest) -> HttpResponse:
    unit = report_unit_for_user(user=request.user, code=request.GET.get("unit"))
    context: dict[str, Any] = {
        "unit": unit,
        "units": report_units_for_user(request.user),
        "period_groups": period_choices(),
        "levels": level_choices(unit),
        "level": request.GET.get("level", ""),
        "period_code": request.GET.get("period", ""),
        "table": None,
        "form_error": None,
    }
    try:
        period = parse_report_period(request.GET.get("period"))
        level = parse_level(request.GET.get("level"), unit)
    except ValidationError as exc:
        context["form_error"] = str(exc)
        return render(request, "web/reports/reports.html", context, status=400)
    context.update(period_code=period.code, level=level or "",
                   table=report_table(unit=unit, period=period, level=level))
    return render(request, "web/reports/reports.html", context)


@page_view
def report_download(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("format", "")
    if kind not in EXPORT_FORMATS:
        raise NotFound()
    unit = report_unit_for_user(user=request.user, code=request.GET.get("unit"))
    period = parse_report_period(request.GET.get("period"))
    level = parse_level(request.GET.get("level"), unit)
    file = report_export(unit=unit, period=period, level=level, kind=kind,
                         lang=get_language() or "zh-hans")
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new twice, the validators), audited."""

    template_name = "web/password_change.html"
    success_url = reverse_lazy("web:password_change_done")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            audit_log(actor=request_actor(self.request), action="user.password_change",
                      object_type="user", object_id=str(form.user.pk))
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "web/password_change_done.html"
