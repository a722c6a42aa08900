"""Bawaslu officers handle reports; a custodian may reveal a reporter's identity."""

from django.db import migrations

ADD = {"bawaslu_officer": ["intake.view", "intake.manage"], "auditor": ["intake.view"]}


def forwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, capabilities in ADD.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.capabilities = sorted(set(role.capabilities) | set(capabilities))
            role.save(update_fields=["capabilities"])
    Role.objects.update_or_create(
        code="custodian",
        defaults={
            "name": "Kustodian identitas pelapor (Bawaslu)",
            "name_en": "Reporter-identity custodian (Bawaslu)",
            "scope": "region",
            "capabilities": ["intake.view", "intake.reveal"],
            "read_only": False,
        },
    )


def backwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, capabilities in ADD.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.capabilities = [c for c in role.capabilities if c not in capabilities]
            role.save(update_fields=["capabilities"])
    Role.objects.filter(code="custodian").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
