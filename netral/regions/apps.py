from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "netral.regions"
    label = "regions"
    verbose_name = "Regions"
