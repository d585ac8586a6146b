"""French by default, English complete: catalogues are whole and compiled."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def test_french_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(LOCALE / "fr/LC_MESSAGES/django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    mo = polib.mofile(str(LOCALE / "fr/LC_MESSAGES/django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert (entry.msgctxt, entry.msgid) in compiled, f"run `make messages`: {entry.msgid!r} is not compiled"


@pytest.mark.django_db
def test_pages_are_french_by_default_and_english_on_request(client):
    french = client.get("/connexion/", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in french.content.decode()
    assert "Se connecter" in french.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/connexion/")
    assert '<html lang="en">' in english.content.decode()
    assert "Send me a sign-in link" in english.content.decode()


@pytest.mark.django_db
def test_language_switch_sets_the_choice(client):
    r = client.get("/langue/", {"language": "en", "next": "/connexion/"})
    assert r.status_code == 302
    assert r["Location"] == "/connexion/"
    assert client.get("/connexion/").content.decode().count('lang="en"') >= 1


@pytest.mark.django_db
def test_language_switch_ignores_unknown_languages_and_foreign_next(client):
    r = client.get("/langue/", {"language": "xx", "next": "https://evil.example/"})
    assert r["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in r.cookies
