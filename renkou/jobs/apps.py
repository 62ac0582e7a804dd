from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "renkou.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
