"""`renkou createpersona USER --unit CODE --role ROLE`: a login that works for one unit.

Creates the user if needed (with the given password, or a random one that is printed once)
and adds the membership; audited like any other write.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from renkou.core.audit import audit_log, cli_actor
from renkou.core.models import Membership, Role
from renkou.units.models import Unit


class Command(BaseCommand):
    help = ("Create a login (if needed) and give it a role in a unit. / "
            "创建账号（如尚不存在）并授予其在某单位的角色。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--unit", required=True, help="unit code (12 or 15 digits)")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--export", action="store_true",
                            help="may export personal data (a separate permission)")
        parser.add_argument("--password", default="",
                            help="password for a new user (default: a random one, printed)")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"未知的单位 / Unknown unit {options['unit']}")
        user_model = get_user_model()
        actor = cli_actor()
        with transaction.atomic():
            user = user_model.objects.filter(username=username).first()
            password = ""
            if user is None:
                password = options["password"] or secrets.token_urlsafe(12)
                user = user_model.objects.create_user(username=username, password=password)
                audit_log(actor=actor, action="user.create", object_type="user",
                          object_id=str(user.pk), detail={"username": username})
            membership, created = Membership.objects.update_or_create(
                user=user, unit=unit, role=options["role"],
                defaults={"can_export_personal_data": options["export"]})
            audit_log(actor=actor, action="membership.create" if created
                      else "membership.update", object_type="membership",
                      object_id=str(membership.pk), unit_code=unit.code,
                      detail={"username": username, "role": options["role"],
                              "can_export_personal_data": options["export"]})
        self.stdout.write(f"{username}: {Role(options['role']).label} @ {unit.name} ({unit.code})"
                          + ("，可导出个人信息 / may export personal data"
                             if options["export"] else ""))
        if password and not options["password"]:
            self.stdout.write(f"初始密码 / Initial password: {password}")
