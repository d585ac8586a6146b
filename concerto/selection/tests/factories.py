"""Builders shared by the selection tests (and the API's): a call for volunteers, sectors, volunteers
(ORM rows: the volunteers' own services are tested in concerto/volunteers/tests), and selections
taken through the real services up to each stage (created, computed, announced, drawn, published)."""

import random

import pytest
from django.utils import timezone

from concerto.campaigns.models import Sector
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.residents.models import User
from concerto.selection import notifications, selectors, services
from concerto.selection.models import Selection
from concerto.selection.selectors import quota_keys, quota_suggestion, selection_categories
from concerto.volunteers.models import Volunteer, VolunteerCall

TALENTS = [{"code": "dessin", "label": "Dessiner"}, {"code": "histoire", "label": "Histoire du quartier"}]
DATES = [{"code": "atelier-1", "label": "Samedi 14 mars"}, {"code": "atelier-2", "label": "Samedi 28 mars"}]
QUESTIONS = [
    {"code": "age", "label": "Âge", "options": [{"code": "jeune", "label": "Moins de 45 ans"},
                                                {"code": "senior", "label": "45 ans et plus"}]},
    {"code": "genre", "label": "Genre", "options": [{"code": "femme", "label": "Femme"},
                                                    {"code": "homme", "label": "Homme"}]},
]


def make_call(campaign) -> VolunteerCall:
    for code, name in (("nord", "Nord"), ("sud", "Sud")):
        Sector.objects.get_or_create(campaign=campaign, code=code, defaults={"name": name})
    call, _ = VolunteerCall.objects.get_or_create(campaign=campaign, defaults={
        "is_open": True, "talents": TALENTS, "workshop_dates": DATES, "profile_questions": QUESTIONS,
        "consent_text": "J'accepte."})
    return call


def add_volunteer(campaign, n: int, *, sector="nord", age="jeune", genre="femme", talents=(), dates=None,
                  email=True, name="") -> Volunteer:
    user = User.objects.create_user(f"vol{n}-{campaign.slug}@example.org" if email else None,
                                    display_name=name or f"Personne {n}")
    volunteer = Volunteer.objects.create(
        campaign=campaign, user=user, pseudonym=f"V-{n:04d}", talents=list(talents),
        availability=[d["code"] for d in DATES] if dates is None else list(dates),
        profile={"age": age, "genre": genre}, sector=Sector.objects.get(campaign=campaign, code=sector),
        consent_at=timezone.now(), consent_version=1)
    if not email:
        household = Household.objects.create(
            campaign=campaign, name="", address_line1=f"{n} avenue Saint-Jérôme", postcode="13090",
            city="Aix-en-Provence", key=f"{n} avenue saint-jerome {campaign.slug}")
        code = InvitationCode.objects.create(campaign=campaign, household=household, code=f"C{n:05d}{campaign.pk}")
        CodeUse.objects.create(code=code, user=user)
    return volunteer


def make_pool(campaign, size: int, *, seed: int = 1, no_email_every: int = 0) -> list[Volunteer]:
    """A mixed pool: sectors, ages, genders and talents spread so proportional quotas are feasible."""
    make_call(campaign)
    rng = random.Random(seed)
    volunteers = []
    for n in range(1, size + 1):
        talents = [t["code"] for t in TALENTS if rng.random() < 0.4]
        volunteers.append(add_volunteer(
            campaign, n, sector="nord" if n % 2 else "sud", age="jeune" if n % 3 else "senior",
            genre="femme" if n % 4 < 2 else "homme", talents=talents,
            email=not (no_email_every and n % no_email_every == 0)))
    return volunteers


def suggested_quotas(campaign, panel_size: int, required_dates=()) -> list[dict]:
    pool = selectors.pool_snapshot(campaign, list(required_dates))
    from concerto.selection.selectors import pool_counts

    return quota_suggestion(categories=selection_categories(campaign), counts=pool_counts(pool),
                            pool_size=len(pool), panel_size=panel_size)


def create_selection(campaign, organiser, *, panel_size=4, quotas=None, title="Sélection de test",
                     required_dates=(), time_limit=20):
    return services.selection_create(
        by=organiser, campaign=campaign, title=title, panel_size=panel_size, required_dates=list(required_dates),
        time_limit=time_limit, quotas=suggested_quotas(campaign, panel_size) if quotas is None else quotas)


def computed_selection(campaign, organiser, **kwargs):
    selection = create_selection(campaign, organiser, **kwargs)
    return services.selection_compute(by=organiser, selection=selection)


def published_selection(campaign, organiser, **kwargs):
    selection = computed_selection(campaign, organiser, **kwargs)
    return services.selection_publish(by=organiser, selection=selection)


def announced_format(count: int = 3) -> dict:
    """What test announcements commit to: ``count`` distinct numbers from 1 to 49, known today."""
    return {"random_format": {"kind": "lottery", "count": count, "low": 1, "high": 49},
            "random_known_at": timezone.now()}


def announced_selection(campaign, organiser, count: int = 3, **kwargs):
    selection = published_selection(campaign, organiser, **kwargs)
    return services.selection_announce(by=organiser, selection=selection,
                                       random_source="Trois dés lancés devant les témoins",
                                       witnesses="Maître Dupont, huissière\nRachid B., habitant",
                                       **announced_format(count))


def drawn_selection(campaign, organiser, value="4 2 6", **kwargs):
    selection = announced_selection(campaign, organiser, count=len(value.split()), **kwargs)
    return services.selection_draw(by=organiser, selection=selection, random_value=value)


WORKSHOP_PLACE = "Maison de quartier, 12 rue des Lilas"


def workshop_start():
    """In a week, at 18:30 local time: the first workshop of the tests."""
    return (timezone.localtime() + timezone.timedelta(days=7)).replace(hour=18, minute=30, second=0, microsecond=0)


def prepared_digest(text="") -> str:
    """The digest the preview shows once ``prepared_notice`` saved the same values."""
    return notifications.notice_digest(Selection(notice_text=text, workshop_place=WORKSHOP_PLACE,
                                                 workshop_starts_at=workshop_start()))


def prepared_notice(selection, organiser, *, text="") -> str:
    """The first workshop's place and time saved; returns the digest a preview shows."""
    selection = services.selection_workshop_update(by=organiser, selection=selection, workshop_place=WORKSHOP_PLACE,
                                                   workshop_starts_at=workshop_start(), notice_text=text)
    return notifications.notice_digest(selection)


def keys_of(campaign):
    return quota_keys(selection_categories(campaign))


@pytest.fixture
def pool12(campaign):
    return make_pool(campaign, 12)
