"""Pages composed from several apps' selectors. This app owns no models."""

from concerto.campaigns.selectors import sector_list
from concerto.core.selectors import audit_entries
from concerto.letters.selectors import letter_figures
from concerto.letters.selectors import sector_usage as sector_letter_usage
from concerto.proposals.selectors import (
    key_figures,
    participation_stats,
    sector_action_counts,
    suppress_small,
)
from concerto.residents.models import Role
from concerto.residents.selectors import role_counts, sector_membership_counts
from concerto.selection.selectors import selection_figures
from concerto.volunteers.selectors import sector_volunteer_counts, volunteer_figures

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


# The journal shows acts of the team (moderation, roles), never residents' own acts: a line
# "X supported Y" would reveal who supported what, which is sensitive data.
JOURNAL_CODES = ("proposals.action.", "proposals.comment.hidden", "proposals.comment.reports_dismissed",
                 "residents.role.")


def campaign_journal(campaign):
    return audit_entries(scope=campaign.slug, include=JOURNAL_CODES)


# --------------------------------------------------------------------------------------------------
# The sectors page (issue 10): what points at each sector, from every app that keeps one.
# --------------------------------------------------------------------------------------------------

SECTOR_USES = ("households", "street_rules", "residents", "actions", "volunteers")


def sector_rows(campaign) -> list[dict]:
    """Each sector of the campaign with how many rows of each app carry it (five queries in all)."""
    letters = sector_letter_usage(campaign)
    residents = sector_membership_counts(campaign)
    actions = sector_action_counts(campaign)
    volunteers = sector_volunteer_counts(campaign)
    rows = []
    for sector in sector_list(campaign):
        uses = {"households": letters.get(sector.pk, {}).get("households", 0),
                "street_rules": letters.get(sector.pk, {}).get("street_rules", 0),
                "residents": residents.get(sector.pk, 0), "actions": actions.get(sector.pk, 0),
                "volunteers": volunteers.get(sector.pk, 0)}
        rows.append({"sector": sector, **uses, "total": sum(uses.values())})
    return rows


def sector_usage(campaign, sector_id: int) -> dict:
    """One sector's row of ``sector_rows`` (zeros when nothing carries it)."""
    return next((r for r in sector_rows(campaign) if r["sector"].pk == sector_id),
                dict.fromkeys((*SECTOR_USES, "total"), 0))
