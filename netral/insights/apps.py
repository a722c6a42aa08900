from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "netral.insights"
    verbose_name = "Insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from netral.cases.events import CaseChanged
        from netral.core import events
        from netral.insights.menu import register_menu
        from netral.insights.tasks import on_case_changed

        register_menu()
        events.subscribe(CaseChanged, on_case_changed)
