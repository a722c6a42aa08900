from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import ForeignKey
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from netral.accounts.models import ApiToken, Membership, Role, User
from netral.accounts.queries import revealing_roles
from netral.accounts.services import CUSTODIAN_ROLE


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    raw_id_fields = ("office", "region", "agency")

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        # Custodians are appointed only through /akun/kustodian/, where it is audited.
        if db_field.name == "role":
            kwargs["queryset"] = Role.objects.exclude(code__in=revealing_roles())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).exclude(role__code__in=revealing_roles())


@admin.register(User)
class NetralUserAdmin(UserAdmin[User]):
    inlines = [MembershipInline]


class RoleForm(forms.ModelForm[Role]):
    class Meta:
        model = Role
        fields = ["code", "name", "name_en", "scope", "capabilities", "read_only"]

    def clean_capabilities(self) -> Any:
        capabilities = self.cleaned_data["capabilities"] or []
        if "intake.reveal" in capabilities and self.instance.code != CUSTODIAN_ROLE:
            raise forms.ValidationError(
                _("Only the custodian role may reveal reporters' identities.")
            )
        return capabilities


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    form = RoleForm
    list_display = ("code", "name", "scope", "read_only")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    raw_id_fields = ("user",)
