from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "netral.commitments"
    verbose_name = "Commitments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from netral.commitments.tallies import heads_may_have_changed
        from netral.core import events
        from netral.registry.events import HeadcountsChanged

        events.subscribe(HeadcountsChanged, heads_may_have_changed)
