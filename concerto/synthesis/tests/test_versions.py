"""Versions: immutable, numbered, with a reason and an author; the action's page shows the last."""

import pytest

from concerto.core.errors import FieldErrors
from concerto.core.models import AuditEntry
from concerto.synthesis import selectors, services
from concerto.synthesis.errors import NothingChanged, ReasonRequired, SynthesisNotFound
from concerto.synthesis.models import ActionVersion

pytestmark = pytest.mark.django_db


def test_a_new_text_keeps_the_first_and_becomes_the_actions_text(campaign, organiser_dina, published_action):
    version = services.version_record(
        by=organiser_dina, campaign=campaign, action_id=published_action.pk, stage="contributions",
        title=published_action.title, summary=published_action.summary,
        body="Les voitures roulent **vite** le matin, surtout entre 8 h et 8 h 30.",
        reason="Précision apportée par trois contributions en ligne.")
    published_action.refresh_from_db()
    assert version.number == 2
    assert "8 h 30" in published_action.body and "8 h 30" in published_action.body_html
    versions = selectors.action_versions(published_action)
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].body == "Les voitures roulent **vite** le matin." and versions[0].stage == "workshop"
    assert versions[1].created_by == organiser_dina
    assert AuditEntry.objects.filter(code="synthesis.version.recorded").count() == 1


def test_an_unchanged_text_or_a_missing_reason_records_nothing(campaign, organiser_dina, published_action):
    with pytest.raises(NothingChanged):
        services.version_record(by=organiser_dina, campaign=campaign, action_id=published_action.pk,
                                stage="contributions", title=published_action.title,
                                summary=published_action.summary, body=published_action.body, reason="Rien.")
    with pytest.raises(ReasonRequired):
        services.version_record(by=organiser_dina, campaign=campaign, action_id=published_action.pk,
                                stage="contributions", title="Autre titre", summary=published_action.summary,
                                body="", reason="  ")
    with pytest.raises(FieldErrors):
        services.version_record(by=organiser_dina, campaign=campaign, action_id=published_action.pk,
                                stage="contributions", title="", summary=published_action.summary, reason="Test.")
    assert not ActionVersion.objects.exists()
    published_action.refresh_from_db()
    assert published_action.title.startswith("Sécuriser")


def test_only_organisers_record_versions(campaign, moderator_marc, facilitator_fanny, resident_alice,
                                         published_action):
    for person in (moderator_marc, facilitator_fanny, resident_alice):
        with pytest.raises(SynthesisNotFound):
            services.version_record(by=person, campaign=campaign, action_id=published_action.pk,
                                    stage="contributions", title="Autre", summary=published_action.summary,
                                    reason="Test.")
    assert not ActionVersion.objects.exists()


def test_held_show_fixture_has_improvements(held_show, candidates):
    from concerto.live_event.models import Position, WrittenReaction
    assert Position.objects.exclude(improvement="").count() == 2
    assert WrittenReaction.objects.exclude(improvement="").count() == 1
