"""Audit logging. Call inside the write's transaction so both commit or neither does."""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import F
from django.utils import timezone

from renkou.core.models import AuditEvent, DataVersion


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where (an IP address, or `cli:user@host`)."""

    user: AbstractBaseUser | None
    origin: str

    @property
    def username(self) -> str:
        if self.user is None:
            return ""
        return str(self.user.get_username())

    @property
    def user_id(self) -> int | None:
        return None if self.user is None else int(self.user.pk)


def cli_actor(user: AbstractBaseUser | None = None) -> Actor:
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return Actor(user=user, origin=f"cli:{login}@{socket.gethostname()}")


def request_actor(request: Any) -> Actor:
    address = str(request.META.get("REMOTE_ADDR", ""))
    if settings.RENKOU_TRUST_X_FORWARDED_FOR:
        # Only behind a known reverse proxy: otherwise a client could choose its audited IP.
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        address = forwarded.split(",")[-1].strip() or address
    user = request.user if not isinstance(request.user, AnonymousUser) else None
    return Actor(user=user, origin=str(address))




def audit_log(*, actor: Actor, action: str, object_type: str = "", object_id: str = "",
              unit_code: str = "", detail: dict[str, Any] | None = None) -> AuditEvent:
    if not connection.in_atomic_block and action.split(".")[-1] not in {"view", "export",
                                                                         "list", "login"}:
        # A write's audit row must share the write's transaction (see ARCHITECTURE.md).
        raise RuntimeError(f"audit_log({action}) called outside a transaction")
    return AuditEvent.objects.create(
        at=timezone.now(), user_id=actor.user_id, username=actor.username, action=action,
        object_type=object_type, object_id=object_id, unit_code=unit_code,
        origin=actor.origin, detail=detail or {},
    )


def data_version_bump(name: str = "registry") -> None:
    """Mark registry data as changed; statistics caches compare this number."""
    updated = DataVersion.objects.filter(name=name).update(version=F("version") + 1,
                                                           changed_at=timezone.now())
    if not updated:
        DataVersion.objects.create(name=name, version=1, changed_at=timezone.now())


def data_version_get(name: str = "registry") -> int:
    row = DataVersion.objects.filter(name=name).values_list("version", flat=True).first()
    return int(row or 0)
