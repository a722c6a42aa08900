from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "netral.screening"
    verbose_name = "Screening"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from netral.core import events
        from netral.intake.events import ReportSubmitted
        from netral.screening.evidence import on_report_submitted

        events.subscribe(ReportSubmitted, on_report_submitted)
