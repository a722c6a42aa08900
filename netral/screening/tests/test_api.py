"""The screening API contract: profiles, screening without storing, posts, decisions, queue."""

from __future__ import annotations

import json

import pytest

from netral.core.models import AuditEntry
from netral.intake.models import Report
from netral.screening.models import Decision, Post, Profile

pytestmark = pytest.mark.django_db


def test_put_profile_stores_a_new_version_and_get_answers_it(as_user, election, profile_data):
    client = as_user("bawaslu.kaltim")
    url = "/api/v1/screening/profiles/pilkada-2024"
    first = client.put(url, profile_data, content_type="application/json")
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 1
    assert first.json()["pairs"][0]["names"] == ["Rahmad Hidayat", "Sutrisno Wibowo"]
    # The same profile again keeps its version; a change makes version 2, the old one stays.
    assert client.put(url, profile_data, content_type="application/json").json()["version"] == 1
    profile_data["hashtags"].append("#Pilkada2024")
    assert client.put(url, profile_data, content_type="application/json").json()["version"] == 2
    got = client.get(url).json()
    assert got["version"] == 2
    assert "#Pilkada2024" in got["hashtags"]
    assert list(Profile.objects.filter(election=election).values_list("version", flat=True)) == [
        2,
        1,
    ]
    assert AuditEntry.objects.filter(action="screening.profile.save").count() == 2


