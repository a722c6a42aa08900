"""The reviewing agency's analysts read the reports of the cases forwarded to them."""

from django.db import migrations

ADD = {"reviewing_analyst": ["intake.review"]}


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
    dependencies = [("accounts", "0008_user_language")]
    operations = [migrations.RunPython(forwards, backwards)]
