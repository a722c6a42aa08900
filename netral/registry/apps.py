from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "netral.registry"
    label = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        from netral.core import reference
        from netral.registry import signals  # noqa: F401  (connects the receivers)
        from netral.registry.models import Agency, Office

        # Agencies' words and the Bawaslu offices are memoised (matching, intake's routing).
        reference.track(Agency, Office)
