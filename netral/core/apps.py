from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "netral.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from netral.core import checks, reference  # noqa: F401  (checks registers the deploy check)

        reference.connect_signals()
