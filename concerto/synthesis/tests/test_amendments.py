"""Amendments: collected once from the candidates' improvements, anchored to a passage, optionally
put to the workshop participants, and always decided with a written reason."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from concerto.core.errors import NotAllowed
from concerto.core.models import AuditEntry
from concerto.synthesis import selectors, services
from concerto.synthesis.errors import (
    AlreadyDecided,
    BadDecision,
    BadOpinion,
    BadOpinionDate,
    NothingChanged,
    OpinionClosed,
    OpinionNotAllowed,
    QuoteNotFound,
    ReasonRequired,
    SynthesisNotFound,
)
from concerto.synthesis.models import ActionVersion, Amendment, AmendmentOpinion

pytestmark = pytest.mark.django_db


def collected(campaign, organiser):
    services.amendments_collect(by=organiser, campaign=campaign)
    return list(Amendment.objects.order_by("pk"))


def with_body(campaign, organiser, action, body="Poser des potelets devant l’école.\n\nÉclairer le passage."):
    return services.version_record(by=organiser, campaign=campaign, action_id=action.pk, stage="contributions",
                                   title=action.title, summary=action.summary, body=body,
                                   reason="Contributions en ligne.")


def workshop_for(campaign, action, people, absent=()):
    from concerto.workshops.models import ActionSheet, Attendee, Workshop

    now = timezone.now()
    workshop = Workshop.objects.create(campaign=campaign, number=1, title="Atelier", starts_at=now - timedelta(days=9),
                                       ends_at=now - timedelta(days=9, hours=-2), place="Centre social",
                                       room_code="ABCDEF")
    ActionSheet.objects.create(workshop=workshop, title=action.title, problem="p", proposal="q", action=action)
    for person in people:
        Attendee.objects.create(workshop=workshop, user=person, name="x", source="walk_in", attendance="present")
    for person in absent:
        Attendee.objects.create(workshop=workshop, user=person, name="y", source="walk_in", attendance="absent")
    return workshop


def test_collect_makes_one_amendment_per_improvement_once(campaign, organiser_dina, held_show, candidates, actions):
    assert services.amendments_collect(by=organiser_dina, campaign=campaign) == 3
    assert services.amendments_collect(by=organiser_dina, campaign=campaign) == 0
    found = {(a.candidate_id, a.action_id, a.source) for a in Amendment.objects.all()}
    assert found == {(candidates[0].pk, actions[0].pk, "live"), (candidates[1].pk, actions[2].pk, "live"),
                     (candidates[0].pk, actions[3].pk, "written")}
    assert selectors.amendments_open_count(campaign) == 3
    assert AuditEntry.objects.filter(code="synthesis.amendments.collected").count() == 1


def test_only_organisers_collect_and_decide(campaign, organiser_dina, moderator_marc, facilitator_fanny,
                                           resident_alice, candidate_claire, held_show):
    amendment = collected(campaign, organiser_dina)[0]
    for person in (moderator_marc, facilitator_fanny, resident_alice, candidate_claire):
        with pytest.raises(SynthesisNotFound):
            services.amendments_collect(by=person, campaign=campaign)
        with pytest.raises(SynthesisNotFound):
            services.amendment_decide(by=person, campaign=campaign, amendment_id=amendment.pk, decision="declined",
                                      reason="Non.")
        with pytest.raises(SynthesisNotFound):
            services.amendment_anchor(by=person, campaign=campaign, amendment_id=amendment.pk, quote="")
    amendment.refresh_from_db()
    assert amendment.status == "open"


def test_anchor_to_a_passage_of_the_current_text(campaign, organiser_dina, held_show, actions):
    amendment = collected(campaign, organiser_dina)[0]
    with_body(campaign, organiser_dina, actions[0])
    services.amendment_anchor(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk,
                              quote="Éclairer le passage")
    amendment.refresh_from_db()
    assert amendment.quote_exact == "Éclairer le passage"
    assert amendment.quote_prefix.endswith("l’école.\n\n") and amendment.quote_suffix == "."
    view = selectors.amendment_anchor_view(amendment)
    assert view["field"] == "body" and "<mark>Éclairer le passage</mark>" in str(view["marked"])
    with pytest.raises(QuoteNotFound):
        services.amendment_anchor(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk,
                                  quote="Un passage qui n’existe pas")
    amendment.refresh_from_db()
    assert amendment.quote_exact == "Éclairer le passage"
    # An empty passage: the whole action.
    services.amendment_anchor(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk, quote="  ")
    amendment.refresh_from_db()
    assert amendment.quote_exact == "" and amendment.quote_prefix == ""


def test_accept_makes_a_version_credited_to_the_candidate(campaign, organiser_dina, held_show, actions, candidates):
    amendment = collected(campaign, organiser_dina)[0]
    with_body(campaign, organiser_dina, actions[0])
    text = selectors.suggested_text(Amendment.objects.get(pk=amendment.pk))
    assert "Ajouter un éclairage du passage la nuit." in text["body"]
    services.amendment_decide(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk, decision="accepted",
                              reason="Demande partagée par l’atelier.", title=actions[0].title,
                              summary=actions[0].summary,
                              body="Poser des potelets devant l’école.\n\nÉclairer le passage, y compris la nuit.")
    amendment.refresh_from_db()
    assert amendment.status == "accepted" and amendment.decided_by == organiser_dina and amendment.decided_at
    version = amendment.version
    assert version.number == 3 and version.stage == "candidates" and version.reason == "Demande partagée par l’atelier."
    actions[0].refresh_from_db()
    assert "y compris la nuit" in actions[0].body
    role = selectors.version_author_role(version, actions[0])
    assert candidates[0].list_name in role
    assert selectors.amendments_open_count(campaign) == 2
    page = selectors.versions_page(actions[0], "1", "3")
    assert page["comparison"].changed and [v.number for v in page["versions"]] == [1, 2, 3]
    assert [a.pk for a in selectors.decided_amendments_of(actions[0])] == [amendment.pk]


def test_accept_modified_and_decline(campaign, organiser_dina, held_show, actions):
    first, second, third = collected(campaign, organiser_dina)
    services.amendment_decide(by=organiser_dina, campaign=campaign, amendment_id=second.pk,
                              decision="accepted_modified", reason="Essai de trois mois plutôt que six.",
                              title=actions[2].title, summary=actions[2].summary,
                              body="Commencer par un essai de trois mois.")
    services.amendment_decide(by=organiser_dina, campaign=campaign, amendment_id=third.pk, decision="declined",
                              reason="Les commerçants ont été consultés pendant l’atelier.")
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == "accepted_modified" and second.version.stage == "candidates"
    assert third.status == "declined" and not ActionVersion.objects.filter(action=actions[3]).exists()
    assert AuditEntry.objects.filter(code="synthesis.amendment.decided").count() == 2
    assert [a.pk for a in selectors.amendment_list(campaign, decided_only=True)] == \
        sorted([second.pk, third.pk], key=lambda pk: [a.pk for a in selectors.amendment_list(campaign)].index(pk))
    assert [a.pk for a in selectors.amendment_list(campaign, status="undecided")] == [first.pk]


@pytest.mark.parametrize("decision,reason,body,error", [
    ("declined", "   ", "", ReasonRequired),
    ("accepted", "", "Nouveau texte.", ReasonRequired),
    ("maybe", "Pourquoi pas.", "", BadDecision),
    ("accepted", "Oui.", None, NothingChanged),
])
def test_bad_decisions_change_nothing(campaign, organiser_dina, held_show, actions, decision, reason, body, error):
    amendment = collected(campaign, organiser_dina)[0]
    with pytest.raises(error):
        services.amendment_decide(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk, decision=decision,
                                  reason=reason, title=actions[0].title, summary=actions[0].summary,
                                  body=actions[0].body if body is None else body)
    amendment.refresh_from_db()
    assert amendment.status == "open" and amendment.decision_reason == "" and amendment.decided_at is None
    assert not ActionVersion.objects.exists()


def test_a_decided_amendment_stays_decided(campaign, organiser_dina, held_show):
    amendment = collected(campaign, organiser_dina)[0]
    services.amendment_decide(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk, decision="declined",
                              reason="Hors du périmètre de la commune.")
    for call in (lambda: services.amendment_decide(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk,
                                                   decision="declined", reason="Autre raison."),
                 lambda: services.amendment_anchor(by=organiser_dina, campaign=campaign,
                                                   amendment_id=amendment.pk, quote=""),
                 lambda: services.amendment_consult(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk,
                                                    until=timezone.now() + timedelta(days=2))):
        with pytest.raises(AlreadyDecided):
            call()
    amendment.refresh_from_db()
    assert amendment.decision_reason == "Hors du périmètre de la commune."


def test_participants_of_the_workshop_give_their_opinion(campaign, organiser_dina, held_show, actions,
                                                          resident_alice, resident_bob):
    amendment = collected(campaign, organiser_dina)[0]
    workshop_for(campaign, actions[0], [resident_alice], absent=[resident_bob])
    with pytest.raises(OpinionClosed):
        services.amendment_opinion_give(user=resident_alice, campaign=campaign, amendment_id=amendment.pk,
                                        opinion="for")
    with pytest.raises(BadOpinionDate):
        services.amendment_consult(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk,
                                   until=timezone.now() - timedelta(minutes=1))
    services.amendment_consult(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk,
                               until=timezone.now() + timedelta(days=3))
    services.amendment_opinion_give(user=resident_alice, campaign=campaign, amendment_id=amendment.pk,
                                    opinion="against", comment="Trop cher.")
    services.amendment_opinion_give(user=resident_alice, campaign=campaign, amendment_id=amendment.pk,
                                    opinion="for", comment="Finalement oui.")
    with pytest.raises(OpinionNotAllowed):
        services.amendment_opinion_give(user=resident_bob, campaign=campaign, amendment_id=amendment.pk, opinion="for")
    with pytest.raises(BadOpinion):
        services.amendment_opinion_give(user=resident_alice, campaign=campaign, amendment_id=amendment.pk,
                                        opinion="peut-être")
    amendment.refresh_from_db()
    tally = selectors.opinion_tally(amendment)
    assert tally["counts"] == {"for": 1, "against": 0, "unsure": 0} and tally["comments"] == ["Finalement oui."]
    assert tally["participants"] == 1
    # Once the date is past, nobody may give an opinion; the organisers still decide.
    Amendment.objects.filter(pk=amendment.pk).update(opinion_until=timezone.now() - timedelta(seconds=1))
    with pytest.raises(OpinionClosed):
        services.amendment_opinion_give(user=resident_alice, campaign=campaign, amendment_id=amendment.pk,
                                        opinion="against")
    services.amendment_decide(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk, decision="declined",
                              reason="Avis partagé, éclairage déjà prévu par la ville.")
    assert AmendmentOpinion.objects.get().opinion == "for"


def test_digest_opt_in_and_rows(campaign, organiser_dina, held_show, actions, resident_alice, resident_bob,
                                mailoutbox):
    from concerto.proposals import services as proposal_services
    from concerto.synthesis import notifications

    proposal_services.support_add(user=resident_alice, action=actions[0])
    proposal_services.support_add(user=resident_bob, action=actions[0])
    services.digest_opt_in_set(user=resident_alice, campaign=campaign, on=True)
    assert services.digest_opt_in_set(user=resident_alice, campaign=campaign, on=True) is False
    with pytest.raises(NotAllowed):
        services.digest_opt_in_set(user=None, campaign=campaign, on=True)
    assert selectors.digest_rows(campaign) == {}
    with_body(campaign, organiser_dina, actions[0])
    rows = selectors.digest_rows(campaign)
    assert list(rows) == [resident_alice.pk] and rows[resident_alice.pk][0]["from"] == 1
    assert notifications.send_digest(campaign_id=campaign.pk, base_url="https://concerto.example.org") == 1
    assert notifications.send_digest(campaign_id=campaign.pk, base_url="https://concerto.example.org") == 0
    (mail,) = mailoutbox
    assert mail.to == ["alice@example.org"] and "?old=1&new=2" in mail.body and "retirer-mon-soutien" in mail.body
    assert "Bob" not in mail.body


@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_end_with_one(campaign, organiser_dina, held_show):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    amendment = collected(campaign, organiser_dina)[0]
    barrier = threading.Barrier(2)
    results = []

    def decide(reason):
        from django.db import connection as thread_connection
        try:
            barrier.wait()
            services.amendment_decide(by=organiser_dina, campaign=campaign, amendment_id=amendment.pk,
                                      decision="declined", reason=reason)
            results.append("ok")
        except AlreadyDecided:
            results.append("decided")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=decide, args=(r,)) for r in ("Première raison.", "Seconde raison.")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["decided", "ok"]
    assert AuditEntry.objects.filter(code="synthesis.amendment.decided").count() == 1
