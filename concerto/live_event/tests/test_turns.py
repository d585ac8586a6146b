"""The speaking turns page (views/turns.py): the people who run the set see every turn timed and
correct one timed by mistake, with a reason; the correction is in the journal and on the page, and
the fairness report follows. Bad input is answered on the page, in French, and changes nothing."""

import pytest
from django.urls import reverse
from django.utils.translation import override

from concerto.campaigns.services import campaign_archive
from concerto.core.models import AuditEntry
from concerto.live_event import report
from concerto.live_event.models import SpeakingTurn

pytestmark = pytest.mark.django_db


def page_url(event):
    return reverse("live_event:control_turns", args=[event.campaign.slug, event.pk])


def correct_url(event, turn):
    return reverse("live_event:control_turn_correct", args=[event.campaign.slug, event.pk, turn.pk])


def text(response) -> str:
    return response.content.decode()


def french(client):
    client.cookies["django_language"] = "fr"
    return client


def test_the_facilitator_sees_every_turn_in_order_with_its_action(client, recorded, facilitator_fanny):
    event, items, (claire, paul, ines), _t0 = recorded
    client.force_login(facilitator_fanny)
    page = text(french(client).get(page_url(event)))
    assert "4 interventions chronométrées" in page
    # The latest first: a mistake is corrected right after it.
    assert page.index("Intervention 4<") < page.index("Intervention 3<") < page.index("Intervention 2<") < page.index("Intervention 1<")
    first = page[page.index("Intervention 1<"):page.index("Corrections faites")]
    assert "Chronométrée pour Claire Martin" in first and f"sur l’action 1. {items[0].action.title}" in first
    assert "1\u00a0min\u00a010\u00a0s" in first  # Claire's first turn: 70 s
    assert "Aucune intervention n’a été corrigée." in page
    # The control room and the fairness report lead here.
    assert page_url(event) in text(client.get(reverse("live_event:control", args=[event.campaign.slug, event.pk])))
    assert page_url(event) in text(client.get(reverse("live_event:report", args=[event.campaign.slug, event.pk])))


def test_only_the_people_who_run_the_set_open_it_or_correct(client, recorded, resident_alice, candidate_claire,
                                                           organiser_dina):
    event, _items, (claire, paul, _ines), _t0 = recorded
    turn = SpeakingTurn.objects.filter(candidate=claire).order_by("started_at").first()
    visitor = client.get(page_url(event))
    assert visitor.status_code == 302 and "/connexion/" in visitor["Location"]
    assert client.post(correct_url(event, turn), {"candidate": paul.pk, "reason": "x"}).status_code == 302
    for user in (resident_alice, candidate_claire):
        client.force_login(user)
        assert client.get(page_url(event)).status_code == 404
        assert client.post(correct_url(event, turn), {"candidate": paul.pk, "reason": "Mauvaise touche"}).status_code == 404
    # Nobody who may not run it sees the link on the public report either.
    assert page_url(event) not in text(client.get(reverse("live_event:report", args=[event.campaign.slug, event.pk])))
    turn.refresh_from_db()
    assert turn.candidate_id == claire.pk and not AuditEntry.objects.filter(code="live.turn_corrected").exists()
    client.force_login(organiser_dina)
    assert client.get(page_url(event)).status_code == 200


def test_a_turn_is_given_to_who_actually_spoke_and_the_page_says_so(client, recorded, facilitator_fanny):
    event, _items, (claire, paul, _ines), _t0 = recorded
    turn = SpeakingTurn.objects.filter(candidate=claire).order_by("started_at").first()
    client.force_login(facilitator_fanny)
    response = french(client).post(correct_url(event, turn), {"candidate": paul.pk, "reason": "Mauvaise touche : c’était Paul."},
                                   follow=True)
    assert response.redirect_chain[-1][0].endswith(f"#turn-{turn.pk}")
    page = text(response)
    assert "L’intervention 1 compte maintenant pour Paul Durand." in page
    assert "a attribué à Paul Durand une intervention de 1\u00a0min\u00a010\u00a0s chronométrée pour Claire Martin" in page
    assert "Mauvaise touche : c’était Paul." in page
    turn.refresh_from_db()
    assert turn.candidate_id == paul.pk
    assert [line["seconds"] for line in report.fairness_report(event)["lines"]] == [30, 130, 45]


def test_a_turn_when_nobody_spoke_is_removed(client, recorded, facilitator_fanny):
    event, _items, (_claire, _paul, ines), _t0 = recorded
    turn = SpeakingTurn.objects.get(candidate=ines)
    client.force_login(facilitator_fanny)
    response = french(client).post(correct_url(event, turn), {"candidate": "personne", "reason": "Personne ne parlait."},
                                   follow=True)
    assert response.redirect_chain[-1][0].endswith("#corrections")
    page = text(response)
    assert "L’intervention 4 est supprimée\u00a0: son temps ne compte pour personne." in page
    assert "a supprimé une intervention de 45\u00a0s chronométrée pour Inès Benali" in page
    assert not SpeakingTurn.objects.filter(pk=turn.pk).exists()


