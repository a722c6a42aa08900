from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "netral.registry"
    label = "registry"
    verbose_name = "Registry"
