"""The calendar, themes and sectors pages: organisers only, forms without JavaScript, errors shown, nothing changed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.campaigns.models import Phase, PhaseKind, Sector
from concerto.campaigns.selectors import phase_is_open
from concerto.proposals.models import Action, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def dina(client, organiser_dina):
    client.force_login(organiser_dina)
    client.cookies["django_language"] = "en"
    return client


def url(name, campaign, *args):
    return reverse(f"dashboard:{name}", args=[campaign.slug, *args])


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_the_calendar_lists_the_phases_with_links(dina, campaign):
    body = dina.get(url("calendar", campaign)).content.decode()
    assert "Participation" in body and "Synthesis" in body
    participation = Phase.objects.get(campaign=campaign, kind=PhaseKind.PARTICIPATION)
    assert url("phase_edit", campaign, participation.pk) in body
    assert "Every phase of the process is in the calendar" in body  # all seven kinds are there


def test_adding_a_phase_with_the_form(dina, campaign):
    Phase.objects.filter(campaign=campaign, kind=PhaseKind.SYNTHESIS).delete()
    last = Phase.objects.filter(campaign=campaign).order_by("-ends_at").first()
    start = last.ends_at + timedelta(days=1)
    r = dina.post(url("calendar", campaign), {"kind": "synthesis", "starts_at": local(start),
                                              "ends_at": "31/12/2099 18:00", "summary": "Le dossier final."})
    assert r.status_code == 302 and r["Location"] == url("calendar", campaign)
    phase = Phase.objects.get(campaign=campaign, kind=PhaseKind.SYNTHESIS)
    assert phase.summary == "Le dossier final." and timezone.localtime(phase.ends_at).hour == 18
    assert "is in the calendar" in dina.get(r["Location"]).content.decode()


def test_bad_dates_are_shown_on_their_fields_and_nothing_is_saved(dina, campaign):
    Phase.objects.filter(campaign=campaign, kind=PhaseKind.SYNTHESIS).delete()
    r = dina.post(url("calendar", campaign), {"kind": "synthesis", "starts_at": "2099-05-02T10:00",
                                              "ends_at": "2099-05-01T10:00"})
    assert r.status_code == 200
    assert "The phase must end after it starts." in r.content.decode()
    r = dina.post(url("calendar", campaign), {"kind": "synthesis", "starts_at": "demain", "ends_at": ""})
    body = r.content.decode()
    assert "Type a date and time, for example 14/03/2027 18:00." in body
    assert "Give the date and time the phase ends." in body
    assert not Phase.objects.filter(campaign=campaign, kind=PhaseKind.SYNTHESIS).exists()


def test_editing_into_an_overlap_is_refused(dina, campaign):
    synthesis = Phase.objects.get(campaign=campaign, kind=PhaseKind.SYNTHESIS)
    participation = Phase.objects.get(campaign=campaign, kind=PhaseKind.PARTICIPATION)
    r = dina.post(url("phase_edit", campaign, synthesis.pk), {
        "kind": "synthesis", "starts_at": local(participation.ends_at - timedelta(days=1)),
        "ends_at": local(participation.ends_at + timedelta(days=5))})
    assert r.status_code == 200 and "overlap the “Participation” phase" in r.content.decode()
    assert Phase.objects.get(pk=synthesis.pk).ends_at == synthesis.ends_at


def test_closing_participation_asks_for_confirmation_then_closes_it(dina, campaign):
    phase = Phase.objects.get(campaign=campaign, kind=PhaseKind.PARTICIPATION)
    form = {"kind": phase.kind, "starts_at": local(phase.starts_at), "ends_at": local(phase.ends_at),
            "summary": phase.summary, "is_closed": "on"}
    r = dina.post(url("phase_edit", campaign, phase.pk), form)
    body = r.content.decode()
    assert r.status_code == 200 and "stops supports, proposals and comments at once" in body
    assert "Tick this box to confirm." in body
    assert not Phase.objects.get(pk=phase.pk).is_closed
    r = dina.post(url("phase_edit", campaign, phase.pk), {**form, "confirm": "on"})
    assert r.status_code == 302
    assert Phase.objects.get(pk=phase.pk).is_closed
    campaign.__dict__.pop("_phases", None)
    assert not phase_is_open(campaign, PhaseKind.PARTICIPATION)
    assert "closed early" in dina.get(url("calendar", campaign)).content.decode()


def test_moving_participation_out_of_today_asks_for_confirmation(dina, campaign):
    phase = Phase.objects.get(campaign=campaign, kind=PhaseKind.PARTICIPATION)
    Phase.objects.filter(campaign=campaign).exclude(pk=phase.pk).delete()  # a calendar with room to move
    end = timezone.now() - timedelta(hours=1)
    form = {"kind": phase.kind, "starts_at": local(phase.starts_at), "ends_at": local(end)}
    r = dina.post(url("phase_edit", campaign, phase.pk), form)
    assert r.status_code == 200 and "no longer open now" in r.content.decode()
    assert Phase.objects.get(pk=phase.pk).ends_at == phase.ends_at
    assert dina.post(url("phase_edit", campaign, phase.pk), {**form, "confirm": "on"}).status_code == 302
    assert Phase.objects.get(pk=phase.pk).ends_at < timezone.now()
    # Changing only the description of the open phase asks nothing.
    Phase.objects.filter(pk=phase.pk).update(ends_at=phase.ends_at)
    r = dina.post(url("phase_edit", campaign, phase.pk), {**form, "ends_at": local(phase.ends_at), "summary": "Hop"})
    assert r.status_code == 302 and Phase.objects.get(pk=phase.pk).summary == "Hop"


def test_deleting_a_phase_warns_first(dina, campaign):
    phase = Phase.objects.get(campaign=campaign, kind=PhaseKind.PARTICIPATION)
    body = dina.get(url("phase_delete", campaign, phase.pk)).content.decode()
    assert "Residents may support, propose and comment only while this phase is open." in body
    assert "It is open now" in body
    assert Phase.objects.filter(pk=phase.pk).exists()
    assert dina.post(url("phase_delete", campaign, phase.pk)).status_code == 302
    assert not Phase.objects.filter(pk=phase.pk).exists()


def test_themes_page_add_rename_move_merge(dina, campaign, published_action):
    r = dina.post(url("themes", campaign), {"name": "Culture"})
    assert r.status_code == 302
    culture = Theme.objects.get(campaign=campaign, name="Culture")
    r = dina.post(url("themes", campaign), {"name": "culture"})
    assert "Another theme of this campaign already has this name." in r.content.decode()
    dina.post(url("theme_edit", campaign, culture.pk), {"name": "Culture et sport"})
    dina.post(url("theme_move", campaign, culture.pk), {"direction": "up"})
    names = [t.name for t in Theme.objects.filter(campaign=campaign).order_by("position")]
    assert names == ["Mobilité", "Culture et sport", "Espaces verts"]
    dina.post(url("theme_move", campaign, culture.pk), {"direction": "sideways"})  # refused, nothing moves
    assert [t.name for t in Theme.objects.filter(campaign=campaign).order_by("position")] == names
    mobility = Theme.objects.get(campaign=campaign, slug="mobilite")
    page = dina.get(url("theme_delete", campaign, mobility.pk)).content.decode()
    assert "1 action carries the theme" in page
    r = dina.post(url("theme_delete", campaign, mobility.pk), {})
    assert r.status_code == 200 and "Choose where they go." in r.content.decode()
    assert Theme.objects.filter(pk=mobility.pk).exists()
    r = dina.post(url("theme_delete", campaign, mobility.pk), {"into": str(culture.pk)})
    assert r.status_code == 302
    assert Action.objects.get(pk=published_action.pk).theme_id == culture.pk
    green = Theme.objects.get(campaign=campaign, slug="espaces-verts")
    assert dina.post(url("theme_delete", campaign, green.pk)).status_code == 302
    assert list(Theme.objects.filter(campaign=campaign).values_list("name", flat=True)) == ["Culture et sport"]


def test_sectors_page_add_rename_delete_and_merge(dina, campaign, organiser_dina, resident_alice):
    r = dina.post(url("sectors", campaign), {"name": "Les Facultés"})
    assert r.status_code == 302
    fac = Sector.objects.get(campaign=campaign, code="les-facultes")
    assert "les-facultes" in dina.get(url("sectors", campaign)).content.decode()
    r = dina.post(url("sectors", campaign), {"name": ""})
    assert "Give the sector a name." in r.content.decode()
    dina.post(url("sector_edit", campaign, fac.pk), {"name": "Facultés"})
    assert Sector.objects.get(pk=fac.pk).name == "Facultés"
    other = Sector.objects.create(campaign=campaign, name="Encagnane", code="encagnane")
    from concerto.residents.models import Membership

    Membership.objects.filter(user=resident_alice, campaign=campaign).update(sector=fac)
    page = dina.get(url("sector_delete", campaign, fac.pk)).content.decode()
    assert "1 resident" in page and "Merge the sector" in page
    r = dina.post(url("sector_delete", campaign, fac.pk), {"into": str(fac.pk)})
    assert r.status_code == 200 and Sector.objects.filter(pk=fac.pk).exists()
    r = dina.post(url("sector_delete", campaign, fac.pk), {"into": str(other.pk)})
    assert r.status_code == 302 and not Sector.objects.filter(pk=fac.pk).exists()
    assert Membership.objects.get(user=resident_alice, campaign=campaign).sector_id == other.pk
    assert dina.post(url("sector_delete", campaign, other.pk + 0), {}).status_code == 200  # carries a resident
    empty = Sector.objects.create(campaign=campaign, name="Vide", code="vide")
    assert dina.post(url("sector_delete", campaign, empty.pk)).status_code == 302
    assert not Sector.objects.filter(pk=empty.pk).exists()


NAMES = [("calendar", ()), ("themes", ()), ("sectors", ())]


@pytest.mark.parametrize("name", ["calendar", "themes", "sectors"])
def test_pages_refuse_everyone_but_the_organisers(client, campaign, other_campaign, name, moderator_marc,
                                                  resident_alice):
    target = url(name, campaign)
    r = client.get(target)
    assert r.status_code == 302 and r["Location"].startswith(reverse("residents:sign_in"))
    for user in (moderator_marc, resident_alice):
        client.force_login(user)
        assert client.get(target).status_code == 404
        assert client.post(target, {"name": "Intrus"}).status_code == 404
    assert not Theme.objects.filter(name="Intrus").exists() and not Sector.objects.filter(name="Intrus").exists()


def test_an_organiser_elsewhere_gets_404_on_objects_of_this_campaign(client, campaign, other_campaign, organiser_dina):
    from concerto.residents.models import Role
    from concerto.residents.services import role_grant_by_system

    role_grant_by_system(campaign=other_campaign, user=organiser_dina, role=Role.ORGANISER)
    client.force_login(organiser_dina)
    theirs = Phase.objects.get(campaign=other_campaign, kind=PhaseKind.SYNTHESIS)
    theme = Theme.objects.get(campaign=other_campaign, slug="mobilite")
    assert client.get(url("phase_edit", campaign, theirs.pk)).status_code == 404
    assert client.post(url("phase_delete", campaign, theirs.pk)).status_code == 404
    assert client.post(url("theme_delete", campaign, theme.pk)).status_code == 404
    assert client.get(url("sector_edit", campaign, 10**9)).status_code == 404
    assert Phase.objects.filter(pk=theirs.pk).exists() and Theme.objects.filter(pk=theme.pk).exists()
