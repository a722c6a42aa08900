from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "netral.intake"
    label = "intake"
    verbose_name = "Intake (reports and findings)"

    def ready(self) -> None:
        from netral.intake import checks  # noqa: F401  (registers the deploy check)
