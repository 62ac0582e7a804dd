"""`renkou demo`: a working system in one command on a fresh checkout (SPEC §5).

1. The schema is created or migrated (the `renkou` console script does it before any command;
   this command does it again when run through manage.py or call_command).
2. If the database has no persons yet, a synthetic county (fixed seed) is generated into
   RENKOU_HOME/demo-data/ and loaded with the ordinary import service. A database that
   already has persons is left as it is, so a second `renkou demo` starts at once.
3. Three logins are created or refreshed, all with the demo password (`renkou-demo`, or
   RENKOU_DEMO_PASSWORD): `demo` (county administrator, may export personal data),
   `township` (clerk of the first township) and `village` (worker of that township's first
   village).
4. The address and the logins are printed in Chinese and English, then the web app is served
   with Django's development server (static files included) until Ctrl+C.
5. While it serves, a background worker (`renkou db_worker`, the database task queue: web
   imports) runs as a child process; it stops with the server (Ctrl+C, SIGTERM, or the
   parent disappearing: `--stop-with-parent`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation

from renkou.core.audit import audit_log, cli_actor
from renkou.core.models import Membership, Role
from renkou.registry.models import Person
from renkou.units.models import Unit

DEFAULT_PASSWORD = "renkou-demo"  # noqa: S105 (documented demo password, README)
DEFAULT_PERSONS = 20_000
MIN_PERSONS = 100  # the generator's minimum
DEFAULT_SEED = 20250101
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: Unit


def demo_password() -> str:
    return os.environ.get("RENKOU_DEMO_PASSWORD") or DEFAULT_PASSWORD


def demo_data_dir() -> Path:
    return Path(settings.RENKOU_HOME) / "demo-data"


def load_demo_county(*, persons: int, seed: int, out_dir: Path, progress: bool) -> str:
    """Generate a synthetic county into `out_dir` and import it; returns a one-line summary."""
    try:
        from renkou.exchange.services import import_directory
        from renkou.synth.generate import generate_county
    except ImportError as exc:  # the generator or the import service is missing
        raise CommandError(
            f"演示数据无法生成：{exc} / The demo data cannot be built: {exc}") from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    generate_county(persons=persons, seed=seed, out_dir=out_dir)
    report = import_directory(directory=out_dir, actor=cli_actor(), progress=progress)
    if not report.ok:
        raise CommandError(
            f"演示数据导入失败（{report.errors.height} 个错误）/ The demo import failed "
            f"({report.errors.height} errors); see {report.errors_path}")
    return ", ".join(f"{name} {counts.get('inserted', 0):,}"
                     for name, counts in report.counts.items())


def _ensure_login(*, username: str, password: str, unit: Unit, role: str,
                  can_export: bool = False) -> DemoLogin:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    if created or not user.check_password(password):
        user.set_password(password)
        user.save()
    Membership.objects.update_or_create(
        user=user, unit=unit, role=role,
        defaults={"can_export_personal_data": can_export},
    )
    return DemoLogin(username=username, role=role, unit=unit)


def ensure_demo_logins(password: str) -> list[DemoLogin]:
    """`demo` for the first county, `township` and `village` below it. Idempotent."""
    county = Unit.objects.filter(level="county").order_by("code").first()
    if county is None:
        return []
    township = (Unit.objects.filter(level="township", county_code=county.code)
                .order_by("code").first())
    village = (Unit.objects.filter(level="village", township_code=township.code)
               .order_by("code").first()) if township is not None else None
    logins: list[DemoLogin] = []
    with transaction.atomic():
        logins.append(_ensure_login(username="demo", password=password, unit=county,
                                    role=Role.COUNTY_ADMIN, can_export=True))
        if township is not None:
            logins.append(_ensure_login(username="township", password=password,
                                        unit=township, role=Role.TOWNSHIP_CLERK))
        if village is not None:
            logins.append(_ensure_login(username="village", password=password, unit=village,
                                        role=Role.VILLAGE_WORKER))
        audit_log(actor=cli_actor(), action="demo.logins", object_type="user",
                  detail={"usernames": [login.username for login in logins]})
    return logins


def start_worker() -> subprocess.Popen[bytes] | None:
    """`renkou db_worker` as a child process, if tasks go to the database queue."""
    from django_tasks import task_backends

    from renkou.jobs.backend import DatabaseBackend

    if not isinstance(task_backends["default"], DatabaseBackend):
        return None  # e.g. the immediate backend: tasks run inside the request
    command = [sys.executable, "-m", "renkou.cli", "db_worker", "--stop-with-parent",
               "--verbosity", "0"]
    return subprocess.Popen(command, env=os.environ.copy())  # noqa: S603 — our own command


def stop_worker(worker: subprocess.Popen[bytes] | None, timeout: float = 30) -> None:
    """SIGTERM: the worker finishes its current task and exits; killed after `timeout`."""
    if worker is None or worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _role_label(role: str, language: str) -> str:
    with translation.override(language):
        return str(Role(role).label)


class Command(BaseCommand):
    help = ("Build the demo database (a synthetic county), create the demo logins and serve "
            "the web app. / 生成演示数据库、创建演示账号并启动网页服务。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=DEFAULT_PERSONS,
                            help=f"persons in the synthetic county (default {DEFAULT_PERSONS})")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"random seed of the synthetic county (default {DEFAULT_SEED})")
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
        parser.add_argument("--port", type=int, default=8000, help="port to serve on")
        parser.add_argument("--no-serve", action="store_true",
                            help="prepare the database and logins, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        from renkou.cli import ensure_schema

        persons: int = options["persons"]
        if persons < MIN_PERSONS:
            raise CommandError(f"--persons must be at least {MIN_PERSONS}")
        ensure_schema(verbosity=0)
        write = self.stdout.write
        existing = Person.objects.count()
        if existing:
            write(f"数据库已有 {existing:,} 人，跳过演示数据生成。/ "
                  f"The database already holds {existing:,} persons; not loading demo data.")
        else:
            out_dir = demo_data_dir()
            write(f"正在生成 {persons:,} 人的模拟县数据（种子 {options['seed']}）… / "
                  f"Generating a synthetic county of {persons:,} persons "
                  f"(seed {options['seed']}) into {out_dir} …")
            started = time.monotonic()
            summary = load_demo_county(persons=persons, seed=options["seed"], out_dir=out_dir,
                                       progress=self.stdout.isatty())
            write(f"生成并导入完成 / Generated and imported in {time.monotonic() - started:.1f} s"
                  + (f": {summary}" if summary else ""))
        password = demo_password()
        logins = ensure_demo_logins(password)
        host: str = options["host"]
        port: int = options["port"]
        self._print_banner(host=host, port=port, password=password, logins=logins,
                           serve=not options["no_serve"])
        if options["no_serve"]:
            return
        self._serve(host=host, port=port)

    def _print_banner(self, *, host: str, port: int, password: str, logins: list[DemoLogin],
                      serve: bool) -> None:
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        if ":" in shown_host:
            shown_host = f"[{shown_host}]"
        url = f"http://{shown_host}:{port}/"
        lines = [
            "",
            "=" * 72,
            "Renkou 人口家庭服务信息系统 — 演示 / demo",
            f"  网址 Address : {url}",
            f"  密码 Password: {password}   (全部演示账号 / every demo login)",
        ]
        if not logins:
            lines.append("  数据库中没有县级单位，未创建演示账号。/ No county unit in the database: "
                         "no demo logins were created.")
        for login in logins:
            lines.append(
                f"  账号 Login   : {login.username:<9} {_role_label(login.role, 'zh-hans')} / "
                f"{_role_label(login.role, 'en')} — {login.unit.name} ({login.unit.code})")
        if os.environ.get("RENKOU_DEMO_PASSWORD") is None:
            lines.append("  设置 RENKOU_DEMO_PASSWORD 可更换密码。/ "
                         "Set RENKOU_DEMO_PASSWORD to use another password.")
        if serve:
            lines.append("  按 Ctrl+C 停止服务。/ Press Ctrl+C to stop.")
        lines.append("=" * 72)
        self.stdout.write("\n".join(lines))

    def _serve(self, *, host: str, port: int) -> None:
        if host not in LOOPBACK:
            # Let other machines reach the demo by whatever name they use for this one.
            allowed = list(settings.ALLOWED_HOSTS)
            allowed.append("*" if host in {"0.0.0.0", "::"} else host)  # noqa: S104
            settings.ALLOWED_HOSTS = allowed
        addrport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        worker = start_worker()
        if worker is not None:
            self.stdout.write(f"后台任务进程已启动 / Background worker started (pid {worker.pid})")
        # SIGTERM (e.g. a service manager) stops the server like Ctrl+C, so the worker stops too.
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            call_command("runserver", addrport, use_reloader=False, insecure_serving=True,
                         use_ipv6=":" in host, use_threading=True)
        finally:
            signal.signal(signal.SIGTERM, previous)
            stop_worker(worker)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)
