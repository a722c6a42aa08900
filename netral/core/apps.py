from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "netral.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from netral.core import reference

        reference.connect_signals()
