from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from netral.accounts.models import ApiToken, Membership, Role, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    raw_id_fields = ("office", "region", "agency")


@admin.register(User)
class NetralUserAdmin(UserAdmin[User]):
    inlines = [MembershipInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ("code", "name", "scope", "read_only")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    raw_id_fields = ("user",)
