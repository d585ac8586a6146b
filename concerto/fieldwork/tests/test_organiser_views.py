"""The organiser's door-to-door pages: who may open them, phones enrolled by QR code and withdrawn,
rounds planned from the form, the consent text and the settings."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.fieldwork import services
from concerto.fieldwork.models import ConsentScript, Device, Enrolment, FieldworkSettings, Round
from concerto.fieldwork.views.devices import DEVICE_COOKIE, SESSION_SECRETS
from concerto.residents.models import Role
from conftest import make_user

from .test_rounds import NORD_ORDER, streets  # noqa: F401 (a fixture)

PAGES = ["fieldwork:overview", "fieldwork:rounds", "fieldwork:round_create", "fieldwork:devices",
         "fieldwork:consent", "fieldwork:settings"]


@pytest.fixture
def device_and_round(campaign, organiser_dina, ambassador_bruno, streets):  # noqa: F811
    device, _secret = services.device_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk,
                                             label="Téléphone de Bruno")
    the_round = services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk,
                                      day=timezone.localdate() + timedelta(days=1), sector_ids=[streets["nord"].pk])
    return device, the_round


def all_urls(campaign, device, the_round):
    urls = [reverse(name, args=[campaign.slug]) for name in PAGES]
    urls += [reverse("fieldwork:device_code", args=[campaign.slug, device.pk]),
             reverse("fieldwork:device_revoke", args=[campaign.slug, device.pk]),
             reverse("fieldwork:round_detail", args=[campaign.slug, the_round.pk]),
             reverse("fieldwork:round_cancel", args=[campaign.slug, the_round.pk])]
    return urls


def test_organisers_see_every_page(client, campaign, organiser_dina, device_and_round):
    client.force_login(organiser_dina)
    for url in all_urls(campaign, *device_and_round):
        assert client.get(url).status_code == 200, url


def test_anyone_else_gets_the_one_refusal(client, campaign, other_campaign, organiser_dina, ambassador_bruno,
                                          resident_alice, moderator_marc, device_and_round):
    urls = all_urls(campaign, *device_and_round)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("residents:sign_in")), url
    elsewhere = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)
    for someone in (ambassador_bruno, resident_alice, moderator_marc, elsewhere):
        client.force_login(someone)
        for url in urls:
            assert client.get(url).status_code == 404, (someone, url)
            assert client.post(url, {}).status_code in (404, 405), (someone, url)
    # Another campaign's organiser, on their own campaign's pages with these ids: not found either.
    client.force_login(elsewhere)
    device, the_round = device_and_round
    assert client.get(reverse("fieldwork:round_detail", args=[other_campaign.slug, the_round.pk])).status_code == 404
    assert client.post(reverse("fieldwork:device_revoke", args=[other_campaign.slug, device.pk])).status_code == 404
    assert Device.objects.get(pk=device.pk).revoked_at is None
    assert Round.objects.get(pk=the_round.pk).status == "planned"


def test_the_team_page_offers_the_ambassador_role(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    page = client.get(reverse("residents:team", args=[campaign.slug])).content.decode()
    assert 'value="ambassador"' in page


# --- Phones ---------------------------------------------------------------------------------------


def prepare(client, campaign, ambassador):
    response = client.post(reverse("fieldwork:devices", args=[campaign.slug]),
                           {"ambassador": ambassador.pk, "label": "Téléphone de Bruno"})
    device = Device.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("fieldwork:device_code", args=[campaign.slug, device.pk])
    return device, client.session[SESSION_SECRETS][str(device.pk)]


def test_preparing_a_phone_shows_its_qr_code_and_link(client, campaign, organiser_dina, ambassador_bruno):
    client.force_login(organiser_dina)
    device, secret = prepare(client, campaign, ambassador_bruno)
    assert device.ambassador == ambassador_bruno and device.enrolled_at is None
    page = client.get(reverse("fieldwork:device_code", args=[campaign.slug, device.pk])).content.decode()
    link = f"http://testserver/terrain/appareil/{secret}/"
    assert '<svg data-figure="qr"' in page and link in page
    listing = client.get(reverse("fieldwork:devices", args=[campaign.slug])).content.decode()
    assert "Téléphone de Bruno" in listing and secret not in listing
    # Only the ambassadors may receive a phone.
    response = client.post(reverse("fieldwork:devices", args=[campaign.slug]),
                           {"ambassador": organiser_dina.pk, "label": "Autre"})
    assert response.status_code == 400 and Device.objects.count() == 1


def test_the_link_enrols_the_ambassadors_phone_once(client, campaign, organiser_dina, ambassador_bruno):
    client.force_login(organiser_dina)
    device, secret = prepare(client, campaign, ambassador_bruno)
    client.logout()
    url = reverse("fieldwork_root:enrol", args=[secret])
    # Signed out: sign in first, and come back here.
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"{reverse('residents:sign_in')}?next={url}"
    client.force_login(ambassador_bruno)
    assert client.get(url).status_code == 200  # a confirmation: opening the link alone enrols nothing
    assert Device.objects.get(pk=device.pk).enrolled_at is None
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == f"/c/{campaign.slug}/terrain/app/"
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain HTTP in tests; Secure over HTTPS
    assert 89 * 86400 <= int(cookie["max-age"]) <= 91 * 86400
    device.refresh_from_db()
    assert device.enrolled_at is not None
    assert services.device_for_token(cookie.value) == device
    # Single use.
    for again in (client.get(url), client.post(url)):
        assert again.status_code == 404 and DEVICE_COOKIE not in again.cookies


def test_the_link_over_https_sets_a_secure_cookie(client, campaign, organiser_dina, ambassador_bruno):
    _device, secret = services.device_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk,
                                             label="Téléphone")
    client.force_login(ambassador_bruno)
    response = client.post(reverse("fieldwork_root:enrol", args=[secret]), secure=True)
    assert response.status_code == 302 and response.cookies[DEVICE_COOKIE]["secure"]


def test_an_expired_or_unknown_link_or_another_ambassador_is_refused(client, campaign, organiser_dina,
                                                                     ambassador_bruno):
    device, secret = services.device_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk,
                                            label="Téléphone de Bruno")
    karim = make_user("karim@example.org", campaign=campaign, role=Role.AMBASSADOR, password="karim-password-123")
    url = reverse("fieldwork_root:enrol", args=[secret])
    client.force_login(karim)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403 and DEVICE_COOKIE not in response.cookies
    client.force_login(ambassador_bruno)
    assert client.get(reverse("fieldwork_root:enrol", args=["pas-un-code"])).status_code == 404
    Enrolment.objects.filter(device=device).update(expires_at=timezone.now() - timedelta(seconds=1))
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404 and DEVICE_COOKIE not in response.cookies
    assert Device.objects.get(pk=device.pk).enrolled_at is None


def test_withdrawing_a_phone_asks_first_then_refuses_its_syncs(client, campaign, organiser_dina, phone):
    device, _token = phone
    client.force_login(organiser_dina)
    url = reverse("fieldwork:device_revoke", args=[campaign.slug, device.pk])
    assert client.get(url).status_code == 200
    assert Device.objects.get(pk=device.pk).revoked_at is None
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("fieldwork:devices", args=[campaign.slug])
    device.refresh_from_db()
    assert device.revoked_at is not None and device.revoked_by == organiser_dina
    with pytest.raises(Exception) as refused:
        services.visits_sync(ambassador=device.ambassador, device=device, campaign=campaign, records=[])
    assert refused.value.code == "device_revoked"


def test_a_withdrawn_phones_unused_link_no_longer_enrols(client, campaign, organiser_dina, ambassador_bruno):
    client.force_login(organiser_dina)
    device, secret = prepare(client, campaign, ambassador_bruno)
    client.post(reverse("fieldwork:device_revoke", args=[campaign.slug, device.pk]))
    client.force_login(ambassador_bruno)
    assert client.post(reverse("fieldwork_root:enrol", args=[secret])).status_code == 404


# --- Rounds, consent text, settings ---------------------------------------------------------------


def test_planning_a_round_from_the_form(client, campaign, organiser_dina, ambassador_bruno, streets):  # noqa: F811
    client.force_login(organiser_dina)
    url = reverse("fieldwork:round_create", args=[campaign.slug])
    day = timezone.localdate() + timedelta(days=2)
    response = client.post(url, {"ambassador": ambassador_bruno.pk, "day": day.isoformat(),
                                 "sectors": [streets["nord"].pk], "note": "Kiosque"})
    the_round = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("fieldwork:round_detail", args=[campaign.slug, the_round.pk])
    page = client.get(response["Location"]).content.decode()
    positions = [page.index(address) for address in NORD_ORDER]
    assert positions == sorted(positions)  # the printable list, in walking order
    # The same doors the same day for someone else: refused on the form, nothing planned.
    karim = make_user("karim@example.org", campaign=campaign, role=Role.AMBASSADOR, name="Karim")
    response = client.post(url, {"ambassador": karim.pk, "day": day.isoformat(), "sectors": [streets["nord"].pk]})
    assert response.status_code == 400 and Round.objects.count() == 1
    # A day in the past is refused by the form.
    response = client.post(url, {"ambassador": karim.pk, "day": (timezone.localdate() - timedelta(days=1)).isoformat(),
                                 "sectors": [streets["sud"].pk]})
    assert response.status_code == 400 and Round.objects.count() == 1
    # Cancelling: a confirmation, then the doors are free.
    cancel = reverse("fieldwork:round_cancel", args=[campaign.slug, the_round.pk])
    assert client.post(cancel).status_code == 302
    assert Round.objects.get(pk=the_round.pk).status == "cancelled" and not the_round.doors.exists()


def test_the_consent_text_gets_new_versions(client, campaign, organiser_dina, consent_script):
    client.force_login(organiser_dina)
    url = reverse("fieldwork:consent", args=[campaign.slug])
    text = consent_script.text + " Vous pouvez aussi écrire à la mairie annexe."
    assert client.post(url, {"text": text}).status_code == 302
    assert list(ConsentScript.objects.filter(campaign=campaign).values_list("version", "text")) == [
        (2, text), (1, consent_script.text)]
    page = client.get(url).content.decode()
    assert consent_script.text.replace("'", "&#x27;") in page
    assert client.post(url, {"text": "Trop court."}).status_code == 400
    assert ConsentScript.objects.filter(campaign=campaign).count() == 2


def test_the_settings_form(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    url = reverse("fieldwork:settings", args=[campaign.slug])
    values = {"daily_ceiling": 30, "doors_per_hour_max": 20, "participations_per_address_max": 4,
              "contact_rate_min": 10, "contact_rate_max": 35}
    assert client.post(url, values).status_code == 302
    assert FieldworkSettings.objects.get(campaign=campaign).contact_rate_max == 35
    response = client.post(url, {**values, "contact_rate_min": 50})
    assert response.status_code == 400 and FieldworkSettings.objects.get(campaign=campaign).contact_rate_min == 10


def test_the_overview_counts_visits_and_hides_small_groups(client, campaign, organiser_dina, ambassador_bruno,
                                                           consent_script, phone, published_action):
    from .conftest import participant, visit

    device, _token = phone
    records = [visit(participants=[participant(consent_script, supports=[published_action.pk])]),
               visit(outcome="absent"), visit(outcome="refused"), visit(outcome="absent")]
    services.visits_sync(ambassador=ambassador_bruno, device=device, campaign=campaign, records=records)
    client.force_login(organiser_dina)
    response = client.get(reverse("fieldwork:overview", args=[campaign.slug]))
    context = response.context
    assert context["outcomes"]["knocked"] == 4 and context["outcomes"]["opened"] == 2
    assert context["rates"] == [{"ambassador": ambassador_bruno.public_name, "visits": 4,
                                 "opened": 2, "rate": 50, "in_band": False}]
    assert context["by_day"][0]["participations"] == 1
    # One door-to-door support: a group under 5, never shown as a number.
    assert context["channels"]["by_channel"]["door_to_door"] is None
    assert context["consents"] == [{"version": 1, "method": context["consents"][0]["method"], "count": 1}]


def test_the_organisers_pages_make_a_constant_number_of_queries(client, campaign, organiser_dina, ambassador_bruno,
                                                                 streets):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(organiser_dina)
    urls = [reverse(name, args=[campaign.slug]) for name in ("fieldwork:overview", "fieldwork:rounds",
                                                              "fieldwork:devices")]

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            out.append(len(queries))
        return out

    def plan(days):
        services.device_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk, label="Tél")
        services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk,
                              day=timezone.localdate() + timedelta(days=days), sector_ids=[streets["nord"].pk])

    plan(1)
    few = counts()
    for days in (2, 3, 4):
        plan(days)
    assert counts() == few
