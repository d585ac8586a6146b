"""Pages composed from several apps' selectors. This app owns no models."""

from concerto.core.journal import journal_codes
from concerto.core.selectors import audit_entries
from concerto.letters.selectors import letter_figures
from concerto.proposals.selectors import key_figures, participation_stats, suppress_small
from concerto.residents.models import Role
from concerto.residents.selectors import role_counts
from concerto.selection.selectors import selection_figures
from concerto.volunteers.selectors import volunteer_figures

# Keys of later phases stay at 0 until their phase is built; the API promises every key.
STAT_KEYS = (
    "letters_sent", "codes_used", "volunteers", "workshop_participants", "workshops",
    "actions_from_workshops", "residents_participating", "supports", "contributions",
    "door_to_door_visits", "candidates", "reactions", "dossiers_sent",
)


def campaign_home_figures(campaign) -> dict:
    """What the campaign home shows (no channel breakdown): two queries whatever the data size."""
    figures = key_figures(campaign)
    roles = role_counts(campaign)
    letters = letter_figures(campaign)
    return {
        "letters_sent": letters["letters_sent"],
        "codes_used": letters["codes_used"],
        "workshop_participants": selection_figures(campaign)["workshop_participants"],
        "residents_participating": roles[Role.RESIDENT],
        "actions_from_workshops": figures["from_workshops"],
        "supports": figures["supports"],
        "contributions": figures["contributions"],
    }


def campaign_stats(campaign) -> dict:
    p = participation_stats(campaign)
    roles = role_counts(campaign)
    stats = dict.fromkeys(STAT_KEYS, 0)
    letters = letter_figures(campaign)
    stats.update(
        letters_sent=letters["letters_sent"],
        codes_used=letters["codes_used"],
        volunteers=volunteer_figures(campaign)["volunteers"],
        workshop_participants=selection_figures(campaign)["workshop_participants"],
        actions_from_workshops=p["actions_from_workshops"],
        residents_participating=roles[Role.RESIDENT],
        supports=p["supports"],
        contributions=p["contributions"],
        candidates=roles[Role.CANDIDATE],
        by_channel=suppress_small(p["by_channel"]),
    )
    return stats


def campaign_journal(campaign):
    """The team's acts, never residents' own acts: a line "X supported Y" would reveal who supported
    what, which is sensitive data. Which codes are the team's: ``core.journal.ACTS``."""
    include, exclude = journal_codes()
    return audit_entries(scope=campaign.slug, include=include, exclude=exclude)
