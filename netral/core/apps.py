from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "netral.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from netral.core import checks  # noqa: F401  (registers the deploy check)
