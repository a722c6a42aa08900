from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "netral.insights"
    verbose_name = "Insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from netral.cases.models import Case
        from netral.insights.menu import register_menu
        from netral.insights.rollup import case_changed

        register_menu()

        post_save.connect(case_changed, sender=Case, dispatch_uid="insights.rollup.save")
        post_delete.connect(case_changed, sender=Case, dispatch_uid="insights.rollup.delete")