def test_the_same_candidate_changes_nothing(client, recorded, facilitator_fanny):
    event, _items, (claire, _paul, _ines), _t0 = recorded
    turn = SpeakingTurn.objects.filter(candidate=claire).first()
    client.force_login(facilitator_fanny)
    page = text(french(client).post(correct_url(event, turn), {"candidate": claire.pk, "reason": "Vérification"},
                                    follow=True))
    assert "Rien n’a changé\u00a0: l’intervention 1 compte déjà pour Claire Martin." in page
    assert not AuditEntry.objects.filter(code="live.turn_corrected").exists()


@pytest.mark.parametrize("form, field, sentence", [
    ({"reason": "  "}, "reason", "Dites pourquoi l’intervention est corrigée"),
    ({"reason": "x" * 281}, "reason", "280 caractères"),
    ({"candidate": "999999", "reason": "Mauvaise touche"}, "candidate", "ne figure pas parmi ceux de cette campagne"),
    ({"candidate": "abc", "reason": "Mauvaise touche"}, "candidate", "ne figure pas parmi ceux de cette campagne"),
])
def test_bad_input_is_answered_on_the_page_and_changes_nothing(client, recorded, facilitator_fanny, form, field,
                                                               sentence):
    event, _items, (claire, paul, _ines), _t0 = recorded
    turn = SpeakingTurn.objects.filter(candidate=claire).order_by("started_at").first()
    client.force_login(facilitator_fanny)
    response = french(client).post(correct_url(event, turn), {"candidate": paul.pk, **form})
    assert response.status_code == 400
    page = text(response)
    assert sentence in page
    # The form comes back open on that turn, what was typed kept, the field marked.
    assert f'id="turn-{turn.pk}-{field}"' in page and 'aria-invalid="true"' in page
    assert f'<li id="turn-{turn.pk}" class="card turn has-error">' in page
    # A summary at the top names the turn and links to the field, wherever the turn is in the list.
    assert "L’intervention 1 n’a pas été corrigée\u00a0:" in page and f'href="#turn-{turn.pk}-{field}"' in page
    turn.refresh_from_db()
    assert turn.candidate_id == claire.pk and not AuditEntry.objects.filter(code="live.turn_corrected").exists()


def test_a_turn_of_another_event_is_not_corrected_here(client, recorded, facilitator_fanny):
    event, _items, (claire, paul, _ines), _t0 = recorded
    turn = SpeakingTurn.objects.filter(candidate=claire).first()
    client.force_login(facilitator_fanny)
    wrong = reverse("live_event:control_turn_correct", args=[event.campaign.slug, event.pk, turn.pk + 1000])
    response = french(client).post(wrong, {"candidate": paul.pk, "reason": "Mauvaise touche"})
    assert response.status_code == 400 and "n’est pas dans le relevé de l’émission" in text(response)


def test_a_fetch_gets_json(client, recorded, facilitator_fanny):
    event, _items, (claire, paul, _ines), _t0 = recorded
    turn = SpeakingTurn.objects.filter(candidate=claire).first()
    client.force_login(facilitator_fanny)
    answer = client.post(correct_url(event, turn), {"candidate": paul.pk, "reason": "Mauvaise touche"},
                         HTTP_ACCEPT="application/json")
    assert answer.status_code == 200 and answer.json()["turn"]["candidate"] == paul.pk
    with override("fr"):
        bad = client.post(correct_url(event, turn), {"candidate": paul.pk, "reason": ""},
                          HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]


def test_an_archived_campaign_shows_the_turns_without_forms(client, recorded, facilitator_fanny, organiser_dina):
    event, _items, (claire, paul, _ines), _t0 = recorded
    campaign_archive(by=organiser_dina, campaign=event.campaign)
    turn = SpeakingTurn.objects.filter(candidate=claire).first()
    client.force_login(facilitator_fanny)
    page = text(french(client).get(page_url(event)))
    assert "La concertation est archivée" in page and "Enregistrer la correction" not in page
    response = client.post(correct_url(event, turn), {"candidate": paul.pk, "reason": "Mauvaise touche"})
    assert response.status_code == 400
    turn.refresh_from_db()
    assert turn.candidate_id == claire.pk


def test_the_list_shows_one_action_and_a_correction_comes_back_to_it(client, recorded, facilitator_fanny):
    event, items, (claire, paul, ines), _t0 = recorded
    client.force_login(facilitator_fanny)
    page = text(french(client).get(page_url(event), {"item": items[1].pk}))
    assert "2 interventions sur l’action 2." in page
    assert "Intervention 3<" in page and "Intervention 4<" in page and "Intervention 1<" not in page
    assert f'<option value="{items[1].pk}" selected>' in page
    turn = SpeakingTurn.objects.get(candidate=ines)
    response = client.post(correct_url(event, turn), {"candidate": paul.pk, "reason": "Mauvaise touche",
                                                      "item": items[1].pk})
    assert response["Location"] == f"{page_url(event)}?item={items[1].pk}#turn-{turn.pk}"
    # An unknown action shows every turn.
    assert "Intervention 1<" in text(client.get(page_url(event), {"item": "999999"}))
