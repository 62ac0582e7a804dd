"""`renkou search_rebuild`: rebuild the person search table from the registry."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from renkou.search.services import search_rebuild


class Command(BaseCommand):
    help = "Rebuild the person search table (names, pinyin, ID numbers) from the registry."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = search_rebuild()
        self.stdout.write(_("Search table rebuilt: %(rows)d persons in %(seconds).1f s.")
                          % {"rows": rows, "seconds": time.perf_counter() - started})
