"""The first roles (data, not code). Later issues add custodian, head of office and others."""

from django.db import migrations

ROLES = [
    # code, name (id), name (en), scope, capabilities, read-only
    ("administrator", "Administrator", "Administrator", "national", ["*"], False),
    ("bawaslu_officer", "Petugas Bawaslu", "Bawaslu officer", "region", ["registry.view"], False),
    (
        "reviewing_analyst",
        "Analis instansi pemeriksa (KASN/BKN)",
        "Reviewing-agency analyst",
        "national",
        ["registry.view"],
        False,
    ),
    (
        "personnel_officer",
        "Petugas kepegawaian (BKD/BKPSDM)",
        "Personnel officer",
        "agency",
        ["registry.view", "registry.import", "registry.edit"],
        False,
    ),
    (
        "ppk",
        "Pejabat Pembina Kepegawaian (PPK)",
        "Disciplining official (PPK)",
        "agency",
        ["registry.view"],
        False,
    ),
    ("auditor", "Auditor", "Auditor", "region", ["registry.view", "audit.view"], True),
]


def add_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, name, name_en, scope, capabilities, read_only in ROLES:
        Role.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "scope": scope,
                "capabilities": capabilities,
                "read_only": read_only,
            },
        )


def remove_roles(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code__in=[r[0] for r in ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(add_roles, remove_roles)]
