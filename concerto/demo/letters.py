"""Demo: the 700 invitation letters of Saint-Jérôme, their codes, and the residents who joined with them.

Everything goes through the organiser's real services: street rules, a CSV file imported with a
preview (no sector column: the street rules give each household its sector), the letter text, one
invitation batch of 700 letters rendered to PDF and marked posted, three re-issued letters, then
each demo resident redeems their household's code (``joining.code_redeem``). Only dates are moved
back with the ORM (batch and code uses), so the tracking page shows a realistic timeline.
Depends only on ``rng``.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from concerto.joining import services as joining
from concerto.letters import services
from concerto.letters.models import (
    CodeUse,
    Household,
    HouseholdImport,
    InvitationCode,
    LetterBatch,
    LetterSettings,
    StreetRule,
)
from concerto.letters.selectors import default_body, letter_figures

from .clock import audit_mark, audit_redate

POSTCODE = "13090"
CITY = "Aix-en-Provence"

# Sector code → (households, how the first address line is written, street rule).
STREETS = {
    "avenue-saint-jerome": (140, "{n} avenue Saint-Jérôme", "avenue Saint-Jérôme"),
    "chemin-micocouliers": (70, "{n} chemin des Micocouliers", "chemin des Micocouliers"),
    "residence-platanes": (120, "Résidence Les Platanes", "Résidence Les Platanes"),
    "rue-lavandes": (90, "{n} rue des Lavandes", "rue des Lavandes"),
    "allee-cigales": (80, "{n} allée des Cigales", "allée des Cigales"),
    "traverse-vallon": (70, "{n} traverse du Vallon", "traverse du Vallon"),
    "lotissement-oliviers": (60, "{n} lotissement Les Oliviers", "lotissement Les Oliviers"),
    "place-amandiers": (70, "{n} place des Amandiers", "place des Amandiers"),
}
SURNAMES = [
    "Martin", "Bernard", "Garcia", "Roux", "Fabre", "Blanc", "Mercier", "Guerin", "Morel", "Girard",
    "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Rossi", "Benali", "Nguyen", "Durand",
    "Laurent", "Faure", "Andre", "Michel", "Arnaud", "Bonnet", "Gauthier", "Perrin", "Barbier", "Brun",
]
SENDER = "Collectif Concerto Aix\nMaison de quartier Saint-Jérôme\n13090 Aix-en-Provence"
SENT_DAYS_AGO = 56
REISSUED = 3
# Residents per household among those who joined: (size, households). 76 + 2×21 + 3×4 = 130.
HOUSEHOLD_SIZES = [(1, 76), (2, 21), (3, 4)]


def _csv(rng: random.Random) -> bytes:
    lines = ["adresse;complement;code_postal;ville;nom"]
    for code, (count, pattern, _street) in STREETS.items():
        used: set[tuple] = set()
        while len(used) < count:
            if code == "residence-platanes":
                first, second = pattern, f"Bât. {rng.choice('ABCDEF')}, apt {rng.randint(1, 40)}"
            else:
                first = pattern.format(n=rng.randint(1, 120 if code == "avenue-saint-jerome" else 60))
                second = ""
                if rng.random() < 0.18:
                    second = f"Bât. {rng.choice('ABCD')}, apt {rng.randint(1, 24)}"
            if (first, second) in used:
                continue
            used.add((first, second))
            name = ""
            if rng.random() < 0.55:
                name = rng.choice(["Famille ", "M. et Mme ", "Mme ", "M. ", ""]) + rng.choice(SURNAMES)
            lines.append(f"{first};{second};{POSTCODE};{CITY};{name}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _join_url(campaign) -> str:
    path = reverse("joining:join", kwargs={"slug": campaign.slug})
    return (settings.CONCERTO_PUBLIC_URL or "http://127.0.0.1:8000").rstrip("/") + path


def _date_preparation(campaign, sent_at, now, mark: int) -> None:
    """The organiser prepared the letters four days before posting them: street rules, settings, the
    file of households, then the batch (rendered the same day); the rows and their audit entries say so."""
    prepared = sent_at - timedelta(days=4)
    StreetRule.objects.filter(campaign=campaign).update(created_at=prepared - timedelta(hours=1))
    LetterSettings.objects.filter(campaign=campaign).update(updated_at=prepared - timedelta(minutes=30))
    HouseholdImport.objects.filter(campaign=campaign).update(created_at=prepared,
                                                             imported_at=prepared + timedelta(minutes=10))
    Household.objects.filter(campaign=campaign).update(created_at=prepared + timedelta(minutes=10))
    Household.objects.filter(campaign=campaign, sector_set_at__isnull=False).update(
        sector_set_at=prepared + timedelta(minutes=10))
    batches = {f"letters.letterbatch:{b.pk}": b for b in LetterBatch.objects.filter(campaign=campaign)}
    first = min(batches.values(), key=lambda b: b.pk)
    # The codes of the first batch (the re-issued ones are dated with their letter already).
    InvitationCode.objects.filter(campaign=campaign, created_at__gt=now - timedelta(hours=1)).update(
        created_at=first.created_at)
    fixed = {"letters.street_rule.added": prepared - timedelta(hours=1),
             "letters.settings.updated": prepared - timedelta(minutes=30),
             "letters.import.previewed": prepared, "letters.import.confirmed": prepared + timedelta(minutes=10)}

    def when(entry):
        batch = batches.get(entry.target)
        if entry.code in fixed:
            return fixed[entry.code]
        if entry.code == "letters.household.reissued":
            batch = batches.get(f"letters.letterbatch:{entry.data.get('batch')}")
            return batch.created_at - timedelta(minutes=1) if batch else None
        if batch is None:
            return None
        return {"letters.batch.created": batch.created_at, "letters.batch.rendered": batch.finished_at,
                "letters.batch.sent": batch.sent_at}.get(entry.code)

    audit_redate([*fixed, "letters.household.reissued", "letters.batch.created", "letters.batch.rendered",
                  "letters.batch.sent"], campaign.slug, when, since=mark)


def load_letters(*, campaign, organiser, residents: list, sectors: dict, rng: random.Random) -> dict:
    """Households, letters and codes of the demo; every resident in ``residents`` joins with a code
    (a resident who takes part offline only receives it: they give it at the door or on the form).

    Draws from a copy of ``rng``: the caller's random stream is left where it was, so adding the
    letters does not change what the rest of the demo draws.
    """
    rng, parent = random.Random(), rng
    rng.setstate(parent.getstate())
    now = timezone.now()
    mark = audit_mark()
    sent_at = now - timedelta(days=SENT_DAYS_AGO)
    for code, (_count, _pattern, street) in STREETS.items():
        if code in sectors:
            services.street_rule_add(user=organiser, campaign=campaign, street=street, sector_id=sectors[code].pk)
    services.letter_settings_update(
        user=organiser, campaign=campaign, sender_lines=SENDER, place=CITY,
        title="Invitation à la concertation du quartier Saint-Jérôme", body=default_body(4),
        signature="L'équipe du Collectif Concerto Aix", residents_per_code=4, support_level=campaign.support_level,
    )
    upload = services.household_import_preview(user=organiser, campaign=campaign, filename="foyers-saint-jerome.csv",
                                               data=_csv(rng))
    households = services.household_import_confirm(user=organiser, campaign=campaign, import_id=upload.pk)
    join_url = _join_url(campaign)

    batch = services.batch_create(user=organiser, campaign=campaign, scope="new", join_url=join_url)
    services.batch_mark_sent(user=organiser, campaign=campaign, batch_id=batch.pk, when=sent_at)
    LetterBatch.objects.filter(pk=batch.pk).update(created_at=sent_at - timedelta(days=2),
                                                    started_at=sent_at - timedelta(days=2),
                                                    finished_at=sent_at - timedelta(days=2))

    all_households = list(Household.objects.filter(campaign=campaign).order_by("pk"))
    reissued = rng.sample(all_households, REISSUED)
    for i, household in enumerate(reissued):
        when = sent_at + timedelta(days=8 + 3 * i)
        reissue = services.household_reissue(user=organiser, campaign=campaign, household_id=household.pk,
                                             reason="Courrier perdu", join_url=join_url)
        services.batch_mark_sent(user=organiser, campaign=campaign, batch_id=reissue.pk, when=when)
        LetterBatch.objects.filter(pk=reissue.pk).update(created_at=when, started_at=when, finished_at=when)
        InvitationCode.objects.filter(household=household).update(created_at=when)
        InvitationCode.objects.filter(household=household, revoked_at__isnull=False).update(revoked_at=when)

    _date_preparation(campaign, sent_at, now, mark)

    # Households whose residents joined: groups of 1 to 3 residents share one code.
    sizes = [size for size, count in HOUSEHOLD_SIZES for _i in range(count)]
    people = rng.sample(residents, len(residents))
    if sum(sizes) != len(people):  # a smaller demo (tests): one resident per household
        sizes = [1] * len(people)
    homes = rng.sample(all_households, len(sizes))
    start = 0
    for size, household in zip(sizes, homes, strict=True):
        code = InvitationCode.objects.select_related("campaign", "household__sector").get(
            household=household, revoked_at__isnull=True)
        for user in people[start:start + size]:
            if getattr(user, "offline", False):  # met at the door or on paper: gives the code there (fieldwork.py)
                user.code = code
                continue
            joining.code_redeem(user=user, code=code)
        start += size

    # Most households answered in the first two weeks after the letters arrived.
    for use in CodeUse.objects.filter(code__campaign=campaign).select_related("code").order_by("pk"):
        earliest = max(sent_at, use.code.created_at) + timedelta(days=1)
        days = min(int(rng.expovariate(1 / 7)), 30)
        when = earliest + timedelta(days=days, hours=rng.randint(8, 20), minutes=rng.randint(0, 59))
        CodeUse.objects.filter(pk=use.pk).update(created_at=min(when, now - timedelta(hours=1)))

    figures = letter_figures(campaign)
    return {
        "households": households,
        "letters_sent": figures["letters_sent"],
        "codes_used": figures["codes_used"],
        "residents_by_code": figures["residents_by_code"],
        "reissued": REISSUED,
        "batches": LetterBatch.objects.filter(campaign=campaign).count(),
        "households_with_residents": InvitationCode.objects.filter(campaign=campaign, use_count__gte=1)
        .values("household").annotate(n=Count("id")).count(),
    }
