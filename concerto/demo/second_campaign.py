"""The demo's second campaign, still being set up: Les Aubépines, another neighbourhood.

It exists so that the back office can be tried on a campaign that is not finished: a calendar,
themes, sectors, a contact, a consent text and a small team, but no household, letter or
selection yet (the launch checklist says what is missing). It is built only through the services
the back office calls, as the organiser of Saint-Jérôme, who administers the organisation.
"""

from datetime import timedelta

from django.utils import timezone

from concerto.campaigns import services as campaigns_services
from concerto.dashboard.services import campaign_open
from concerto.proposals.services import theme_create
from concerto.residents.services import organisation_admin_grant_by_system, team_invite

SLUG = "les-aubepines"

CAMPAIGN = {
    "slug": SLUG,
    "name": "Les Aubépines, Aix-en-Provence",
    "territory": "Les Aubépines, Aix-en-Provence",
    "description": (
        "Une deuxième consultation, en préparation : les habitants des Aubépines seront invités "
        "par courrier au printemps, puis douze d'entre eux, tirés au sort parmi les volontaires, "
        "prépareront des actions pour leur quartier."
    ),
    "contact_name": "Collectif Concerto Aix",
    "contact_email": "aubepines@example.org",
    "contact_phone": "04 42 00 00 00",
    "contact_note": "Permanence le mercredi de 17 h à 19 h au centre social des Aubépines.",
    "is_public": False,
}

# (kind, first day, last day from today, summary)
PHASES = [
    ("invitation", 20, 34, "Un courrier avec un code personnel dans chaque boîte aux lettres du quartier."),
    ("selection", 35, 42, "Tirage au sort public de douze habitants parmi les volontaires."),
    ("workshops", 45, 60, "Deux ateliers pour imaginer des actions concrètes pour le quartier."),
]

THEMES = ["Cadre de vie", "Déplacements", "Jeunesse", "Commerces et services"]

SECTORS = ["Allée des Aubépines", "Résidence Les Cèdres", "Chemin du Moulin"]

CONSENT = (
    "J'accepte que le Collectif Concerto Aix conserve mon nom public et mes contributions pour la "
    "durée de la consultation des Aubépines. Je peux les consulter, les télécharger ou les supprimer "
    "à tout moment depuis « Mon espace »."
)

# Invited but not yet arrived: the team page shows them as pending invitations.
TEAM = [("mediatrice.aubepines@example.org", "moderator"), ("animation.aubepines@example.org", "facilitator")]


def team_emails() -> list[str]:
    return [email for email, _role in TEAM]


def build(*, organisation, organiser):
    """Create the campaign as ``organiser`` (made administrator of ``organisation``); returns it."""
    organisation_admin_grant_by_system(organisation=organisation, user=organiser)
    campaign = campaign_open(by=organiser, organisation=organisation, **CAMPAIGN)
    campaigns_services.consent_text_add(by=organiser, campaign=campaign, text=CONSENT)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    for kind, first, last, summary in PHASES:
        campaigns_services.phase_create(by=organiser, campaign=campaign, kind=kind, summary=summary,
                                        starts_at=today + timedelta(days=first),
                                        ends_at=today + timedelta(days=last + 1))
    for name in THEMES:
        theme_create(by=organiser, campaign=campaign, name=name)
    for name in SECTORS:
        campaigns_services.sector_create(by=organiser, campaign=campaign, name=name)
    for email, role in TEAM:
        team_invite(by=organiser, campaign=campaign, email=email, role=role,
                    build_url=lambda secret: f"/invitation/{secret}/")
    return campaign