def test_profile_errors_name_the_field(as_user, profile_data):
    client = as_user("bawaslu.kaltim")
    profile_data["pairs"][1]["number"] = 1
    answer = client.put(
        "/api/v1/screening/profiles/pilkada-2024", profile_data, content_type="application/json"
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "pairs.1.number"
    profile_data["pairs"][1]["number"] = 2
    profile_data["pairs"][0]["names"] = []
    answer = client.put(
        "/api/v1/screening/profiles/pilkada-2024", profile_data, content_type="application/json"
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"].startswith("pairs.0.names")


def test_only_officers_with_the_capability_keep_profiles(as_user, profile_data):
    answer = as_user("bkpsdm.kukar").put(
        "/api/v1/screening/profiles/pilkada-2024", profile_data, content_type="application/json"
    )
    assert answer.status_code == 403


def test_screen_explains_every_flag_and_stores_nothing(as_user, profile):
    posts = [
        {"ref": "a", "text": "Ayo coblos no 2!!! #AGUSDEWIMENANG 🔥🔥"},
        {"ref": "b", "text": "pilihhh b4ng r4hm4d, Kaltim Berdaulat"},
        {"ref": "c", "text": "Hasilnya bagus sekali, kata sandi jangan dibagi"},
        {"ref": "d", "text": "Debat semalam: Agus bicara soal jalan tol"},
    ]
    answer = as_user("bawaslu.kaltim").post(
        "/api/v1/screening/screen",
        {"election": "pilkada-2024", "posts": posts},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    items = {i["ref"]: i for i in answer.json()["items"]}
    assert items["a"]["flagged"]
    assert items["b"]["flagged"]
    assert not items["c"]["flagged"]
    assert not items["d"]["flagged"]
    for item in items.values():
        if item["flagged"]:
            assert item["cues"], item
    assert {"kind": "pair_hashtag", "text": "#AgusDewiMenang", "pair": 2} in items["a"]["cues"]
    assert items["a"]["score"] > items["d"]["score"] > items["c"]["score"]
    assert not Post.objects.exists()


def test_screen_takes_at_most_a_thousand_posts(as_user, profile):
    posts = [{"ref": str(i), "text": "halo"} for i in range(1001)]
    answer = as_user("bawaslu.kaltim").post(
        "/api/v1/screening/screen",
        {"election": "pilkada-2024", "posts": posts},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "posts"


def test_screen_without_a_profile_says_so(as_user, election):
    answer = as_user("bawaslu.kaltim").post(
        "/api/v1/screening/screen",
        {"election": "pilkada-2024", "posts": [{"ref": "x", "text": "halo"}]},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "election"


def _paste(client, text, **extra):
    return client.post(
        "/api/v1/screening/posts",
        {"election": "pilkada-2024", "text": text, **extra},
        content_type="application/json",
    )


def test_pasted_posts_are_scored_once_and_scoped(as_user, profile):
    kaltim = as_user("bawaslu.kaltim")
    first = _paste(kaltim, "Dukung nomor urut 1! #RahmadSutrisno", account="@guru_budi")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["region"] == "64"
    assert body["flagged"]
    assert body["profile_version"] == 1
    again = _paste(kaltim, "Dukung nomor urut 1! #RahmadSutrisno", account="@guru_budi")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    # Another province's officer sees nothing of it.
    kalteng = as_user("bawaslu.kalteng")
    assert kalteng.get(f"/api/v1/screening/posts/{body['id']}").status_code == 404
    assert kalteng.get("/api/v1/screening/posts").json()["items"] == []
    assert kaltim.get("/api/v1/screening/posts").json()["items"][0]["id"] == body["id"]


def test_queue_is_highest_score_first_with_a_keyset_cursor(as_user, profile):
    client = as_user("bawaslu.kaltim")
    texts = [
        "Selamat pagi semua, jangan lupa sarapan",
        "Coblos 2! #AgusDewi #AgusDewiMenang Kaltim Sejahtera Merata",
        "Agus tadi datang ke kantor",
        "pilih bang rahmad ya",
    ]
    ids = [_paste(client, t).json()["id"] for t in texts]
    page = client.get("/api/v1/screening/queue?election=pilkada-2024&limit=2").json()
    assert [p["id"] for p in page["items"]] == [ids[1], ids[3]]
    rest = client.get(
        f"/api/v1/screening/queue?election=pilkada-2024&limit=2&cursor={page['next_cursor']}"
    ).json()
    assert [p["id"] for p in rest["items"]] == [ids[2], ids[0]]
    assert rest["next_cursor"] is None
    bad = client.get("/api/v1/screening/queue?election=pilkada-2024&cursor=zzz")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"


def test_a_decision_is_recorded_audited_and_leaves_the_queue(as_user, profile, personas):
    from netral.registry.models import CivilServant

    client = as_user("bawaslu.kaltim")
    post_id = _paste(client, "coblos no 1 #RahTris", account="@pak_guru", platform="x").json()["id"]
    unsure = client.post(
        f"/api/v1/screening/posts/{post_id}/decisions",
        {"verdict": "unsure"},
        content_type="application/json",
    )
    assert unsure.status_code == 422
    assert unsure.json()["errors"][0]["field"] == "note"
    servant = CivilServant.objects.filter(agency__region__code__startswith="64").first()
    answer = client.post(
        f"/api/v1/screening/posts/{post_id}/decisions",
        {"verdict": "partisan", "note": "Ajakan memilih.", "nip": servant.nip},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    post = Post.objects.get(pk=post_id)
    assert post.verdict == "partisan"
    assert post.civil_servant == servant
    assert Decision.objects.filter(post=post).count() == 1
    assert AuditEntry.objects.filter(action="screening.post.decide").exists()
    queue = client.get("/api/v1/screening/queue?election=pilkada-2024").json()["items"]
    assert post_id not in [p["id"] for p in queue]
    # The account is now known: the next post of it is linked on arrival.
    other = _paste(client, "selamat pagi", account="@PAK_GURU", platform="x").json()
    assert other["civil_servant_nip"] == servant.nip


def test_a_partisan_post_becomes_a_finding_once(as_user, profile):
    client = as_user("bawaslu.kaltim")
    post_id = _paste(
        client, "Ayo pilih nomor urut 2 #AgusDewi", url="https://x.com/a/status/1", platform="x"
    ).json()["id"]
    early = client.post(f"/api/v1/screening/posts/{post_id}/finding")
    assert early.status_code == 422
    client.post(
        f"/api/v1/screening/posts/{post_id}/decisions",
        {"verdict": "partisan"},
        content_type="application/json",
    )
    first = client.post(f"/api/v1/screening/posts/{post_id}/finding")
    assert first.status_code == 200, first.content
    again = client.post(f"/api/v1/screening/posts/{post_id}/finding")
    assert again.json()["finding"] == first.json()["finding"]
    report = Report.objects.get(receipt_code=first.json()["finding"])
    assert report.kind == Report.Kind.FINDING
    assert "Ayo pilih nomor urut 2" in report.description
    assert f"/penapisan/{post_id}/" in report.description
    assert report.links.get().url.startswith("https://x.com/a/status/1")
    # It appears in the officer's list of reports.
    assert report.receipt_code in client.get("/laporan/").content.decode()


def test_csv_import_maps_columns_skips_duplicates_and_reports_progress(
    as_user, profile, django_capture_on_commit_callbacks
):
    client = as_user("bawaslu.kaltim")
    rows = ["isi;akun;tautan;tanggal"]
    rows += [
        f"postingan biasa nomor {i};@warga{i};https://x.com/w/{i};2024-10-0{i % 9 + 1}"
        for i in range(30)
    ]
    rows += ["Coblos 1! #RahmadSutrisno;@relawan;https://x.com/r/1;2024-10-01"] * 2
    data = ("\n".join(rows) + "\n").encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/api/v1/screening/imports",
            {
                "file": SimpleUploadedFile("export.csv", data, content_type="text/csv"),
                "election": "pilkada-2024",
                "mapping": json.dumps(
                    {"text": "isi", "account": "akun", "url": "tautan", "date": "tanggal"}
                ),
            },
        )
    assert answer.status_code == 202, answer.content
    job = client.get(f"/api/v1/screening/imports/{answer.json()['id']}").json()
    assert job["status"] == "done", job
    assert (job["total_rows"], job["imported_rows"], job["duplicate_rows"]) == (32, 31, 1)
    assert job["flagged_rows"] == 1
    assert Post.objects.filter(flagged=True).get().account == "@relawan"
    bad = client.post(
        "/api/v1/screening/imports",
        {
            "file": SimpleUploadedFile("export.csv", data, content_type="text/csv"),
            "election": "pilkada-2024",
            "mapping": json.dumps({"text": "body"}),
        },
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "mapping"


def test_a_ballot_number_in_other_scripts_digits_is_a_field_error(as_user, profile_data):
    """'²' passes str.isdigit() but not int(): a 422 naming the field, never a 500."""
    profile_data["pairs"][0]["number"] = "²"
    answer = as_user("bawaslu.kaltim").put(
        "/api/v1/screening/profiles/pilkada-2024", profile_data, content_type="application/json"
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "pairs.0.number"
