from django.contrib import admin

from netral.registry.models import Agency, CivilServant, Office, Position, PPKAppointment, Unit


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ("code", "name", "kind", "region")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    raw_id_fields = ("region",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ("code", "name", "agency", "parent", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("agency", "parent")
    list_select_related = ("agency", "parent")


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin[Position]):
    search_fields = ("name",)


@admin.register(CivilServant)
class CivilServantAdmin(admin.ModelAdmin[CivilServant]):
    list_display = ("nip", "name", "employment_type", "agency", "is_active", "nip_conforms")
    list_filter = ("employment_type", "is_active", "nip_conforms")
    search_fields = ("=nip", "name_key")
    raw_id_fields = ("agency", "unit", "position")
    list_select_related = ("agency",)
    show_full_result_count = False
    readonly_fields = ("created_at", "updated_at")


@admin.register(PPKAppointment)
class PPKAppointmentAdmin(admin.ModelAdmin[PPKAppointment]):
    list_display = ("agency", "title", "name", "acting_kind", "valid_from", "valid_to")
    list_filter = ("acting_kind",)
    raw_id_fields = ("agency",)
    list_select_related = ("agency",)


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin[Office]):
    list_display = ("code", "name", "kind", "level", "region")
    list_filter = ("kind", "level")
    raw_id_fields = ("region", "agency", "parent", "head")
