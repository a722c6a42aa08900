"""Bawaslu officers screen social-media posts and keep each election's screening profile."""

from django.db import migrations

ADD = {
    "bawaslu_officer": ["screening.view", "screening.manage", "screening.profile"],
    "auditor": ["screening.view"],
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
    dependencies = [("accounts", "0009_review_reads_reports")]
    operations = [migrations.RunPython(forwards, backwards)]
