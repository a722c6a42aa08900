from django.contrib import admin

from netral.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("code", "name", "kind", "timezone")
    list_filter = ("level", "kind", "timezone")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
