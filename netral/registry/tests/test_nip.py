from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from netral.registry.nip import PNS, PPPK, NotANip, digits_of, parse_nip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_valid_pns_number_gives_birth_date_and_sex():
    info = parse_nip("198507142010122001", PNS)
    assert info.conforms
    assert info.birth_date == date(1985, 7, 14)
    assert info.sex == "F"
    assert info.problem is None


def test_valid_pppk_number():
    info = parse_nip("199003032022211004", PPPK)
    assert info.conforms
    assert info.birth_date == date(1990, 3, 3)
    assert info.sex == "M"


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("19850714201012200", "18 digits"),
        ("1985071420101220011", "18 digits"),
        ("19850714201012200A", "digits only"),
        ("\uff1198507142010122001", "digits only"),
    ],
)
def test_wrong_length_or_characters_is_not_a_nip(nip, message):
    with pytest.raises(NotANip, match=message):
        parse_nip(nip)


@pytest.mark.parametrize(
    ("nip", "kind", "reason"),
    [
        ("198502302010122001", PNS, "birth date in the NIP is not a real date"),
        ("198507142010132001", PNS, "appointment month is not a real month"),
        ("198507142000122001", PNS, "before the 18th birthday"),
        ("198507142010123001", PNS, "sex digit"),
        ("198507142010122001", PPPK, "PNS layout, not the PPPK one"),
        ("199003032022211004", PNS, "PPPK layout, not the PNS one"),
    ],
)
def test_numbers_that_fit_no_layout_are_kept_and_flagged(nip, kind, reason):
    info = parse_nip(nip, kind)
    assert not info.conforms
    assert reason in str(info.problem)


@given(
    birth=st.dates(min_value=date(1950, 1, 1), max_value=date(2005, 12, 31)),
    years_after=st.integers(min_value=18, max_value=40),
    month=st.integers(min_value=1, max_value=12),
    sex=st.sampled_from("12"),
    serial=st.integers(min_value=0, max_value=999),
    pppk=st.booleans(),
)
def test_every_well_formed_number_round_trips(birth, years_after, month, sex, serial, pppk):
    year = birth.year + years_after + 1  # strictly after the 18th birthday
    middle = f"{year:04d}21" if pppk else f"{year:04d}{month:02d}"
    nip = f"{birth:%Y%m%d}{middle}{sex}{serial:03d}"
    info = parse_nip(nip, PPPK if pppk else PNS)
    assert info.conforms, info.problem
    assert info.birth_date == birth
    assert info.sex == ("M" if sex == "1" else "F")


def test_a_typed_nip_keeps_only_its_ascii_digits():
    assert digits_of(" 1990 0101.2015-03 1 001 ") == "199001012015031001"
    # Digits of other scripts look like digits to str.isdigit, but no NIP is written in them.
    assert digits_of("１９９０٣") == ""
    assert digits_of(None) == ""


# --- The import's quick path for the usual row agrees with its full checks ------------------------

_VALID_NIPS = ["199001012015031001", "199202022022212002", "198507142010122001"]
_ODD_NIPS = ["199002302015031001", "199001012015131001", "199001012015031301", "19900101201503100"]
_UNITS = {"64.02-DISDIK": (1, 10), "64.02-DINKES": (2, 10), "62.08-DISDIK": (3, 20)}


@given(
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(_VALID_NIPS + _ODD_NIPS), st.text(max_size=20)),
            st.one_of(
                st.sampled_from(["Andi Wijaya", " Bunga  Lestari ", "", "x" * 201]), st.text()
            ),
            st.sampled_from(["PNS", "PPPK", "pns", "ASN", ""]),
            st.sampled_from([*_UNITS, "64.02-NOPE", ""]),
            st.one_of(st.sampled_from(["Guru", " Guru  Ahli ", ""]), st.text(max_size=5)),
            st.sampled_from(["", "0", "1", "ya", "tidak", "maybe", " 1"]),
            st.sampled_from(["", "0", "1", "Ya", "x"]),
            st.sampled_from(["", "1990-01-01", "1990-01-02"]),
            st.sampled_from(["", "L", "P", "M", "x"]),
        ),
        max_size=6,
    ),
    st.sampled_from([None, {10}, {20}]),
)
def test_the_quick_path_of_the_import_agrees_with_the_full_checks(rows, allowed):
    from netral.registry.importing import COLUMNS, RowValidator

    cols = {name: index for index, name in enumerate(COLUMNS)}
    quick = RowValidator(units=_UNITS, allowed_agencies=allowed)
    full = RowValidator(units=_UNITS, allowed_agencies=allowed)
    for number, values in enumerate(rows, start=2):
        row = [v.strip() for v in values]  # as the readers give them
        expected = full._checked(number, row, full._layout(cols)[0])
        if expected[0] is not None:
            full.seen[expected[0].nip] = number
        usual = quick._usual(row, quick._layout(cols)[0])
        if usual is not None:
            assert expected == (usual, [])
        assert quick.validate(number, row, cols) == expected


def test_the_quick_path_takes_the_usual_rows_and_leaves_the_rest():
    from netral.registry.importing import COLUMNS, RowValidator

    at = {name: index for index, name in enumerate(COLUMNS)}
    validator = RowValidator(units=_UNITS, allowed_agencies=None)
    usual = ["199001012015031001", "Andi  Wijaya", "PNS", "64.02-DISDIK", "Guru", "", "1", "", ""]
    row = validator._usual(usual, at)
    assert row is not None
    assert (row.name, row.sex, row.birth_date, row.agency_id) == (
        "Andi Wijaya",
        "M",
        date(1990, 1, 1),
        10,
    )
    assert validator._usual([*usual[:7], "1990-01-01", ""], at) is None  # a birth date to compare
    assert validator._usual(["199002302015031001", *usual[1:]], at) is None  # flagged NIP
