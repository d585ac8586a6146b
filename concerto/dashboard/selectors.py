"""Pages composed from several apps' selectors. This app owns no models."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.campaigns.selectors import (
    campaign_phases,
    consent_current,
    public_contact,
    sector_count,
    sector_list,
)
from concerto.core.selectors import audit_entries
from concerto.letters.selectors import letter_figures, letters_generated
from concerto.letters.selectors import sector_usage as sector_letter_usage
from concerto.proposals.selectors import (
    key_figures,
    participation_stats,
    sector_action_counts,
    suppress_small,
    themes_for,
)
from concerto.residents.models import Role
from concerto.residents.selectors import role_counts, sector_membership_counts, team_counts
from concerto.selection.selectors import selection_figures, selections_for
from concerto.volunteers.selectors import call_for, sector_volunteer_counts, volunteer_figures

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
                 "residents.role.", "campaigns.campaign.", "campaigns.consent_text.")


def campaign_journal(campaign):
    return audit_entries(scope=campaign.slug, include=JOURNAL_CODES)


# --- The launch checklist (dashboard.views_campaigns.campaign_checklist) -------------------------


def _url(name: str, slug: str, anchor: str = "") -> str | None:
    """The page where a line is fixed; None while that page does not exist in this version."""
    try:
        return reverse(name, args=[slug]) + anchor
    except NoReverseMatch:
        return None


def _line(key: str, done: bool, text: str, url: str | None, link: str, *, optional: bool = False) -> dict:
    return {"key": key, "done": done, "optional": optional, "text": text, "url": url, "link": link}


def campaign_checklist(campaign, user) -> dict:
    """What is configured, what is missing and what is public, one French sentence per line, each
    with the page where it is fixed. Read through each app's selectors; about fifteen queries."""
    slug = campaign.slug
    phases = campaign_phases(campaign)
    themes = themes_for(campaign)
    sectors = sector_count(campaign)
    letters = letter_figures(campaign)
    generated = letters_generated(campaign)
    contact = public_contact(campaign)
    consent = consent_current(campaign)
    team = team_counts(campaign)
    call = call_for(campaign)
    selections = selections_for(campaign, user)
    edit = "dashboard:campaign_edit"
    lines = [
        _line("calendar", bool(phases), ngettext(
            "The calendar has %(n)d phase.", "The calendar has %(n)d phases.", len(phases)) % {"n": len(phases)}
            if phases else _("The calendar has no phase yet: residents do not know when to take part."),
            _url("campaigns:phases", slug), _("Edit the calendar")),
        _line("themes", bool(themes), ngettext("%(n)d theme groups the actions.", "%(n)d themes group the actions.",
                                               len(themes)) % {"n": len(themes)}
              if themes else _("No theme yet: actions cannot be grouped."),
              _url("campaigns:themes", slug), _("Edit the themes")),
        _line("sectors", bool(sectors), ngettext("The territory has %(n)d sector.", "The territory has %(n)d sectors.",
                                                 sectors) % {"n": sectors}
              if sectors else _("No sector yet: letters cannot be followed street by street."),
              _url("campaigns:sectors", slug) or _url("letters:street_rules", slug), _("Edit the sectors")),
        _line("households", bool(letters["households"]), ngettext(
            "%(n)d household is imported.", "%(n)d households are imported.", letters["households"])
            % {"n": letters["households"]} if letters["households"] else _("No household imported yet."),
            _url("letters:import", slug), _("Import households")),
        _line("letters", generated, _("Letters were generated: the campaign's address can no longer change.")
              if generated else _("No letter generated yet."), _url("letters:batches", slug), _("Print letters")),
        _line("contact", bool(contact), _("Residents who need help are told: %(contact)s.") % {"contact": contact}
              if contact else _("No public contact: pages that say “ask the organisers” cannot say how."),
              _url(edit, slug, "#contact"), _("Edit the contact")),
        _line("legal_notice", bool(campaign.legal_notice), _("The legal notice is published.")
              if campaign.legal_notice else _("No legal notice yet (who publishes the site, who hosts it)."),
              _url(edit, slug, "#notices"), _("Edit the legal notice")),
        _line("privacy_notice", bool(campaign.privacy_notice), _("The privacy notice is published.")
              if campaign.privacy_notice else _("No privacy notice yet (what is collected, why, for how long, "
                                                "who to ask)."),
              _url(edit, slug, "#notices"), _("Edit the privacy notice")),
        _line("consent", consent is not None, _("Residents accept version %(v)d of the consent text when they join.")
              % {"v": consent.version} if consent else _("No consent text yet for residents who join."),
              _url("dashboard:campaign_consent", slug), _("Edit the consent text")),
        _line("team", bool(team["organiser"]) and bool(team["moderator"]), _team_sentence(team),
              _url("residents:team", slug), _("Manage the team")),
        _line("volunteer_call", call is not None and call.is_open,
              _("The call for volunteers is open.") if call is not None and call.is_open
              else _("The call for volunteers is not open."), _url("volunteering:call", slug),
              _("Edit the call for volunteers"), optional=True),
        _line("selection", bool(selections), ngettext(
            "%(n)d selection is prepared.", "%(n)d selections are prepared.", len(selections)) % {"n": len(selections)}
            if selections else _("No selection of workshop participants yet."),
            _url("selection:list", slug), _("See the selections") if selections else _("Prepare a selection"),
            optional=True),
    ]
    if campaign.archived_at is not None:
        public = _("The campaign is archived: its pages stay readable, nobody can take part.")
    elif campaign.is_public:
        public = _("The campaign is listed on the home page; anyone with its address can read it.")
    else:
        public = _("The campaign is not listed on the home page, but anyone with its address can read it.")
    return {
        "lines": lines,
        "missing": [line for line in lines if not line["done"] and not line["optional"]],
        "public": public,
        "public_url": _url("dashboard:campaign_home", slug),
    }


def _team_sentence(team: dict) -> str:
    organisers, moderators = team["organiser"], team["moderator"]
    if organisers and moderators:
        return _("The team has %(organisers)s and %(moderators)s.") % {
            "organisers": ngettext("%(n)d organiser", "%(n)d organisers", organisers) % {"n": organisers},
            "moderators": ngettext("%(n)d moderator", "%(n)d moderators", moderators) % {"n": moderators}}
    if not moderators:
        return _("The team has no moderator yet: contributions would wait unreviewed.")
    return _("The campaign has no organiser.")
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
