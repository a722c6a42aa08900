from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "netral.demo"
    label = "demo"
    verbose_name = "Demo data"
