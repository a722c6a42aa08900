from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "netral.cases"
    label = "cases"
    verbose_name = "Cases"
