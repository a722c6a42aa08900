from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "netral.commitments"
    verbose_name = "Commitments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from netral.commitments import tallies  # noqa: F401  (connects the receiver)
