from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "netral.regions"
    label = "regions"
    verbose_name = "Regions"

    def ready(self) -> None:
        from netral.core import reference
        from netral.regions.models import Region

        # Provinces, their zones and the regencies are memoised (``netral.regions.queries``).
        reference.track(Region)
