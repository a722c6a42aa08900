"""Deterministic synthetic data for the benchmarks: civil servants with valid NIPs, and the
regions, agency and units they belong to.

Everything here is reproducible from a seed (``random.Random``), needs no network and no
Django at import time: the CSV generators are plain Python, and only ``create_reference_data``
touches the database (it imports the models when called, after ``django.setup()``).

NIPs follow netral/registry/nip.py (DOMAIN.md "Identifiers"):

    PNS:  birth date YYYYMMDD | appointment YYYYMM       | sex 1/2 | serial 3
    PPPK: birth date YYYYMMDD | appointment year YYYY 21 | sex 1/2 | serial 3

with the appointment at least 18 years after the birth. They are unique by construction: the
triple (birth date, sex, serial) is an affine permutation of the row index, so no set of seen
numbers is kept and millions of rows are generated in constant memory.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from netral.demo.names import FIRST, LAST

CSV_HEADER = (
    "nip",
    "name",
    "employment_type",
    "unit_code",
    "position",
    "is_head_of_unit",
    "is_active",
)

PROVINCE = ("64", "Kalimantan Timur")
REGENCY = ("64.02", "Kutai Kartanegara")
AGENCY = ("BENCH-64.02", "Pemerintah Kabupaten Kutai Kartanegara (benchmark)")

UNIT_NAMES = (
    "Sekretariat Daerah",
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Komunikasi dan Informatika",
    "Badan Kepegawaian dan Pengembangan SDM",
    "Inspektorat",
    "Satuan Polisi Pamong Praja",
    "Dinas Perhubungan",
    "Dinas Sosial",
)

POSITIONS = (
    "Kepala Dinas",
    "Sekretaris",
    "Kepala Bidang",
    "Kepala Seksi",
    "Analis Kebijakan",
    "Analis Sumber Daya Manusia Aparatur",
    "Guru Ahli Pertama",
    "Guru Ahli Muda",
    "Perawat Terampil",
    "Bidan Terampil",
    "Dokter Ahli Pertama",
    "Pengadministrasi Umum",
    "Pranata Komputer",
    "Auditor Muda",
    "Penyuluh Pertanian",
    "",  # position left empty: allowed by the import
)

FIRST_NAMES = (
    *FIRST,  # the demo seed's names, and more for variety
    "Muhammad",
    "Nyoman",
    "Ketut",
    "Andi",
    "Ratna",
    "Suryani",
)
MIDDLE_NAMES = ("Nur", "Dwi", "Tri", "Sri", "Adi", "Putri", "Eka", "Rizki", "Ayu", "Indra")
LAST_NAMES = (
    *LAST,  # the demo seed's names, and more for variety
    "Nasution",
    "Harahap",
    "Sembiring",
    "Tampubolon",
    "Pangaribuan",
    "Manurung",
)
# Degrees written after a comma, as on Indonesian letterheads: "Dewi Lestari, S.Pd.".
DEGREES = ("S.Pd.", "S.E.", "S.H.", "S.Kom.", "S.Sos.", "M.Si.", "A.Md.", "S.Kep., Ns.")

# NIP space: birth dates 1960-01-01 .. 2004-12-31 (so every appointment fits by 2024),
# two sex digits, a thousand serials.
BIRTH_FIRST = date(1960, 1, 1)
BIRTH_DAYS = (date(2004, 12, 31) - BIRTH_FIRST).days + 1
LAST_APPOINTMENT_YEAR = 2024
NIP_SPACE = BIRTH_DAYS * 2 * 1000


@dataclass(frozen=True, slots=True)
class ServantRow:
    nip: str
    name: str
    employment_type: str  # "PNS" or "PPPK"
    unit_code: str
    position: str
    is_head_of_unit: bool
    is_active: bool
    birth_date: date
    sex: str  # "M" or "F"

    def csv_row(self) -> list[str]:
        return [
            self.nip,
            self.name,
            self.employment_type,
            self.unit_code,
            self.position,
            "1" if self.is_head_of_unit else "0",
            "1" if self.is_active else "0",
        ]


class NipFactory:
    """Unique, valid NIPs: the i-th call of ``make`` never repeats an earlier one (i < 65 M)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        multiplier = rng.randrange(NIP_SPACE // 3, NIP_SPACE) | 1
        while math.gcd(multiplier, NIP_SPACE) != 1:
            multiplier += 2
        self.multiplier = multiplier
        self.offset = rng.randrange(NIP_SPACE)
        self.count = 0
        self._births = [BIRTH_FIRST + timedelta(days=d) for d in range(BIRTH_DAYS)]
        self._birth_text = [f"{b:%Y%m%d}" for b in self._births]

    def make(self, employment_type: str) -> tuple[str, date, str]:
        """(NIP, birth date, sex "M"/"F") for a PNS or PPPK."""
        if self.count >= NIP_SPACE:
            raise ValueError("the NIP space of the generator is exhausted")
        slot = (self.multiplier * self.count + self.offset) % NIP_SPACE
        self.count += 1
        slot, serial = divmod(slot, 1000)
        day, sex_bit = divmod(slot, 2)
        birth = self._births[day]
        rng = self.rng
        if employment_type == "PPPK":
            # PPPK appointments started in 2019.
            year = rng.randint(max(birth.year + 19, 2019), LAST_APPOINTMENT_YEAR)
            middle = f"{year:04d}21"
        else:
            year = rng.randint(birth.year + 19, min(birth.year + 40, LAST_APPOINTMENT_YEAR))
            middle = f"{year:04d}{rng.randint(1, 12):02d}"
        nip = f"{self._birth_text[day]}{middle}{sex_bit + 1}{serial:03d}"
        return nip, birth, "F" if sex_bit else "M"


def person_name(rng: random.Random) -> str:
    roll = rng.random()
    parts = [rng.choice(FIRST_NAMES)]
    if roll < 0.35:
        parts.append(rng.choice(MIDDLE_NAMES))
    parts.append(rng.choice(LAST_NAMES))
    name = " ".join(parts)
    if roll > 0.7:
        name = f"{name}, {rng.choice(DEGREES)}"
    return name


def unit_codes(count: int, prefix: str = REGENCY[0]) -> list[str]:
    """Unit codes as the import expects them: "64.02-U001", "64.02-U002", ..."""
    return [f"{prefix}-U{n:03d}" for n in range(1, count + 1)]


def civil_servants(
    count: int,
    units: Sequence[str],
    *,
    seed: int = 2024,
    pppk_share: float = 0.2,
    inactive_share: float = 0.02,
) -> Iterator[ServantRow]:
    """``count`` valid, distinct civil servants spread over ``units``; the first row of each
    unit is its head."""
    if not units:
        raise ValueError("at least one unit code is needed")
    rng = random.Random(seed)
    nips = NipFactory(rng)
    heads = set(units)
    for _ in range(count):
        kind = "PPPK" if rng.random() < pppk_share else "PNS"
        nip, birth, sex = nips.make(kind)
        unit = units[rng.randrange(len(units))]
        is_head = unit in heads
        if is_head:
            heads.discard(unit)
            position = POSITIONS[0]
        else:
            position = POSITIONS[rng.randrange(1, len(POSITIONS))]
        yield ServantRow(
            nip=nip,
            name=person_name(rng),
            employment_type=kind,
            unit_code=unit,
            position=position,
            is_head_of_unit=is_head,
            is_active=rng.random() >= inactive_share,
            birth_date=birth,
            sex=sex,
        )


def write_civil_servants_csv(
    path: Path, count: int, units: Sequence[str], *, seed: int = 2024
) -> Path:
    """Write ``count`` rows with the ``CSV_HEADER`` columns (UTF-8, comma-separated)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        writer.writerows(row.csv_row() for row in civil_servants(count, units, seed=seed))
    return path


def create_reference_data(unit_count: int = 50) -> list[str]:
    """The province, regency, one agency and ``unit_count`` units; returns the unit codes.

    Call after ``django.setup()`` and ``migrate``; idempotent.
    """
    from django.db import transaction

    from netral.regions.models import Region
    from netral.registry.models import Agency, Unit

    codes = unit_codes(unit_count)
    with transaction.atomic():
        Region.objects.update_or_create(
            code=PROVINCE[0],
            defaults={
                "name": PROVINCE[1],
                "level": Region.Level.PROVINCE,
                "kind": Region.Kind.PROVINCE,
                "parent": None,
                "timezone": Region.TimeZone.WITA,
            },
        )
        Region.objects.update_or_create(
            code=REGENCY[0],
            defaults={
                "name": REGENCY[1],
                "level": Region.Level.REGENCY_CITY,
                "kind": Region.Kind.REGENCY,
                "parent_id": PROVINCE[0],
                "timezone": Region.TimeZone.WITA,
            },
        )
        agency, _ = Agency.objects.update_or_create(
            code=AGENCY[0],
            defaults={"name": AGENCY[1], "kind": Agency.Kind.REGENCY, "region_id": REGENCY[0]},
        )
        for n, code in enumerate(codes):
            name = f"{UNIT_NAMES[n % len(UNIT_NAMES)]} {n // len(UNIT_NAMES) + 1}"
            Unit.objects.update_or_create(code=code, defaults={"agency": agency, "name": name})
    return codes


# --- Social-media posts (screening) ----------------------------------------------------------

_GENERAL = [
    "selamat pagi rekan-rekan, {x}",
    "hari ini {x} di kantor, lumayan sibuk",
    "akhirnya {x} juga setelah sekian lama",
    "ada yang tahu tempat {x} yang bagus di sekitar sini?",
    "mohon doanya, besok {x}",
    "alhamdulillah {x} berjalan lancar",
    "info penting: {x} mulai minggu depan",
    "capek tapi senang, {x} selesai tepat waktu",
]
_THINGS = [
    "rapat koordinasi", "servis motor", "pelatihan aplikasi", "makan siang bersama", "posyandu",
    "ujian anak", "panen sayur", "kerja bakti", "lomba tujuh belasan", "antre di samsat",
    "pengajian rutin", "donor darah", "pembayaran pajak", "renovasi rumah", "liburan keluarga",
]  # fmt: skip
_PARTISAN = [
    "ayo coblos nomor urut {n}, {slogan}!",
    "{tag} pokoknya, jangan lupa ke TPS",
    "dukung {nick} sampai menang, {slogan}",
    "pilih {name} ya, sudah terbukti kerjanya",
    "salam {n} jari dari kampung kami {tag}",
]
_ORDINARY = [
    "debat calon gubernur malam ini, {name} bicara soal {x}",
    "berita: {name} mengunjungi lokasi {x}",
    "jadwal kampanye kedua pasangan calon diumumkan KPU",
]


def screening_posts(count: int, profile: dict[str, Any], seed: int = 7) -> list[dict[str, str]]:
    """Made-up posts: about 90% general chatter, 5% news naming a candidate, 5% partisan."""
    rng = random.Random(seed)
    pairs = profile["pairs"]
    out: list[dict[str, str]] = []
    for i in range(count):
        roll = rng.random()
        pair = rng.choice(pairs)
        fill = {
            "x": rng.choice(_THINGS),
            "n": str(pair["number"]),
            "name": rng.choice(pair["names"]),
            "nick": rng.choice(pair["nicknames"] or pair["names"]),
            "tag": rng.choice(pair["hashtags"] or ["#pilkada"]),
            "slogan": rng.choice(pair["slogans"] or ["maju terus"]),
        }
        if roll < 0.05:
            label, text = "partisan", rng.choice(_PARTISAN).format(**fill)
        elif roll < 0.10:
            label, text = "ordinary", rng.choice(_ORDINARY).format(**fill)
        else:
            label, text = "general", rng.choice(_GENERAL).format(**fill)
        out.append(
            {
                "label": label,
                "text": f"{text} ({i})",
                "account": f"@akun{rng.randrange(20_000)}",
                "url": f"https://example.org/p/{i}",
                "date": f"2024-10-{1 + i % 28:02d}T08:{i % 60:02d}:00",
                "platform": rng.choice(["x", "facebook", "instagram", "tiktok"]),
            }
        )
    return out
