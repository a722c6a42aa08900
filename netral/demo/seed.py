"""Demo data: four governments with OPDs and PPKs, ~2,000 civil servants, one user per role.

Deterministic and idempotent: rerunning updates the same rows and creates nothing twice.
Names of people are invented.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from netral.accounts.models import Membership, Role, User
from netral.demo.names import FIRST, LAST
from netral.regions.loader import load_regions
from netral.regions.models import Region
from netral.registry.models import Agency, CivilServant, Office, Position, PPKAppointment, Unit

DEMO_PASSWORD = "netral-demo-2024"  # noqa: S105  (demo only; seed refuses to run without DEBUG)

AGENCIES = [
    ("PROV-64", "Pemerintah Provinsi Kalimantan Timur", Agency.Kind.PROVINCIAL, "64"),
    ("KAB-64.02", "Pemerintah Kabupaten Kutai Kartanegara", Agency.Kind.REGENCY, "64.02"),
    ("KOTA-64.71", "Pemerintah Kota Balikpapan", Agency.Kind.CITY, "64.71"),
    ("KAB-62.08", "Pemerintah Kabupaten Sukamara", Agency.Kind.REGENCY, "62.08"),
]
UNITS = [
    ("SETDA", "Sekretariat Daerah"),
    ("DISDIK", "Dinas Pendidikan"),
    ("DINKES", "Dinas Kesehatan"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
    ("BKD", "Badan Kepegawaian Daerah"),
    ("INSPEKTORAT", "Inspektorat"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja"),
]
SUB_UNITS = [("SETDA", "BAGHUKUM", "Bagian Hukum"), ("SETDA", "BAGORG", "Bagian Organisasi")]
POSITIONS = [
    "Kepala Dinas",
    "Sekretaris",
    "Kepala Bidang",
    "Analis Kebijakan",
    "Guru Ahli Muda",
    "Perawat Terampil",
    "Pengadministrasi Umum",
    "Pranata Komputer",
    "Auditor Muda",
]
SERVANTS_PER_AGENCY = 500

PPKS = [
    # agency, title, name, acting kind, from, to
    (
        "PROV-64",
        "Gubernur Kalimantan Timur",
        "Drs. Andi Rahman Saleh",
        "",
        date(2018, 10, 1),
        date(2023, 10, 1),
    ),
    (
        "PROV-64",
        "Pj Gubernur Kalimantan Timur",
        "Dr. Bambang Wiryawan",
        "Pj",
        date(2023, 10, 2),
        date(2025, 2, 20),
    ),
    ("PROV-64", "Gubernur Kalimantan Timur", "H. Chairul Fadli", "", date(2025, 2, 20), None),
    ("KAB-64.02", "Bupati Kutai Kartanegara", "Edi Darmawan, S.E.", "", date(2021, 2, 26), None),
    (
        "KAB-64.02",
        "Pjs Bupati Kutai Kartanegara",
        "Ir. Fahmi Ardiansyah",
        "Pjs",
        date(2024, 9, 25),
        date(2024, 11, 23),
    ),
    ("KOTA-64.71", "Wali Kota Balikpapan", "H. Gunawan Prasetyo", "", date(2021, 5, 31), None),
    ("KAB-62.08", "Bupati Sukamara", "H. Iwan Setiadi", "", date(2021, 2, 26), date(2024, 9, 24)),
    (
        "KAB-62.08",
        "Pj Bupati Sukamara",
        "Dra. Juwita Maharani, M.Si.",
        "Pj",
        date(2024, 9, 25),
        date(2025, 2, 20),
    ),
    ("KAB-62.08", "Bupati Sukamara", "H. Iwan Setiadi", "", date(2025, 2, 20), None),
]

OFFICES = [
    # code, name, kind, level, region, agency, parent
    # KASN reviewed cases forwarded before 4 Sep 2024; its letters stay on record.
    ("KASN", "Komisi Aparatur Sipil Negara", "reviewing", "national", None, None, None),
    ("BAWASLU-RI", "Bawaslu Republik Indonesia", "bawaslu", "national", None, None, None),
    (
        "BAWASLU-64",
        "Bawaslu Provinsi Kalimantan Timur",
        "bawaslu",
        "province",
        "64",
        None,
        "BAWASLU-RI",
    ),
    (
        "BAWASLU-64.02",
        "Bawaslu Kabupaten Kutai Kartanegara",
        "bawaslu",
        "regency_city",
        "64.02",
        None,
        "BAWASLU-64",
    ),
    (
        "BAWASLU-64.71",
        "Bawaslu Kota Balikpapan",
        "bawaslu",
        "regency_city",
        "64.71",
        None,
        "BAWASLU-64",
    ),
    (
        "BAWASLU-62",
        "Bawaslu Provinsi Kalimantan Tengah",
        "bawaslu",
        "province",
        "62",
        None,
        "BAWASLU-RI",
    ),
    (
        "BAWASLU-62.08",
        "Bawaslu Kabupaten Sukamara",
        "bawaslu",
        "regency_city",
        "62.08",
        None,
        "BAWASLU-62",
    ),
    ("BKN", "Badan Kepegawaian Negara", "reviewing", "national", None, None, None),
    ("BKD-64", "BKD Provinsi Kalimantan Timur", "personnel", "province", "64", "PROV-64", None),
    (
        "BKPSDM-64.02",
        "BKPSDM Kabupaten Kutai Kartanegara",
        "personnel",
        "regency_city",
        "64.02",
        "KAB-64.02",
        None,
    ),
    (
        "BKPSDM-64.71",
        "BKPSDM Kota Balikpapan",
        "personnel",
        "regency_city",
        "64.71",
        "KOTA-64.71",
        None,
    ),
    (
        "BKPSDM-62.08",
        "BKPSDM Kabupaten Sukamara",
        "personnel",
        "regency_city",
        "62.08",
        "KAB-62.08",
        None,
    ),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    office: str | None
    region: str | None = None
    agency: str | None = None


USERS = [
    DemoUser("admin", "Administrator Netral", "administrator", None),
    DemoUser("bawaslu.ri", "Rudi Hartono", "bawaslu_officer", "BAWASLU-RI"),
    DemoUser("bawaslu.kaltim", "Sri Mulyani", "bawaslu_officer", "BAWASLU-64", region="64"),
    DemoUser("bawaslu.kukar", "Dedi Kurnia", "bawaslu_officer", "BAWASLU-64.02", region="64.02"),
    DemoUser("bawaslu.kalteng", "Maria Ulfa", "bawaslu_officer", "BAWASLU-62", region="62"),
    DemoUser(
        "bawaslu.sukamara", "Yohanes Tarigan", "bawaslu_officer", "BAWASLU-62.08", region="62.08"
    ),
    DemoUser("analis.bkn", "Ratna Dewanti", "reviewing_analyst", "BKN"),
    DemoUser("bkd.kaltim", "Anwar Fauzi", "personnel_officer", "BKD-64", agency="PROV-64"),
    DemoUser(
        "bkpsdm.kukar", "Lina Marlina", "personnel_officer", "BKPSDM-64.02", agency="KAB-64.02"
    ),
    DemoUser(
        "bkpsdm.sukamara", "Paulus Ginting", "personnel_officer", "BKPSDM-62.08", agency="KAB-62.08"
    ),
    DemoUser("ppk.kukar", "Edi Darmawan", "ppk", None, agency="KAB-64.02"),
    DemoUser("auditor.kaltim", "Hesti Purnama", "auditor", None, region="64"),
    DemoUser("kustodian.kukar", "Nanda Pratiwi", "custodian", "BAWASLU-64.02", region="64.02"),
    DemoUser("kadis.kukar", "Heru Santoso", "official", None, agency="KAB-64.02"),
]
# Demo users who are civil servants themselves: username -> (unit code, position, NIP).
OFFICIALS = {"kadis.kukar": ("64.02-DISDIK", "Kepala Dinas", "197203141998031004")}


def demo_totp_key(username: str) -> bytes:
    """A stable 20-byte TOTP key per demo user, so printed secrets survive reseeding."""
    return hashlib.sha256(f"netral-demo-totp:{username}".encode()).digest()[:20]


def demo_backup_codes(username: str) -> list[str]:
    digest = hashlib.sha256(f"netral-demo-backup:{username}".encode()).hexdigest()
    return [digest[i : i + 8] for i in range(0, 40, 8)]


def totp_secret_b32(username: str) -> str:
    return base64.b32encode(demo_totp_key(username)).decode()


def _nip(rng: random.Random, kind: str, serial: int) -> tuple[str, date, str]:
    birth = date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
    sex_digit = rng.choice("12")
    year = rng.randint(birth.year + 19, min(birth.year + 35, 2024))
    middle = f"{year:04d}21" if kind == "PPPK" else f"{year:04d}{rng.randint(1, 12):02d}"
    return (
        f"{birth:%Y%m%d}{middle}{sex_digit}{serial % 1000:03d}",
        birth,
        "M" if sex_digit == "1" else "F",
    )


@transaction.atomic
def seed() -> list[DemoUser]:
    if not Region.objects.exists():
        load_regions()
    agencies = {}
    for code, name, kind, region in AGENCIES:
        agencies[code], _ = Agency.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "region_id": region}
        )
    units: dict[str, list[Unit]] = {}
    for code, agency in agencies.items():
        prefix = agency.region_id
        top = {}
        for short, name in UNITS:
            top[short], _ = Unit.objects.update_or_create(
                code=f"{prefix}-{short}", defaults={"agency": agency, "name": name, "parent": None}
            )
        for parent, short, name in SUB_UNITS:
            Unit.objects.update_or_create(
                code=f"{prefix}-{short}",
                defaults={"agency": agency, "name": name, "parent": top[parent]},
            )
        units[code] = list(top.values())
    for agency_code, title, name, acting, start, end in PPKS:
        PPKAppointment.objects.update_or_create(
            agency=agencies[agency_code],
            valid_from=start,
            acting_kind=acting,
            defaults={"title": title, "name": name, "valid_to": end},
        )
    positions = {}
    for name in POSITIONS:
        positions[name], _ = Position.objects.get_or_create(name=name)
    _seed_servants(agencies, units, positions)
    offices: dict[str, Office] = {}
    for (
        office_code,
        office_name,
        office_kind,
        level,
        office_region,
        office_agency,
        parent_office,
    ) in OFFICES:
        offices[office_code], _ = Office.objects.update_or_create(
            code=office_code,
            defaults={
                "name": office_name,
                "kind": office_kind,
                "level": level,
                "region_id": office_region,
                "agency": agencies.get(office_agency) if office_agency else None,
                "parent": offices.get(parent_office) if parent_office else None,
            },
        )
    for spec in USERS:
        _seed_user(spec, offices, agencies)
    from netral.registry.headcount import refresh_headcounts

    refresh_headcounts(a.pk for a in agencies.values())
    return USERS


def _seed_servants(
    agencies: dict[str, Agency], units: dict[str, list[Unit]], positions: dict[str, Position]
) -> None:
    rng = random.Random(2024)  # noqa: S311  (reproducible demo data, not secrets)
    now = timezone.now()
    position_list = list(positions.values())
    rows = []
    for index, (code, agency) in enumerate(sorted(agencies.items())):
        for n in range(SERVANTS_PER_AGENCY):
            kind = "PPPK" if n % 10 == 9 else "PNS"
            nip, birth, sex = _nip(rng, kind, index * 1000 + n)
            unit = units[code][n % len(units[code])]
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            rows.append(
                CivilServant(
                    nip=nip,
                    name=name,
                    name_key=name.lower(),
                    employment_type=kind,
                    nip_conforms=True,
                    birth_date=birth,
                    sex=sex,
                    agency=agency,
                    unit=unit,
                    position=positions["Kepala Dinas"]
                    if n < len(units[code])
                    else rng.choice(position_list),
                    is_head_of_unit=n < len(units[code]),
                    is_active=True,
                    created_at=now,
                    updated_at=now,
                )
            )
    existing = set(
        CivilServant.objects.filter(nip__in=[r.nip for r in rows]).values_list("nip", flat=True)
    )
    CivilServant.objects.bulk_create([r for r in rows if r.nip not in existing], batch_size=1000)


def _seed_user(spec: DemoUser, offices: dict[str, Office], agencies: dict[str, Agency]) -> None:
    first, _, last = spec.full_name.partition(" ")
    user, created = User.objects.get_or_create(
        username=spec.username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{spec.username}@demo.netral.invalid",
        },
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.is_staff = user.is_superuser = spec.role == "administrator"
    user.save()
    Membership.objects.update_or_create(
        user=user,
        role=Role.objects.get(code=spec.role),
        defaults={
            "office": offices.get(spec.office) if spec.office else None,
            "region_id": spec.region,
            "agency": agencies.get(spec.agency) if spec.agency else None,
            "is_active": True,
        },
    )
    if spec.username in OFFICIALS:
        unit_code, position, nip = OFFICIALS[spec.username]
        unit = Unit.objects.get(code=unit_code)
        servant, _ = CivilServant.objects.update_or_create(
            nip=nip,
            defaults={
                "name": spec.full_name,
                "name_key": spec.full_name.lower(),
                "employment_type": "PNS",
                "birth_date": date(1972, 3, 14),
                "sex": "M",
                "agency": unit.agency,
                "unit": unit,
                "position": Position.objects.get_or_create(name=position)[0],
                "is_head_of_unit": True,
                "is_active": True,
                "created_at": timezone.now(),
                "updated_at": timezone.now(),
            },
        )
        User.objects.filter(pk=user.pk).update(civil_servant=servant)
    TOTPDevice.objects.filter(user=user).exclude(name="demo").delete()
    TOTPDevice.objects.update_or_create(
        user=user,
        name="demo",
        defaults={"key": demo_totp_key(spec.username).hex(), "confirmed": True},
    )
    static, _ = StaticDevice.objects.get_or_create(
        user=user, name="demo-backup", defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    StaticToken.objects.bulk_create(
        [StaticToken(device=static, token=c) for c in demo_backup_codes(spec.username)]
    )
