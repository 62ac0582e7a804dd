from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "renkou.quality"
    label = "quality"
    default_auto_field = "django.db.models.BigAutoField"
