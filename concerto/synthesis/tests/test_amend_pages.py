"""Versions and amendments as people see them: the public versions page and its two diff views,
the organisers' amendment pages and decision form, the opinion page, the digest's preference, the
support withdrawal, and the API."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from concerto.api.tests.conftest import token_for
from concerto.synthesis import services
from concerto.synthesis.models import ActionVersion, Amendment, DigestOptIn

from .test_amendments import workshop_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def amendments(campaign, organiser_dina, held_show):
    services.amendments_collect(by=organiser_dina, campaign=campaign)
    return list(Amendment.objects.order_by("pk"))


def two_versions(campaign, organiser, action, body="Premier paragraphe.\n\nLe <script>x</script> passage."):
    return services.version_record(by=organiser, campaign=campaign, action_id=action.pk, stage="contributions",
                                   title=action.title, summary=action.summary, body=body,
                                   reason="Trois contributions en ligne.")


def test_versions_page_is_public_with_both_diff_views(client, campaign, organiser_dina, actions):
    url = reverse("synthesis:versions", args=[campaign.slug, actions[0].pk])
    page = client.get(url).content.decode()
    assert "1 version" in page and "<ins>" not in page
    two_versions(campaign, organiser_dina, actions[0])
    page = client.get(url).content.decode()
    assert "diff-inline" in page and "<ins>Premier paragraphe.</ins>" in page
    assert "&lt;script&gt;" in page and "<script>x" not in page
    side = client.get(url, {"old": "1", "new": "2", "view": "side"}).content.decode()
    assert "diff-side" in side and "<th scope=\"col\">" in side
    assert client.get(url, {"old": "9", "new": "2"}).status_code == 404
    # The action's page links to the versions, now that there are two.
    detail = client.get(reverse("proposals:detail", args=[campaign.slug, actions[0].pk])).content.decode()
    assert url in detail


def test_version_form_records_with_a_reason(client, campaign, organiser_dina, actions):
    client.force_login(organiser_dina)
    url = reverse("synthesis:version_new", args=[campaign.slug, actions[1].pk])
    answer = client.post(url, {"title": actions[1].title, "summary": actions[1].summary, "body": "Nouveau.",
                               "reason": ""})
    assert answer.status_code == 400 and not ActionVersion.objects.exists()
    answer = client.post(url, {"title": actions[1].title, "summary": actions[1].summary, "body": "Nouveau.",
                               "reason": "Porte-à-porte : dix habitants le demandent."})
    assert answer.status_code == 302 and ActionVersion.objects.filter(action=actions[1]).count() == 2


def test_organiser_decides_on_the_amendment_page(client, campaign, organiser_dina, amendments, actions):
    client.force_login(organiser_dina)
    listing = client.get(reverse("synthesis:amendments", args=[campaign.slug])).content.decode()
    assert "3 amendments still to decide." in listing
    filtered = client.get(reverse("synthesis:amendments", args=[campaign.slug]), {"status": "open",
                                                                                   "candidate": "x"})
    assert filtered.status_code == 200
    amendment = amendments[0]
    page = reverse("synthesis:amendment", args=[campaign.slug, amendment.pk])
    assert "Ajouter un éclairage" in client.get(page).content.decode()
    decide = reverse("synthesis:amendment_decide", args=[campaign.slug, amendment.pk])
    refused = client.post(decide, {"decision": "accepted", "reason": " ", "title": actions[0].title,
                                   "summary": actions[0].summary, "body": "Éclairage la nuit."})
    assert refused.status_code == 400
    amendment.refresh_from_db()
    assert amendment.status == "open"
    done = client.post(decide, {"decision": "accepted", "reason": "Demande de l’atelier.", "title": actions[0].title,
                                "summary": actions[0].summary, "body": "Éclairage la nuit."})
    assert done.status_code == 302 and done["Location"].startswith(
        reverse("synthesis:versions", args=[campaign.slug, actions[0].pk]))
    versions = client.get(done["Location"]).content.decode()
    assert "<ins>Éclairage la nuit.</ins>" in versions and "Demande de l’atelier." in versions
    public = client.get(reverse("synthesis:amendments_public", args=[campaign.slug])).content.decode()
    assert "Demande de l’atelier." in public and "Commencer par un essai" not in public


def test_anchor_page_refuses_a_passage_not_in_the_text(client, campaign, organiser_dina, amendments, actions):
    client.force_login(organiser_dina)
    url = reverse("synthesis:amendment_anchor", args=[campaign.slug, amendments[0].pk])
    assert client.post(url, {"quote": "absent du texte"}).status_code == 400
    assert client.post(url, {"quote": actions[0].summary[:15]}).status_code == 302
    page = client.get(reverse("synthesis:amendment", args=[campaign.slug, amendments[0].pk])).content.decode()
    assert f"<mark>{escape(actions[0].summary[:15])}</mark>" in page


def test_opinion_page_for_workshop_participants_only(client, campaign, organiser_dina, amendments, actions,
                                                     resident_alice, resident_bob):
    workshop_for(campaign, actions[0], [resident_alice])
    services.amendment_consult(by=organiser_dina, campaign=campaign, amendment_id=amendments[0].pk,
                               until=timezone.now() + timedelta(days=2))
    url = reverse("synthesis:amendment_opinion", args=[campaign.slug, amendments[0].pk])
    client.force_login(resident_bob)
    assert client.get(url).status_code == 404
    client.force_login(resident_alice)
    assert client.get(url).status_code == 200
    assert client.post(url, {"opinion": "unsure", "comment": "À voir."}).status_code == 302
    client.force_login(organiser_dina)
    page = client.get(reverse("synthesis:amendment", args=[campaign.slug, amendments[0].pk])).content.decode()
    assert "À voir." in page and "Alice" not in page


def test_digest_preference_and_withdrawal(client, campaign, organiser_dina, actions, resident_alice):
    from concerto.proposals import services as proposal_services
    from concerto.proposals.models import Support

    client.force_login(resident_alice)
    url = reverse("synthesis:digest_preference", args=[campaign.slug])
    client.post(url, {"digest": "on"})
    assert DigestOptIn.objects.filter(user=resident_alice).exists()
    client.post(url, {})
    assert not DigestOptIn.objects.exists()
    proposal_services.support_add(user=resident_alice, action=actions[0])
    withdraw = reverse("synthesis:support_withdraw", args=[campaign.slug, actions[0].pk])
    assert "Yes, withdraw my support" in client.get(withdraw).content.decode() or \
        "retirer" in client.get(withdraw).content.decode().lower()
    assert Support.objects.filter(user=resident_alice).count() == 1
    assert client.post(withdraw).status_code == 302
    assert not Support.objects.filter(user=resident_alice).exists()


def test_api_versions_amendments_and_decision(client, campaign, organiser_dina, amendments, actions, resident_alice):
    two_versions(campaign, organiser_dina, actions[0])
    body = client.get(f"/api/v1/campaigns/{campaign.slug}/actions/{actions[0].pk}/versions").json()
    assert [v["number"] for v in body["versions"]] == [1, 2] and body["diff"]["changed"]
    assert body["diff"]["fields"][2]["rows"][0]["kind"] == "inserted"
    assert body["versions"][0]["made_by"] and "Alice" not in json.dumps(body)
    assert client.get(f"/api/v1/campaigns/{campaign.slug}/amendments").json() == []
    url = f"/api/v1/campaigns/{campaign.slug}/amendments/{amendments[2].pk}/decision"
    payload = json.dumps({"decision": "declined", "reason": ""})
    organiser = {"HTTP_AUTHORIZATION": f"Bearer {token_for(organiser_dina)}"}
    assert client.post(url, payload, content_type="application/json", **organiser).json()["code"] == "reason_required"
    alice = {"HTTP_AUTHORIZATION": f"Bearer {token_for(resident_alice)}"}
    payload = json.dumps({"decision": "declined", "reason": "Déjà prévu par la mairie."})
    assert client.post(url, payload, content_type="application/json", **alice).status_code == 404
    answer = client.post(url, payload, content_type="application/json", **organiser)
    assert answer.status_code == 200 and answer.json()["status"] == "declined"
    again = client.post(url, payload, content_type="application/json", **organiser)
    assert again.status_code == 400 and again.json()["code"] == "amendment_decided"
    public = client.get(f"/api/v1/campaigns/{campaign.slug}/amendments").json()
    assert [a["id"] for a in public] == [amendments[2].pk]
    staff = client.get(f"/api/v1/campaigns/{campaign.slug}/amendments", **organiser).json()
    assert len(staff) == 3


def test_after_participation_closed_only_a_changed_text_lets_a_support_go(client, campaign, organiser_dina, actions,
                                                                          resident_alice):
    from concerto.campaigns.models import Phase
    from concerto.proposals import services as proposal_services
    from concerto.proposals.models import Support

    for action in actions[:2]:
        proposal_services.support_add(user=resident_alice, action=action)
    Phase.objects.filter(campaign=campaign, kind="participation").update(is_closed=True)
    two_versions(campaign, organiser_dina, actions[0])
    client.force_login(resident_alice)
    unchanged = reverse("synthesis:support_withdraw", args=[campaign.slug, actions[1].pk])
    client.post(unchanged)
    assert Support.objects.filter(user=resident_alice, action=actions[1]).exists()
    changed = reverse("synthesis:support_withdraw", args=[campaign.slug, actions[0].pk])
    assert client.post(changed).status_code == 302
    assert not Support.objects.filter(user=resident_alice, action=actions[0]).exists()
