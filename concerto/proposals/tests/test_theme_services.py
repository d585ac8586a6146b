"""Themes edited by organisers: create, rename, reorder, delete when unused, merge otherwise."""

import pytest
from django.utils import translation

from concerto.core.errors import FieldErrors
from concerto.core.models import AuditEntry
from concerto.proposals import services
from concerto.proposals.errors import ThemeInUse, ThemeNotFound
from concerto.proposals.models import Action, Origin, Theme
from concerto.proposals.selectors import action_list, theme_list

pytestmark = pytest.mark.django_db


def themes_of(campaign) -> list[str]:
    return [t.name for t in theme_list(campaign)]


def publish(campaign, theme, title="Un composteur collectif"):
    return services.action_create_published_by_system(
        campaign=campaign, title=title, summary="Installer un composteur près des jardins familiaux.",
        theme_id=theme.pk if theme else None, origin=Origin.WORKSHOP)


def test_create_adds_last_with_a_unique_address(campaign, organiser_dina):
    theme = services.theme_create(by=organiser_dina, campaign=campaign, name=" Vie   de quartier ")
    assert isinstance(theme, Theme) and (theme.name, theme.slug) == ("Vie de quartier", "vie-de-quartier")
    assert themes_of(campaign) == ["Mobilité", "Espaces verts", "Vie de quartier"]
    # A name whose address is taken gets another address.
    again = services.theme_create(by=organiser_dina, campaign=campaign, name="Mobilite!")
    assert again.slug == "mobilite-2"
    assert AuditEntry.objects.filter(code="proposals.theme.created", actor=organiser_dina).count() == 2


def test_bad_names_are_refused_with_a_reason(campaign, organiser_dina):
    def errors(name):
        with translation.override("en"), pytest.raises(FieldErrors) as caught:
            services.theme_create(by=organiser_dina, campaign=campaign, name=name)
        return {k: str(v) for k, v in caught.value.errors.items()}

    assert errors("  ") == {"name": "Give the theme a name."}
    assert errors("x" * 81) == {"name": "The name is limited to 80 characters."}
    assert errors("mobilité") == {"name": "Another theme of this campaign already has this name."}
    assert themes_of(campaign) == ["Mobilité", "Espaces verts"]


def test_rename_keeps_the_address_and_finds_actions_by_the_new_name(campaign, organiser_dina, published_action):
    mobility = Theme.objects.get(campaign=campaign, slug="mobilite")
    services.theme_rename(by=organiser_dina, campaign=campaign, theme_id=mobility.pk, name="Déplacements")
    mobility.refresh_from_db()
    assert (mobility.name, mobility.slug) == ("Déplacements", "mobilite")
    assert [a.pk for a in action_list(campaign, q="deplacements")] == [published_action.pk]
    with pytest.raises(FieldErrors):
        services.theme_rename(by=organiser_dina, campaign=campaign, theme_id=mobility.pk, name="Espaces verts")


def test_move_up_and_down(campaign, organiser_dina):
    green = Theme.objects.get(campaign=campaign, slug="espaces-verts")
    services.theme_create(by=organiser_dina, campaign=campaign, name="Culture")
    services.theme_move(by=organiser_dina, campaign=campaign, theme_id=green.pk, offset=-1)
    assert themes_of(campaign) == ["Espaces verts", "Mobilité", "Culture"]
    services.theme_move(by=organiser_dina, campaign=campaign, theme_id=green.pk, offset=-1)  # already first
    assert themes_of(campaign) == ["Espaces verts", "Mobilité", "Culture"]
    moved = services.theme_move(by=organiser_dina, campaign=campaign, theme_id=green.pk, offset=1)
    assert moved.position == 2 and themes_of(campaign) == ["Mobilité", "Espaces verts", "Culture"]
    with pytest.raises(FieldErrors):
        services.theme_move(by=organiser_dina, campaign=campaign, theme_id=green.pk, offset=5)


def test_a_theme_in_use_is_merged_not_deleted(campaign, organiser_dina, published_action):
    mobility = Theme.objects.get(campaign=campaign, slug="mobilite")
    green = Theme.objects.get(campaign=campaign, slug="espaces-verts")
    with pytest.raises(ThemeInUse):
        services.theme_delete(by=organiser_dina, campaign=campaign, theme_id=mobility.pk)
    assert Theme.objects.filter(pk=mobility.pk).exists()
    kept = services.theme_merge(by=organiser_dina, campaign=campaign, theme_id=mobility.pk, into_id=green.pk)
    assert kept == green
    assert Action.objects.get(pk=published_action.pk).theme_id == green.pk
    assert not Theme.objects.filter(pk=mobility.pk).exists()
    assert [a.pk for a in action_list(campaign, q="espaces verts")] == [published_action.pk]
    entry = AuditEntry.objects.get(code="proposals.theme.merged")
    assert entry.data["actions_moved"] == 1 and entry.data["into"] == green.pk


def test_an_unused_theme_is_deleted(campaign, organiser_dina):
    green = Theme.objects.get(campaign=campaign, slug="espaces-verts")
    services.theme_delete(by=organiser_dina, campaign=campaign, theme_id=green.pk)
    assert themes_of(campaign) == ["Mobilité"]
    assert AuditEntry.objects.filter(code="proposals.theme.deleted", actor=organiser_dina).exists()


def test_merge_targets_are_checked(campaign, other_campaign, organiser_dina, published_action):
    mobility = Theme.objects.get(campaign=campaign, slug="mobilite")
    elsewhere = Theme.objects.get(campaign=other_campaign, slug="espaces-verts")
    for into in (mobility.pk, elsewhere.pk, "abc", None):
        with pytest.raises(FieldErrors) as caught:
            services.theme_merge(by=organiser_dina, campaign=campaign, theme_id=mobility.pk, into_id=into)
        assert set(caught.value.errors) == {"into"}
    assert Action.objects.get(pk=published_action.pk).theme_id == mobility.pk


def test_only_organisers_of_the_campaign_edit_themes(campaign, other_campaign, moderator_marc, resident_alice,
                                                     organiser_dina):
    mobility = Theme.objects.get(campaign=campaign, slug="mobilite")
    green = Theme.objects.get(campaign=campaign, slug="espaces-verts")
    for user in (moderator_marc, resident_alice, None):
        for call in (
            lambda u: services.theme_create(by=u, campaign=campaign, name="Culture"),
            lambda u: services.theme_rename(by=u, campaign=campaign, theme_id=mobility.pk, name="Culture"),
            lambda u: services.theme_move(by=u, campaign=campaign, theme_id=green.pk, offset=-1),
            lambda u: services.theme_delete(by=u, campaign=campaign, theme_id=green.pk),
            lambda u: services.theme_merge(by=u, campaign=campaign, theme_id=green.pk, into_id=mobility.pk),
        ):
            with pytest.raises(ThemeNotFound):
                call(user)
    # The organiser of this campaign cannot reach a theme of another one through it.
    with pytest.raises(ThemeNotFound):
        services.theme_delete(by=organiser_dina, campaign=other_campaign, theme_id=green.pk)
    with pytest.raises(ThemeNotFound):
        services.theme_delete(by=organiser_dina, campaign=campaign,
                              theme_id=Theme.objects.get(campaign=other_campaign, slug="mobilite").pk)
    assert themes_of(campaign) == ["Mobilité", "Espaces verts"]
