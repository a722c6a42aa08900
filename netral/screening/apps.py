from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "netral.screening"
    verbose_name = "Screening"
    default_auto_field = "django.db.models.BigAutoField"
