"""The tracking figures: by sector and by day, and the tracking page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.joining import services as joining
from concerto.letters import services
from concerto.letters.models import CodeUse, InvitationCode, LetterBatch
from concerto.letters.selectors import tracking_by_day, tracking_by_sector
from conftest import make_user

from .test_import_flow import add_sectors, import_households

JOIN = "https://concerto.example/j/"
TEXT = ("adresse;code_postal;ville;secteur\n"
        "1 avenue Saint-Jérôme;13090;Aix;avenue-saint-jerome\n"
        "2 avenue Saint-Jérôme;13090;Aix;avenue-saint-jerome\n"
        "3 rue des Lavandes;13090;Aix;rue-lavandes\n"
        "4 impasse des Pins;13090;Aix;\n")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def posted(campaign, organiser_dina, resident_alice, resident_bob):
    add_sectors(campaign)
    import_households(organiser_dina, campaign, TEXT)
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN)
    ten_days_ago = timezone.now() - timedelta(days=10)
    services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=batch.pk, when=ten_days_ago)
    codes = {c.household.address_line1: c for c in InvitationCode.objects.select_related("household")}
    joining.code_redeem(user=resident_alice, code=codes["1 avenue Saint-Jérôme"])
    joining.code_redeem(user=resident_bob, code=codes["1 avenue Saint-Jérôme"])
    joining.code_redeem(user=make_user("carol@example.org"), code=codes["3 rue des Lavandes"])
    CodeUse.objects.filter(user=resident_alice).update(created_at=ten_days_ago + timedelta(days=2))
    return batch


def test_by_sector(campaign, posted):
    rows = {row["name"]: row for row in tracking_by_sector(campaign)}
    assert rows["Avenue Saint-Jérôme"] == {
        "sector_id": rows["Avenue Saint-Jérôme"]["sector_id"], "name": "Avenue Saint-Jérôme", "households": 2,
        "letters_sent": 2, "codes_used": 1, "residents_by_code": 2, "percent_used": 50.0}
    assert rows["Rue des Lavandes"]["codes_used"] == 1 and rows["Rue des Lavandes"]["percent_used"] == 100.0
    assert rows[None]["households"] == 1 and rows[None]["codes_used"] == 0


def test_by_day_counts_letters_posted_and_first_uses(campaign, posted):
    days = {d["day"]: d for d in tracking_by_day(campaign)}
    posted_day = timezone.localdate(LetterBatch.objects.get().sent_at)
    assert days[posted_day]["letters_sent"] == 4
    # The avenue's code was first used 8 days ago (Alice), not today (Bob): counted once, on its first day.
    assert days[posted_day + timedelta(days=2)]["codes_first_used"] == 1
    assert days[timezone.localdate()]["codes_first_used"] == 1
    assert sum(d["codes_first_used"] for d in days.values()) == 2


def test_tracking_page(client, campaign, organiser_dina, posted):
    client.force_login(organiser_dina)
    body = client.get(reverse("letters:tracking", args=[campaign.slug])).content.decode()
    assert "Avenue Saint-Jérôme" in body
    assert "<meter" in body and "<progress" in body
    assert reverse("letters:batch_download", args=[campaign.slug, posted.pk]) in body
    assert "style=" not in body
