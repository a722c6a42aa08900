"""Who moves cases: Bawaslu studies, the reviewing agency reviews, the PPK side disciplines."""

from django.db import migrations

ADD = {
    "bawaslu_officer": ["cases.view", "cases.study"],
    "reviewing_analyst": ["cases.view", "cases.review", "cases.import"],
    "personnel_officer": ["cases.view", "cases.discipline"],
    "ppk": ["cases.view", "cases.discipline"],
    "auditor": ["cases.view"],
}


def forwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, capabilities in ADD.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.capabilities = sorted(set(role.capabilities) | set(capabilities))
            role.save(update_fields=["capabilities"])


def backwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, capabilities in ADD.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.capabilities = [c for c in role.capabilities if c not in capabilities]
            role.save(update_fields=["capabilities"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_intake_capabilities")]
    operations = [migrations.RunPython(forwards, backwards)]
