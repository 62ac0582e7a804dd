"""`renkou db_worker`: run the background tasks queued in the database (imports, exports).

Production runs one or more of these next to the web server (e.g. a systemd service);
`renkou demo` starts one as a child process. `--batch` runs what is queued and exits.
"""

from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tasks import task_backends

from renkou.jobs.backend import DatabaseBackend
from renkou.jobs.worker import Worker


class Command(BaseCommand):
    help = "Run background tasks queued in the database. / 运行数据库队列中的后台任务。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queue-name", default="default",
                            help="comma-separated queues to take tasks from (default: default)")
        parser.add_argument("--backend", default="default", help="TASKS alias (default)")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds to wait when the queue is empty (default 1)")
        parser.add_argument("--batch", action="store_true",
                            help="run the queued tasks, then exit")
        parser.add_argument("--max-tasks", type=int, default=None,
                            help="exit after this many tasks")
        parser.add_argument("--stop-with-parent", action="store_true",
                            help="exit when the parent process ends (used by renkou demo)")

    def handle(self, *args: Any, **options: Any) -> None:
        alias: str = options["backend"]
        if not isinstance(task_backends[alias], DatabaseBackend):
            raise CommandError(f"TASKS[{alias!r}] is not renkou.jobs.backend.DatabaseBackend")
        if options["verbosity"] > 1:
            logging.getLogger("renkou.jobs").setLevel(logging.INFO)
        worker = Worker(queues=[q.strip() for q in options["queue_name"].split(",") if q.strip()],
                        backend=alias, interval=options["interval"], batch=options["batch"],
                        max_tasks=options["max_tasks"],
                        stop_with_parent=options["stop_with_parent"])
        worker.install_signal_handlers()
        if options["verbosity"]:
            self.stdout.write(f"db_worker {worker.worker_id}: queues {','.join(worker.queues)}")
        done = worker.run()
        if options["verbosity"]:
            self.stdout.write(f"db_worker {worker.worker_id}: {done} task(s) run, stopping")
