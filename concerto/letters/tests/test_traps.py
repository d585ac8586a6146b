"""Issue 10, "no silent traps" in letters: each test here failed on the code before the fix."""

import pytest
from django.urls import reverse

from concerto.letters import selectors, services
from concerto.letters.models import BatchKind, Household

from .test_import_flow import households_csv, import_households

JOIN = "https://concerto.example/c/quartier-test/rejoindre/"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- 1. A re-issued letter is not a "never invited" household -----------------------------------


def test_reissued_households_are_not_offered_again_as_never_invited(client, campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(12))
    first = services.batch_create(user=organiser_dina, campaign=campaign, scope="new", join_url=JOIN)
    services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=first.pk)
    for household in Household.objects.filter(campaign=campaign).order_by("pk")[:3]:
        services.household_reissue(user=organiser_dina, campaign=campaign, household_id=household.pk,
                                   reason="Courrier perdu", join_url=JOIN)
    counts = selectors.printable_counts(campaign)
    assert counts["new"] == 0 and counts["all"] == 12
    client.force_login(organiser_dina)
    page = client.get(reverse("letters:batches", args=[campaign.slug])).content.decode()
    assert "never had an invitation letter (0 letters)" in page or "(0 courrier" in page
    with pytest.raises(services.NothingToPrint):
        services.batch_create(user=organiser_dina, campaign=campaign, scope="new", join_url=JOIN)


def test_a_household_reissued_before_any_invitation_is_not_invited_twice(campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(3))
    household = Household.objects.filter(campaign=campaign).order_by("pk").first()
    services.household_reissue(user=organiser_dina, campaign=campaign, household_id=household.pk,
                               reason="Adresse corrigée", join_url=JOIN)
    batch = services.batch_create(user=organiser_dina, campaign=campaign, scope="new", join_url=JOIN)
    assert batch.kind == BatchKind.INVITATION and batch.total == 2
    assert household.pk not in set(batch.codes.values_list("household_id", flat=True))
