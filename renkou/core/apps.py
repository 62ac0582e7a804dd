from django.apps import AppConfig
from django.db import connections


class CoreConfig(AppConfig):
    name = "renkou.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Only while no connection is open: SQLite can be configured only when shut down.
        if any(connections[alias].vendor == "sqlite" for alias in connections) and all(
                connections[alias].connection is None for alias in connections):
            from renkou.core.sqlite_tuning import disable_memory_statistics

            disable_memory_statistics()
