"""Action sheets: writing them with the room, retaining them, publishing them as actions."""

import uuid

import pytest

from concerto.core.errors import FieldErrors
from concerto.core.models import AuditEntry
from concerto.proposals.models import Action, Origin
from concerto.proposals.selectors import origin_note, participation_stats
from concerto.proposals.services import action_create_published
from concerto.workshops import services
from concerto.workshops.errors import (
    NotFacilitator,
    NothingToPublish,
    PhaseLocked,
    SheetNotFound,
    SheetPublished,
)
from concerto.workshops.models import ActionSheet, Idea, Phase, SheetStatus

from .sheets_world import fill_wall, make_workshop, move_to


@pytest.fixture
def workshop(campaign, organiser_dina, facilitator_fanny):
    w = make_workshop(campaign, organiser_dina, facilitators=[facilitator_fanny])
    fill_wall(w, facilitator=facilitator_fanny)
    return move_to(w, Phase.SHEETS, facilitator_fanny)


def sheet(by, workshop, **over):
    fields = {"title": "Des bancs à l'ombre", "problem": "Il fait trop chaud sur la place.",
              "proposal": "Installer six bancs sous les platanes de la place du marché.",
              "place": "Place du marché", "actors": ["city", "residents"], "cost": "small", "horizon": "soon",
              "client_id": str(uuid.uuid4())}
    fields.update(over)
    return services.sheet_save(by=by, workshop=workshop, **fields)[0]


def test_create_edit_and_link_ideas(workshop, facilitator_fanny):
    theme = workshop.themes.first()
    ideas = list(Idea.objects.filter(workshop=workshop, theme=theme, merged_into__isnull=True)[:2])
    s = sheet(facilitator_fanny, workshop, theme_id=theme.pk, idea_ids=[i.pk for i in ideas])
    assert s.status == SheetStatus.DRAFT and s.theme == theme
    assert set(s.ideas.all()) == set(ideas)
    s2, created = services.sheet_save(by=facilitator_fanny, workshop=workshop, sheet_id=s.pk, title="Des bancs partout",
                                      problem="Trop chaud.", proposal="Installer des bancs à l'ombre.", actors=["city"])
    assert not created and s2.title == "Des bancs partout" and list(s2.ideas.all()) == []
    assert AuditEntry.objects.filter(code="workshops.sheet.changed").count() == 1


def test_double_submit_creates_one_sheet(workshop, facilitator_fanny):
    client_id = str(uuid.uuid4())
    first = sheet(facilitator_fanny, workshop, client_id=client_id)
    again, created = services.sheet_save(by=facilitator_fanny, workshop=workshop, client_id=client_id, title="Autre titre",
                                         problem="x", proposal="Autre proposition ici.")
    assert again.pk == first.pk and not created
    assert ActionSheet.objects.filter(workshop=workshop).count() == 1


@pytest.mark.parametrize(("over", "field"), [
    ({"title": "  "}, "title"), ({"problem": ""}, "problem"), ({"proposal": ""}, "proposal"),
    ({"actors": ["city", "the-king"]}, "actors"), ({"cost": "huge"}, "cost"), ({"horizon": "never"}, "horizon"),
    ({"idea_ids": ["abc"]}, "ideas"), ({"theme_id": "999999"}, "theme"),
])
def test_bad_input_changes_nothing(workshop, facilitator_fanny, over, field):
    with pytest.raises(FieldErrors) as exc:
        sheet(facilitator_fanny, workshop, **over)
    assert exc.value.code == "invalid_fields" and field in exc.value.errors
    assert not ActionSheet.objects.exists()


def test_idea_of_another_workshop_or_merged_is_refused(workshop, facilitator_fanny, campaign, organiser_dina):
    other = make_workshop(campaign, organiser_dina, number_title="Autre atelier")
    fill_wall(other, ideas=6, people=3, themes=2)
    foreign = Idea.objects.filter(workshop=other).first()
    merged = Idea.objects.filter(workshop=workshop, merged_into__isnull=False).first()
    for idea in (foreign, merged):
        with pytest.raises(FieldErrors) as exc:
            sheet(facilitator_fanny, workshop, idea_ids=[idea.pk])
        assert set(exc.value.errors) == {"ideas"}
    assert not ActionSheet.objects.exists()


def test_participants_and_residents_cannot_write(workshop, resident_alice, moderator_marc):
    for user in (resident_alice, moderator_marc):
        with pytest.raises(NotFacilitator):
            sheet(user, workshop)
    assert not ActionSheet.objects.exists()


