"""The screening pages: queue with highlighted cues, decisions, profile form, paste, imports."""

from __future__ import annotations

import pytest

from netral.screening.models import ImportJob, Post, Profile

pytestmark = pytest.mark.django_db


def test_the_queue_highlights_cues_and_orders_by_score(as_user, profile):
    from netral.screening import services

    officer = as_user("bawaslu.kaltim")
    low, _ = services.add_post(
        election=profile.election, region_id="64", text="Agus datang rapat", actor=None
    )
    high, _ = services.add_post(
        election=profile.election,
        region_id="64",
        text="Ayo <b>coblos</b> 2 #AgusDewi",
        actor=None,
    )
    html = officer.get("/penapisan/?pemilihan=pilkada-2024").content.decode()
    assert html.index(f"/penapisan/{high.pk}/") < html.index(f"/penapisan/{low.pk}/")
    assert '<mark class="cue cue-pair_hashtag"' in html
    assert "&lt;b&gt;" in html  # the post's own markup is shown, never interpreted
    assert 'href="/penapisan/"' in html  # the menu shows screening to the officer


def test_other_roles_and_other_regions_see_nothing(as_user, profile):
    from netral.screening import services

    post, _ = services.add_post(
        election=profile.election, region_id="64", text="coblos 2", actor=None
    )
    assert as_user("bkpsdm.kukar").get("/penapisan/").status_code == 403
    assert as_user("bawaslu.kalteng").get(f"/penapisan/{post.pk}/").status_code == 404


def test_a_decision_form_keeps_input_on_error_and_records(as_user, profile):
    from netral.screening import services

    post, _ = services.add_post(
        election=profile.election, region_id="64", text="coblos 2 #AgusDewi", actor=None
    )
    officer = as_user("bawaslu.kaltim")
    bad = officer.post(f"/penapisan/{post.pk}/", {"verdict": "partisan", "nip": "123"})
    assert bad.status_code == 422
    assert 'value="123"' in bad.content.decode()
    good = officer.post(f"/penapisan/{post.pk}/", {"verdict": "partisan", "note": "jelas"})
    assert good.status_code == 302
    post.refresh_from_db()
    assert post.verdict == "partisan"
    done = officer.post(f"/penapisan/{post.pk}/temuan/")
    assert done.status_code == 302
    post.refresh_from_db()
    assert post.finding is not None
    assert post.finding.receipt_code in officer.get(f"/penapisan/{post.pk}/").content.decode()


def test_the_profile_page_saves_a_version(as_user, election):
    officer = as_user("bawaslu.kaltim")
    assert officer.get("/penapisan/profil/pilkada-2024/").status_code == 200
    data = {
        "hashtags": "#PilkadaKaltim2024",
        "pair-TOTAL_FORMS": "2",
        "pair-INITIAL_FORMS": "0",
        "pair-MIN_NUM_FORMS": "0",
        "pair-MAX_NUM_FORMS": "20",
        "pair-0-number": "1",
        "pair-0-names": "Rahmad Hidayat\nSutrisno Wibowo",
        "pair-0-nicknames": "Rahmad\nRahTris",
        "pair-0-hashtags": "#RahmadSutrisno",
        "pair-1-number": "",
    }
    answer = officer.post("/penapisan/profil/pilkada-2024/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    stored = Profile.objects.get(election=election)
    assert stored.data["pairs"][0]["nicknames"] == ["Rahmad", "RahTris"]
    data["pair-0-names"] = ""
    again = officer.post("/penapisan/profil/pilkada-2024/", data)
    assert again.status_code == 422
    assert "Rahmad\nRahTris" in again.content.decode()


def test_paste_and_import_through_the_pages(as_user, profile, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    officer = as_user("bawaslu.kaltim")
    answer = officer.post(
        "/penapisan/tempel/", {"pemilihan": "pilkada-2024", "text": "coblos 1 #RahTris"}
    )
    assert answer.status_code == 302
    assert Post.objects.get().flagged
    csv = b"konten,pengguna\nhalo semua,@a\npilih bang rahmad,@b\n"
    staged = officer.post(
        "/penapisan/impor/",
        {"pemilihan": "pilkada-2024", "file": SimpleUploadedFile("x.csv", csv)},
    )
    assert staged.status_code == 302
    job = ImportJob.objects.get()
    page = officer.get(staged["Location"]).content.decode()
    assert "konten" in page
    assert job.status == "mapping"
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(staged["Location"], {"text": "konten", "account": "pengguna"})
    job.refresh_from_db()
    assert job.status == "done"
    assert job.imported_rows == 2
    assert Post.objects.filter(account="@b").get().flagged


def test_the_queue_page_and_api_run_a_fixed_number_of_queries(as_user, profile):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from netral.screening import services

    officer = as_user("bawaslu.kaltim")

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            officer.get("/penapisan/?pemilihan=pilkada-2024")
        with CaptureQueriesContext(connection) as api:
            officer.get("/api/v1/screening/queue?election=pilkada-2024")
        return len(page), len(api)

    for n in range(3):
        services.add_post(
            election=profile.election, region_id="64", text=f"coblos {n % 2 + 1}", actor=None
        )
    few = counts()
    for n in range(20):
        services.add_post(
            election=profile.election, region_id="64", text=f"#AgusDewi {n}", actor=None
        )
    assert counts() == few


def test_the_admin_shows_screening_read_only(as_user, profile, personas):
    from netral.screening import services

    post, _ = services.add_post(
        election=profile.election, region_id="64", text="coblos 2", actor=None
    )
    admin = as_user("admin")
    for path in ("profile", "importjob", "post", "decision", "rankingmodel"):
        assert admin.get(f"/admin/screening/{path}/").status_code == 200, path
    page = admin.get(f"/admin/screening/post/{post.pk}/change/").content.decode()
    assert 'name="_save"' not in page
