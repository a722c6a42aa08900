from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_pages_speak_indonesian_by_default_even_to_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "id"
    assert '<html lang="id">' in response.content.decode()
    assert "Masuk" in response.content.decode()


def test_language_switch_sets_english_and_keeps_the_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Sign in" in page


def test_every_page_has_the_language_switch(client):
    for path in ("/", "/akun/masuk/"):
        html = client.get(path).content.decode()
        assert 'name="language" value="id"' in html
        assert 'name="language" value="en"' in html


def test_unknown_page_is_a_friendly_404_without_a_trace(client):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


def test_every_interface_string_has_an_indonesian_translation():
    import polib
    from django.conf import settings

    catalogue = polib.pofile(str(settings.BASE_DIR / "locale/id/LC_MESSAGES/django.po"))
    assert len(catalogue) > 100
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