def test_sheets_only_in_the_sheets_phase(campaign, organiser_dina, facilitator_fanny):
    w = make_workshop(campaign, organiser_dina)
    w = move_to(w, Phase.VOTE, facilitator_fanny)
    with pytest.raises(PhaseLocked):
        sheet(facilitator_fanny, w)


def test_reorder_retain_delete(workshop, facilitator_fanny):
    a, b, c = (sheet(facilitator_fanny, workshop, title=f"Fiche numéro {i}") for i in range(3))
    services.sheet_move(by=facilitator_fanny, workshop=workshop, sheet_id=c.pk, direction="up")
    assert list(ActionSheet.objects.values_list("pk", flat=True)) == [a.pk, c.pk, b.pk]
    services.sheet_move(by=facilitator_fanny, workshop=workshop, sheet_id=a.pk, direction="up")  # already first
    with pytest.raises(FieldErrors):
        services.sheet_move(by=facilitator_fanny, workshop=workshop, sheet_id=a.pk, direction="sideways")
    services.sheet_status_set(by=facilitator_fanny, workshop=workshop, sheet_id=b.pk, status="retained")
    services.sheet_status_set(by=facilitator_fanny, workshop=workshop, sheet_id=b.pk, status="draft")
    with pytest.raises(FieldErrors):
        services.sheet_status_set(by=facilitator_fanny, workshop=workshop, sheet_id=b.pk, status="published")
    services.sheet_delete(by=facilitator_fanny, workshop=workshop, sheet_id=a.pk)
    assert list(ActionSheet.objects.values_list("position", flat=True)) == [0, 1]
    with pytest.raises(SheetNotFound):
        services.sheet_delete(by=facilitator_fanny, workshop=workshop, sheet_id=a.pk)


def test_publish_is_idempotent_and_audited(workshop, facilitator_fanny, campaign):
    theme = workshop.themes.get(name="Mobilité")  # the campaign has a proposals theme "Mobilité"
    kept = sheet(facilitator_fanny, workshop, theme_id=theme.pk, proposal="Mot " * 120)
    draft = sheet(facilitator_fanny, workshop, title="Une fiche pas retenue")
    services.sheet_status_set(by=facilitator_fanny, workshop=workshop, sheet_id=kept.pk, status="retained")
    published = services.sheets_publish(by=facilitator_fanny, workshop=workshop)
    assert [s.pk for s in published] == [kept.pk]
    kept.refresh_from_db()
    action = kept.action
    assert kept.status == SheetStatus.PUBLISHED and action.origin == Origin.WORKSHOP
    assert action.status == "published" and action.theme.name == "Mobilité"
    assert len(action.summary) <= 300 and action.summary.endswith("…") and "Mot Mot" in action.summary
    assert f"Issue de l’atelier n°\u00a0{workshop.number} du " in action.body and "## Constat" in action.body
    with pytest.raises(NothingToPublish):
        services.sheets_publish(by=facilitator_fanny, workshop=workshop)
    assert Action.objects.filter(origin=Origin.WORKSHOP).count() == 1
    assert AuditEntry.objects.filter(code="workshops.sheet.published").count() == 1
    draft.refresh_from_db()
    assert draft.action is None
    with pytest.raises(SheetPublished):
        services.sheet_save(by=facilitator_fanny, workshop=workshop, sheet_id=kept.pk, title="Changée",
                            problem="x", proposal="Une autre proposition.")
    # The stats count the published sheets; the action's page names its workshop.
    assert participation_stats(campaign)["actions_from_workshops"] == 1
    note = origin_note(action)
    assert note["url"].endswith(f"/ateliers/{workshop.pk}/compte-rendu/")


def test_publish_needs_a_runner(workshop, facilitator_fanny, resident_alice):
    kept = sheet(facilitator_fanny, workshop)
    services.sheet_status_set(by=facilitator_fanny, workshop=workshop, sheet_id=kept.pk, status="retained")
    with pytest.raises(NotFacilitator):
        services.sheets_publish(by=resident_alice, workshop=workshop)
    assert not Action.objects.filter(origin=Origin.WORKSHOP).exists()


def test_facilitators_may_publish_workshop_actions_only(campaign, facilitator_fanny):
    from concerto.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        action_create_published(by=facilitator_fanny, campaign=campaign, title="Action en ligne", summary="Un résumé assez long",
                                origin=Origin.ONLINE)
    action = action_create_published(by=facilitator_fanny, campaign=campaign, title="Action d'atelier",
                                     summary="Un résumé assez long", origin=Origin.WORKSHOP)
    assert action.status == "published"


