"""Shared set-up for synthesis tests: the live event's 3 candidates and 4 actions, and a held
show where every candidate took a position on every action, two of them suggesting improvements,
and Claire's list wrote one reaction with an improvement."""

import pytest

from concerto.live_event import services as live_services
from concerto.live_event.tests.conftest import actions, candidates, event, new_id, show  # noqa: F401

IMPROVEMENTS = {
    (0, 0): "Ajouter un éclairage du passage la nuit.",
    (1, 2): "Commencer par un essai de six mois avant les travaux.",
}


@pytest.fixture
def held_show(show, facilitator_fanny, candidate_claire, candidates, actions):  # noqa: F811
    """The show ended: each candidate's position on each action; improvements where IMPROVEMENTS says."""
    items = list(show.items.order_by("position"))
    for a_index, item in enumerate(items):
        live_services.on_air_set(actor=facilitator_fanny, event=show, item_id=item.pk)
        for c_index, candidate in enumerate(candidates):
            live_services.position_record(
                actor=facilitator_fanny, event=show, item_id=item.pk, candidate_id=candidate.pk,
                stance="with_changes" if (c_index, a_index) in IMPROVEMENTS else "favourable",
                summary="D’accord sur le principe.", improvement=IMPROVEMENTS.get((c_index, a_index), ""),
                client_id=new_id())
    live_services.event_end(actor=facilitator_fanny, event=show)
    live_services.written_reaction_save(actor=candidate_claire, candidate=candidates[0], action=actions[3],
                                        stance="reserved", text="Nous voulons d’abord consulter les commerçants.",
                                        improvement="Associer l’union des commerçants au choix des horaires.")
    show.refresh_from_db()
    return show


@pytest.fixture(autouse=True)
def english_pages(client, settings):
    """Pages are read in English, the msgid language, whatever the French catalogue holds (a test that
    reads French sets its own cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
