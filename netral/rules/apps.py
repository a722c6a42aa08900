from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "netral.rules"
    label = "rules"
    verbose_name = "Rules (the law as data)"

    def ready(self) -> None:
        from netral.rules import signals  # noqa: F401  (connects the receivers)
