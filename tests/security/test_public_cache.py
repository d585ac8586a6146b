"""The anonymous page cache (CONCERTO_PUBLIC_CACHE_SECONDS, off in tests) never hands a visitor
what was rendered for someone signed in, nor a signed-in person what was rendered for a visitor,
on any GET-able page of the permission matrix."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from .conftest import ROLES
from .test_permission_matrix import GET_KEYS, data_for, expected_row, url_for

pytestmark = pytest.mark.django_db

WEB_GETS = [k for k in GET_KEYS if not k.split(" ", 1)[1].startswith("/") and k != "GET set_language"]
# The pages the resident gets with 200 that are not HTML (no page layout, no sign-out button to look for).
NOT_HTML = {"GET api:openapi-json", "GET dashboard:me_export", "GET healthz", "GET selection:audit_json",
            "GET selection:verify_script", "GET fieldwork:app_manifest", "GET fieldwork:app_worker",
            "GET live_event:report_csv", "GET live_event:chapters_vtt", "GET live_event:chapters_txt",
            # Synthesis, opendata: the positions' exports and the open data files.
            "GET synthesis:positions_csv", "GET synthesis:positions_json", "GET synthesis:opendata_package",
            "GET synthesis:opendata_readme", "GET synthesis:opendata_popolo", "GET synthesis:opendata_zip",
            "GET synthesis:opendata_csv",
            # Issue 15, followup: the board's CSV and the yearly report's.
            "GET synthesis:followup_csv", "GET synthesis:followup_year_csv",
            # Issue 15, documents: the PDFs.
# -- documents --
            "GET synthesis:plan_pdf", "GET synthesis:document_pdf", "GET synthesis:dossier_download_pdf"}

# HTML pages without the site's header (so without its sign-out button): the live event's overlays,
# browser sources of the mixing software, the same for everyone and never cached.
NO_HEADER = {"GET live_event:overlay_lower_third", "GET live_event:overlay_reactions", "GET live_event:overlay_times"}


def normalised(response) -> str:
    body = response.content.decode(errors="replace")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    # The live event's pages embed their state with the server's time (its clock for speaking time),
    # and the question form a fresh client_id per drawing (a double submit records one question).
    body = re.sub(r'"now": "[^"]+"', "", body)
    return re.sub(r'name="client_id" value="[^"]+"', "", body)


@pytest.mark.parametrize("key", WEB_GETS)
def test_signed_in_pages_never_reach_visitors_through_the_cache(world, key, settings):
    url = url_for(key, world)
    params = (data_for(key, world) or {})
    settings.CONCERTO_PUBLIC_CACHE_SECONDS = 0
    fresh = Client().get(url, params)
    settings.CONCERTO_PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    for role in ROLES[1:]:
        world.client(role).get(url, params)
        world.client(role).get(url, params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    served = Client().get(url, params)
    assert served.status_code == fresh.status_code
    assert normalised(served) == normalised(fresh), f"{key}: a visitor got a page rendered for someone else"


@pytest.mark.parametrize("key", WEB_GETS)
def test_visitor_pages_never_reach_signed_in_people_through_the_cache(world, key, settings):
    url = url_for(key, world)
    settings.CONCERTO_PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    Client().get(url, (data_for(key, world) or {}))
    page = world.client("resident").get(url, (data_for(key, world) or {}))
    expected = expected_row(key)["resident"]
    assert str(page.status_code) == expected.rstrip("+"), f"{key}: the resident got {page.status_code}"
    if expected == "200":
        is_html = page["Content-Type"].startswith("text/html")
        assert is_html == (key not in NOT_HTML), f"{key}: {page['Content-Type']}"
        if is_html and key not in NO_HEADER:
            assert reverse("residents:sign_out") in page.content.decode(), f"{key}: the resident got the visitor's page"


def test_a_flash_message_is_not_lost_to_a_cached_page(world, settings):
    settings.CONCERTO_PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    Client().get(reverse("dashboard:index"))  # cached for visitors
    client = world.client("resident")
    page = client.post(reverse("residents:sign_out"), follow=True)
    assert 'class="message' in page.content.decode(), "the sign-out message was replaced by a cached page"
