"""Open, refresh and resolve data-quality findings."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkou.core.audit import Actor, audit_log
from renkou.core.errors import ValidationError
from renkou.quality.models import Finding, FindingStatus
from renkou.registry.idnumber import IdNumberProblem, check_id_number
from renkou.registry.models import Person

ID_RULE_PREFIX = "id_number."

ID_PROBLEM_MESSAGES = {
    IdNumberProblem.FORMAT: "ID number is not 18 characters of digits (and a final X)",
    IdNumberProblem.CHECK: "ID number check character is wrong",
    IdNumberProblem.BIRTH_DATE_INVALID: "ID number encodes an impossible birth date",
    IdNumberProblem.BIRTH_DATE_MISMATCH: "ID number birth date differs from the record",
    IdNumberProblem.SEX_MISMATCH: "ID number sex digit differs from the record's sex",
    IdNumberProblem.UPGRADED_15: "old 15-digit ID number",
}


def id_number_findings_sync(*, person: Person, unit_code: str) -> list[Finding]:
    """Make the open id-number findings of `person` match its current number."""
    result = check_id_number(person.id_number, birth_date=person.birth_date, sex=person.sex)
    now = timezone.now()
    wanted = {f"{ID_RULE_PREFIX}{p.value}": p for p in result.problems}
    existing = {f.rule: f for f in Finding.objects.filter(
        rule__startswith=ID_RULE_PREFIX, object_type="person", object_id=person.id)}
    kept: list[Finding] = []
    for rule, problem in wanted.items():
        finding = existing.get(rule)
        if finding is None:
            kept.append(Finding.objects.create(
                rule=rule, object_type="person", object_id=person.id, unit_code=unit_code,
                value=person.id_number, message=ID_PROBLEM_MESSAGES[problem], found_at=now))
        else:
            if finding.status != FindingStatus.OPEN or finding.value != person.id_number:
                finding.status = FindingStatus.OPEN
                finding.value = person.id_number
                finding.resolved_at = None
                finding.save(update_fields=["status", "value", "resolved_at"])
            kept.append(finding)
    for rule, finding in existing.items():
        if rule not in wanted and finding.status == FindingStatus.OPEN:
            finding.status = FindingStatus.RESOLVED
            finding.resolved_at = now
            finding.resolution_note = "number corrected"
            finding.save(update_fields=["status", "resolved_at", "resolution_note"])
    return kept


@transaction.atomic
def finding_resolve(*, actor: Actor, finding: Finding, dismiss: bool = False,
                    note: str = "") -> Finding:
    """A person checked the finding: resolved (fixed) or dismissed (not a problem)."""
    if finding.status != FindingStatus.OPEN:
        raise ValidationError(_("This finding is already closed."))
    if dismiss and not note.strip():
        raise ValidationError(_("Say why the finding is not a problem."))
    finding.status = FindingStatus.DISMISSED if dismiss else FindingStatus.RESOLVED
    finding.resolved_at = timezone.now()
    finding.resolved_by_id = actor.user_id
    finding.resolution_note = note
    finding.save()
    audit_log(actor=actor, action="finding.resolve", object_type="finding",
              object_id=str(finding.pk), unit_code=finding.unit_code,
              detail={"status": finding.status, "note": note})
    return finding
