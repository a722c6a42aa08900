from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "netral.registry"
    label = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        from netral.registry import signals  # noqa: F401  (connects the receivers)
