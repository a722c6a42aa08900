from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "netral.rules"
    label = "rules"
    verbose_name = "Rules (the law as data)"

    def ready(self) -> None:
        from netral.core import reference
        from netral.rules import signals  # noqa: F401  (connects the receivers)
        from netral.rules.models import DeadlineRule, Election, ViolationType

        # The catalogue's violation types, the elections and the deadline rules are memoised.
        reference.track(DeadlineRule, Election, ViolationType)
