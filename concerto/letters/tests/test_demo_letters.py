"""The demo's letters on a small campaign: 700 households in the 8 sectors, one posted batch with its
PDF, three re-issued letters, and residents who joined with their household's code."""

import random
import re

import pytest

from concerto.campaigns.models import Sector
from concerto.demo import content as c
from concerto.demo.letters import load_letters
from concerto.letters.models import (
    BatchKind,
    BatchStatus,
    CodeUse,
    Household,
    InvitationCode,
    LetterBatch,
    StreetRule,
)
from concerto.letters.selectors import letter_figures
from concerto.residents import rules as residents_rules
from concerto.residents.models import Role
from conftest import make_user


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_load_letters(campaign):
    sectors = {code: Sector.objects.create(campaign=campaign, code=code, name=name) for code, name in c.SECTORS}
    organiser = make_user("orga@example.org", campaign=campaign, role=Role.ORGANISER)
    residents = [make_user(f"r{i}@example.org", campaign=campaign, role=Role.RESIDENT) for i in range(6)]
    counts = load_letters(campaign=campaign, organiser=organiser, residents=residents, sectors=sectors,
                          rng=random.Random(c.SEED))
    assert counts["households"] == 700 and counts["letters_sent"] == 700
    assert counts["codes_used"] == 6 and counts["residents_by_code"] == 6 and counts["reissued"] == 3
    assert Household.objects.filter(campaign=campaign, sector__isnull=True).count() == 0  # street rules
    assert StreetRule.objects.filter(campaign=campaign).count() == 8
    assert set(Household.objects.values_list("postcode", "city").distinct()) == {("13090", "Aix-en-Provence")}
    assert Household.objects.exclude(address_line2="").exists()
    invitation = LetterBatch.objects.get(kind=BatchKind.INVITATION)
    assert invitation.status == BatchStatus.DONE and invitation.total == 700 and invitation.sent_at is not None
    with invitation.file.open("rb") as handle:
        assert len(re.findall(rb"/Type\s*/Page(?![s\w])", handle.read())) == 700
    assert LetterBatch.objects.filter(kind=BatchKind.REISSUE, status=BatchStatus.DONE).count() == 3
    assert InvitationCode.objects.filter(revoked_at__isnull=False).count() == 3
    for user in residents:
        residents_rules.forget_roles(user)
        assert residents_rules.is_letter_verified(user, campaign)
    assert CodeUse.objects.filter(created_at__lt=invitation.sent_at).count() == 0
    assert letter_figures(campaign)["letters_sent"] == 700
    assert campaign.support_level == "any"
