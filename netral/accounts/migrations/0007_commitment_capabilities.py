"""Prevention work: personnel offices keep pacts, pledges and circulars; Bawaslu runs events."""

from django.db import migrations

ADD = {
    "personnel_officer": ["commitments.view", "commitments.manage", "commitments.events"],
    "bawaslu_officer": ["commitments.view", "commitments.events"],
    "reviewing_analyst": ["commitments.view"],
    "ppk": ["commitments.view"],
    "auditor": ["commitments.view"],
}


def forwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    # A civil servant who signs their own pact (a head of unit); sees nothing else.
    Role.objects.update_or_create(
        code="official",
        defaults={
            "name": "Pejabat / ASN",
            "name_en": "Official (civil servant)",
            "scope": "agency",
            "capabilities": [],
            "read_only": True,
        },
    )
    for code, capabilities in ADD.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.capabilities = sorted(set(role.capabilities) | set(capabilities))
            role.save(update_fields=["capabilities"])


def backwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.filter(code="official").delete()
    for code, capabilities in ADD.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.capabilities = [c for c in role.capabilities if c not in capabilities]
            role.save(update_fields=["capabilities"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_user_civil_servant")]
    operations = [migrations.RunPython(forwards, backwards)]
