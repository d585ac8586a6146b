"""Pages composed from several apps' selectors. This app owns no models."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from concerto.campaigns.selectors import (
    campaign_phases,
    consent_current,
    public_contact,
    sector_count,
    sector_list,
)
from concerto.core.journal import journal_codes
from concerto.core.journal import sentence as journal_sentence
from concerto.core.selectors import acts_of, audit_entries
from concerto.fieldwork.selectors import door_visit_count, visit_figures
from concerto.letters import selectors as letters_selectors
from concerto.letters.selectors import letter_figures, letters_generated
from concerto.letters.selectors import sector_usage as sector_letter_usage
from concerto.live_event.selectors import live_event_figures
from concerto.proposals import selectors as proposal_selectors
from concerto.proposals.selectors import (
    key_figures,
    participation_stats,
    sector_action_counts,
    suppress_small,
    themes_for,
)
from concerto.residents import selectors as resident_selectors
from concerto.residents.models import Role
from concerto.residents.selectors import role_counts, sector_membership_counts, team_counts
from concerto.selection.selectors import selection_figures, selections_for
from concerto.synthesis import selectors as synthesis_selectors
from concerto.volunteers import selectors as volunteer_selectors
from concerto.volunteers.selectors import call_for, sector_volunteer_counts, volunteer_figures
from concerto.workshops.selectors import workshop_figures

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
    live = live_event_figures(campaign)
    stats.update(
        letters_sent=letters["letters_sent"],
        codes_used=letters["codes_used"],
        volunteers=volunteer_figures(campaign)["volunteers"],
        workshop_participants=selection_figures(campaign)["workshop_participants"],
        workshops=workshop_figures(campaign)["workshops"],
        actions_from_workshops=p["actions_from_workshops"],
        residents_participating=roles[Role.RESIDENT],
        supports=p["supports"],
        contributions=p["contributions"],
        # The lists standing (each has its candidate), and their positions and written reactions.
        candidates=live["candidates"],
        reactions=live["reactions"],
        # Doors knocked in counted batches (absent included): visits, not people, so never suppressed.
        door_to_door_visits=door_visit_count(campaign),
        dossiers_sent=synthesis_selectors.dossiers_sent(campaign),
        by_channel=suppress_small(p["by_channel"]),
    )
    return stats


def channel_figures(campaign) -> dict:
    """For the campaign's organisers (exact figures: they see the rows anyway): supports by channel,
    so door and paper show apart from online, and the door-to-door figures of counted batches."""
    return {"supports_by_channel": participation_stats(campaign)["by_channel"], **visit_figures(campaign)}


def campaign_journal(campaign):
    """The team's acts, never residents' own acts: a line "X supported Y" would reveal who supported
    what, which is sensitive data. Which codes are the team's: ``core.journal.ACTS``."""
    include, exclude = journal_codes()
    return audit_entries(scope=campaign.slug, include=include, exclude=exclude)


# --- "Mes données": everything held about one person, for the page and the JSON download ---------

SIGN_IN_CODES = ("residents.account.created", "residents.sign_in.link", "letters.pin.signed_in")


@dataclass
class DataSection:
    """One part of "Mes données": ``rows`` for the JSON (stable English keys, codes, ISO dates),
    ``display`` for the page (French labels), ``columns`` naming each field for people."""

    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict] = field(default_factory=list)
    display: list[list] = field(default_factory=list)
    single: bool = False  # one record (the account): a dict in the JSON

    @property
    def pairs(self) -> list[tuple[str, object]]:
        """(label, value) of the first record, for a one-record part shown as a list."""
        return list(zip([label for _name, label in self.columns], self.display[0], strict=True)) if self.display else []

    def add(self, row: dict, shown: dict | None = None) -> None:
        self.rows.append(row)
        shown = {**row, **(shown or {})}
        self.display.append([shown.get(name) for name, _label in self.columns])


def _iso(moment):
    return moment.isoformat() if moment else None


def my_data(user) -> list[DataSection]:
    """Everything Concerto holds about ``user``: account, roles and household links, volunteer
    answers, supports, contributions, comments, reports, sign-ins and API tokens (never a secret)."""
    account = DataSection("account", _("My account"), [
        ("email", _("E-mail address")), ("public_name", _("Public name")), ("joined", _("Account created"))],
        single=True)
    account.add({"email": user.email, "public_name": user.display_name, "joined": _iso(user.date_joined)},
                {"email": user.email or _("none (sign-in with a letter code and PIN)"),
                 "public_name": user.public_name, "joined": user.date_joined})

    roles = DataSection("roles", _("My roles in campaigns"), [
        ("campaign_name", _("Campaign")), ("role", _("Role")), ("verification", _("Verified")),
        ("sector", _("Sector")), ("since", _("Since"))])
    for m in resident_selectors.my_memberships(user):
        roles.add({"campaign": m.campaign.slug, "campaign_name": m.campaign.name, "role": m.role,
                   "verification": m.verification, "sector": m.sector.name if m.sector_id else "",
                   "since": _iso(m.created_at)},
                  {"role": m.get_role_display(), "verification": m.get_verification_display(),
                   "since": m.created_at})

    households = DataSection("households", _("My household (letter code)"), [
        ("campaign_name", _("Campaign")), ("sector", _("Sector")),
        ("joined_at", _("Joined with its code on")), ("pin", _("Sign-in with code and PIN"))])
    # The household's address stays with the organisers (tests/security/test_visibility.py): the
    # letter's recipient has it on paper, whoever else typed its code must not learn it here.
    for use in letters_selectors.my_households(user):
        household = use.code.household
        households.add({"campaign": use.code.campaign.slug, "campaign_name": use.code.campaign.name,
                        "sector": household.sector.name if household.sector_id else "",
                        "joined_at": _iso(use.created_at), "pin": bool(use.pin_hash)},
                       {"joined_at": use.created_at})

    volunteering = DataSection("volunteering", _("My volunteer answers"), [
        ("campaign_name", _("Campaign")), ("pseudonym", _("Pseudonym")), ("talents", _("Talents")),
        ("availability", _("Workshop dates")), ("profile", _("Answers")), ("consent_at", _("Consent given on")),
        ("withdrawn_at", _("Withdrawn on"))])
    for item in volunteer_selectors.my_volunteering(user):
        v, answers = item["volunteer"], item["answers"] or {"talents": [], "dates": [], "profile": []}
        profile = {row["label"]: row["answer"] for row in answers["profile"] if row["answer"]}
        volunteering.add(
            {"campaign": v.campaign.slug, "campaign_name": v.campaign.name, "pseudonym": v.pseudonym,
             "sector": v.sector.name if v.sector_id else "", "talents": answers["talents"],
             "availability": answers["dates"], "profile": profile, "consent_version": v.consent_version,
             "consent_at": _iso(v.consent_at), "withdrawn_at": _iso(v.withdrawn_at)},
            {"talents": ", ".join(answers["talents"]), "availability": ", ".join(answers["dates"]),
             "profile": "; ".join(gettext("%(question)s: %(answer)s") % {"question": k, "answer": a}
                                  for k, a in profile.items()),
             "consent_at": v.consent_at, "withdrawn_at": v.withdrawn_at})

    supports = DataSection("supports", _("My supports"), [
        ("action", _("Action")), ("campaign_name", _("Campaign")), ("channel", _("How")), ("at", _("On"))])
    for s in proposal_selectors.my_supports(user):
        supports.add({"campaign": s.action.campaign.slug, "campaign_name": s.action.campaign.name,
                      "action_id": s.action_id, "action": s.action.title, "channel": s.channel,
                      "at": _iso(s.created_at)},
                     {"channel": s.get_channel_display(), "at": s.created_at})

    contributions = DataSection("contributions", _("My contributions"), [
        ("title", _("Title")), ("campaign_name", _("Campaign")), ("status", _("Status")),
        ("rejection_reason", _("Reason of a refusal")), ("created_at", _("Sent on"))])
    for a in proposal_selectors.my_contributions(user):
        contributions.add({"campaign": a.campaign.slug, "campaign_name": a.campaign.name, "id": a.pk,
                           "title": a.title, "summary": a.summary, "body": a.body, "place": a.place,
                           "status": a.status, "rejection_reason": a.rejection_reason,
                           "created_at": _iso(a.created_at)},
                          {"status": a.get_status_display(), "created_at": a.created_at})

    comments = DataSection("comments", _("My comments"), [
        ("action", _("On the action")), ("body", _("Comment")), ("status", _("Status")), ("at", _("On"))])
    for c in proposal_selectors.my_comments(user):
        comments.add({"campaign": c.action.campaign.slug, "action_id": c.action_id, "action": c.action.title,
                      "body": c.body, "status": c.status, "at": _iso(c.created_at)},
                     {"status": c.get_status_display(), "at": c.created_at})

    reports = DataSection("reports", _("Comments I reported"), [
        ("action", _("On the action")), ("reason", _("My reason")), ("at", _("On"))])
    for r in proposal_selectors.my_reports(user):
        reports.add({"campaign": r.comment.action.campaign.slug, "action": r.comment.action.title,
                     "comment_id": r.comment_id, "reason": r.reason, "at": _iso(r.created_at)},
                    {"at": r.created_at})

    sign_ins = DataSection("sign_ins", _("My sign-ins"), [("how", _("How")), ("at", _("On"))])
    for entry in acts_of(user, codes=SIGN_IN_CODES):
        sign_ins.add({"how": entry.code.rsplit(".", 1)[-1], "at": _iso(entry.at)},
                     {"how": journal_sentence(entry), "at": entry.at})

    tokens = DataSection("api_tokens", _("My API tokens (their secret is never kept)"), [
        ("name", _("Name")), ("prefix", _("Starts with")), ("scope", _("May")), ("created_at", _("Created on")),
        ("expires_at", _("Expires on")), ("revoked", _("Revoked"))])
    for t in resident_selectors.my_tokens(user):
        tokens.add({"name": t.name, "prefix": t.prefix, "scope": t.scope, "created_at": _iso(t.created_at),
                    "expires_at": _iso(t.expires_at), "last_used_at": _iso(t.last_used_at),
                    "revoked": t.revoked_at is not None},
                   {"scope": t.get_scope_display(), "created_at": t.created_at, "expires_at": t.expires_at})
    return [account, roles, households, volunteering, supports, contributions, comments, reports, sign_ins,
            tokens]


def my_data_json(user, sections: list[DataSection]) -> dict:
    """The download: each part under a stable key, and ``labels`` naming every part and field in the
    reader's language, so the file explains itself."""
    data: dict = {"exported_at": timezone.now().isoformat()}
    labels = {}
    for section in sections:
        data[section.key] = section.rows[0] if section.single else section.rows
        labels[section.key] = {"title": str(section.title),
                               "fields": {name: str(label) for name, label in section.columns}}
    data["labels"] = labels
    return data


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
            _url("dashboard:calendar", slug), _("Edit the calendar")),
        _line("themes", bool(themes), ngettext("%(n)d theme groups the actions.", "%(n)d themes group the actions.",
                                               len(themes)) % {"n": len(themes)}
              if themes else _("No theme yet: actions cannot be grouped."),
              _url("dashboard:themes", slug), _("Edit the themes")),
        _line("sectors", bool(sectors), ngettext("The territory has %(n)d sector.", "The territory has %(n)d sectors.",
                                                 sectors) % {"n": sectors}
              if sectors else _("No sector yet: letters cannot be followed street by street."),
              _url("dashboard:sectors", slug), _("Edit the sectors")),
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


# -- dashboard participation --
# The participation dashboard (organisers, exact figures) and its public summary (groups under 5
# hidden), and the trace of one action. Each app reads its own data (``participant_figures``,
# ``tracking_by_day``, ``attendance_by_workshop``, ...); this composes them. About fifteen queries
# whatever the campaign's size (tests/…/test_participation.py counts them).

MAX_WEEKS = 80


def _week(day):
    from datetime import timedelta

    return day - timedelta(days=day.weekday())


def _hide(value: int) -> int | None:
    """One figure about people on a public page: 1 to 4 become None ("fewer than 5")."""
    return None if 0 < value < proposal_selectors.SMALL_GROUP else value


def _hide_column(rows: list[dict], key: str) -> None:
    """Hide a column of a breakdown whose total is public, with secondary suppression."""
    shown = suppress_small({i: row[key] for i, row in enumerate(rows)})
    for i, row in enumerate(rows):
        row[key] = shown[i]


def _weeks(campaign, days) -> list:
    """Every week (its Monday) from the start of the campaign's calendar or of its first figure to
    the end of the calendar or its last figure, so quiet weeks show as 0 (at most MAX_WEEKS, the
    latest ones)."""
    from datetime import timedelta

    bounds = list(days)
    for phase in campaign_phases(campaign):
        bounds += [timezone.localdate(phase.starts_at), timezone.localdate(phase.ends_at)]
    if not bounds:
        return []
    first, last = _week(min(bounds)), _week(max(bounds))
    weeks = []
    while first <= last:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks[-MAX_WEEKS:]


def participation_dashboard(campaign, *, public: bool) -> dict:
    """The participation figures of a campaign. ``public``: groups under 5 people hidden (None),
    with secondary suppression where a total is printed; else the exact figures (its organisers)."""

    from concerto.letters.selectors import tracking_by_day, tracking_by_sector
    from concerto.residents.selectors import participant_sector_counts
    from concerto.workshops.selectors import attendance_by_workshop

    letters = letter_figures(campaign)
    people = proposal_selectors.participant_figures(campaign)
    stats = participation_stats(campaign)
    labels = proposal_selectors.channel_labels()

    funnel = [
        {"key": "letters_sent", "label": gettext("Letters sent"), "value": letters["letters_sent"]},
        {"key": "codes_used", "label": gettext("Letter codes used"), "value": letters["codes_used"]},
        {"key": "participants", "label": gettext("Participants"), "value": people["participants"]},
    ]
    sent = letters["letters_sent"]
    for step in funnel[1:]:
        step["percent"] = round(100 * step["value"] / sent) if sent else None

    supports = stats["by_channel"]
    supporters = people["supporters_by_channel"]
    if public:
        supports, supporters = suppress_small(supports), suppress_small(supporters)
    channels = [{"key": c, "label": labels[c], "supports": supports[c], "supporters": supporters[c]}
                for c in labels]

    # By sector: letters sent and codes used (households), participants (their membership's sector).
    sector_counts = participant_sector_counts(campaign, *proposal_selectors.participant_id_queries(campaign))
    sectors = []
    for row in tracking_by_sector(campaign):
        sectors.append({"name": row["name"] or gettext("No sector"), "letters_sent": row["letters_sent"],
                        "codes_used": row["codes_used"], "participants": sector_counts.pop(row["sector_id"], 0)})
    unplaced = sum(sector_counts.values())
    if unplaced:
        no_sector = next((s for s in sectors if s["name"] == gettext("No sector")), None)
        if no_sector is None:
            sectors.append({"name": gettext("No sector"), "letters_sent": 0, "codes_used": 0,
                            "participants": unplaced})
        else:
            no_sector["participants"] += unplaced
    if public:
        _hide_column(sectors, "codes_used")
        _hide_column(sectors, "participants")

    # Over time, per week: letters posted, codes first used, supports (by channel for organisers).
    per_day = tracking_by_day(campaign)
    support_days = proposal_selectors.supports_by_day(campaign)
    weeks = _weeks(campaign, [d["day"] for d in per_day] + [d for d, _c, _n in support_days])
    weekly = {w: {"letters_sent": 0, "codes_first_used": 0, "supports": 0, **dict.fromkeys(labels, 0)}
              for w in weeks}
    for d in per_day:
        row = weekly.get(_week(d["day"]))
        if row is not None:
            row["letters_sent"] += d["letters_sent"]
            row["codes_first_used"] += d["codes_first_used"]
    for day, channel, n in support_days:
        row = weekly.get(_week(day))
        if row is not None:
            row[channel] += n
            row["supports"] += n
    over_time = [{"week": w, **weekly[w]} for w in weeks]
    if public:
        for key in ("codes_first_used", "supports"):
            _hide_column(over_time, key)
        for row in over_time:  # per channel only for organisers: a week's cell could single someone out
            for c in labels:
                row[c] = None
    phases = [{"label": p.get_kind_display(), "starts": timezone.localdate(p.starts_at),
               "ends": timezone.localdate(p.ends_at)} for p in campaign_phases(campaign)]

    workshops = attendance_by_workshop(campaign)
    if public:
        for w in workshops:
            for key in ("invited", "confirmed", "present"):
                w[key] = _hide(w[key])

    return {
        "public": public,
        "funnel": funnel,
        "supports_total": stats["supports"],
        "supporters": people["supporters"],
        "contributors": _hide(people["contributors"]) if public else people["contributors"],
        "channels": channels,
        "sectors": sectors,
        "over_time": over_time,
        "phases": phases,
        "workshops": workshops,
        "audience": _public_audience(live_audience_figures(campaign)) if public else live_audience_figures(campaign),
        "charts": _participation_charts(funnel, channels, sectors, over_time, workshops),
    }


def live_audience_figures(campaign) -> dict:
    """The live page's audience peak as the stream hub recorded it (``live_event.selectors.audience_peak``:
    the most viewers one stream process held at once, a lower bound with several processes), or
    ``recorded`` False: the pages then say "not recorded" rather than invent a figure."""
    from concerto.live_event.selectors import audience_peak

    found = audience_peak(campaign)
    if found is None:
        return {"recorded": False, "peak": None}
    return {"recorded": True, **found}


def _public_audience(audience: dict) -> dict:
    if audience["recorded"]:
        audience["peak"] = _hide(audience["peak"])
    return audience


def _participation_charts(funnel, channels, sectors, over_time, workshops) -> list[dict]:
    from .charts import bar_chart, column_chart, figure_text

    def sentence(rows):
        return "; ".join(f"{label}: {figure_text(value)}" for label, value in rows)

    charts = []
    rows = [(s["label"], s["value"]) for s in funnel]
    charts.append(bar_chart(key="funnel", title=gettext("From letters to participants"),
                            desc=sentence(rows), rows=rows))
    rows = [(c["label"], c["supports"]) for c in channels]
    charts.append(bar_chart(key="channels", title=gettext("Supports by channel"), desc=sentence(rows), rows=rows))
    rows = [(s["name"], s["participants"]) for s in sectors]
    if rows:
        charts.append(bar_chart(key="sectors", title=gettext("Participants by sector"), desc=sentence(rows),
                                rows=rows))
    rows = [(w["week"].strftime("%d/%m"), w["supports"]) for w in over_time]
    if rows:
        charts.append(column_chart(
            key="weeks", title=gettext("Supports per week"),
            desc=gettext("Supports per week, from the week of %(first)s to the week of %(last)s. %(values)s") % {
                "first": over_time[0]["week"].strftime("%d/%m/%Y"), "last": over_time[-1]["week"].strftime("%d/%m/%Y"),
                "values": sentence(rows)}, rows=rows))
    rows = [(gettext("Workshop %(number)s") % {"number": w["number"]}, w["present"]) for w in workshops]
    if rows:
        charts.append(bar_chart(key="workshops", title=gettext("People present at each workshop"),
                                desc=sentence(rows), rows=rows))
    return charts


def action_trace(action) -> dict:
    """One action end to end, for its public page: ideas → workshop → online supports → door and
    paper captures → candidates' reactions → final text → commitments. Each app reads its part;
    groups under 5 supports hidden. About fifteen queries, whatever the action."""
    from concerto.live_event.selectors import action_reactions_trace
    from concerto.synthesis.selectors import action_commitments, action_versions
    from concerto.workshops.selectors import action_workshop_trace

    from .charts import bar_chart, column_chart, figure_text

    labels = proposal_selectors.channel_labels()
    exact = proposal_selectors.action_support_counts(action)
    shown = suppress_small(exact)
    total = sum(exact.values())
    online = shown.get("online")
    door = {c: shown[c] for c in ("door_to_door", "paper")}
    door_total = _hide(exact["door_to_door"] + exact["paper"])
    weekly: dict = {}
    for day, _channel, n in proposal_selectors.supports_by_day(action.campaign, action):
        weekly[_week(day)] = weekly.get(_week(day), 0) + n
    weeks = sorted(weekly)
    week_shown = suppress_small({w: weekly[w] for w in weeks})
    rows = [(w.strftime("%d/%m"), week_shown[w]) for w in weeks]
    channel_rows = [(labels[c], shown[c]) for c in labels]
    workshop = action_workshop_trace(action) if action.origin == "workshop" else None
    if workshop is not None:
        workshop["workshop"]["present"] = _hide(workshop["workshop"]["present"])
    reactions = action_reactions_trace(action)
    versions = action_versions(action)
    commitments = action_commitments(action)
    charts = [bar_chart(key="action-channels", title=gettext("Supports by channel"),
                        desc="; ".join(f"{label}: {figure_text(v)}" for label, v in channel_rows), rows=channel_rows)]
    if rows:
        charts.append(column_chart(key="action-weeks", title=gettext("Supports per week"),
                                   desc="; ".join(f"{label}: {figure_text(v)}" for label, v in rows), rows=rows))
    return {
        "action": action,
        "workshop": workshop,
        "supports": {"total": total, "online": online, "by_channel": [
            {"key": c, "label": labels[c], "value": shown[c]} for c in labels],
            "weeks": [{"week": w, "value": week_shown[w]} for w in weeks],
            "first": weeks[0] if weeks else None, "last": weeks[-1] if weeks else None},
        "door": {"total": door_total, "door_to_door": door["door_to_door"], "paper": door["paper"]},
        "reactions": reactions,
        "versions": versions,
        "final": versions[-1],
        "versions_url": f"/c/{action.campaign.slug}/actions/{action.pk}/versions/",
        "commitments": commitments,
        "charts": charts,
    }


def action_trace_link(action) -> list[dict]:
    """For ``proposals.selectors.register_action_extra``: the link to the action's trace page."""
    from django.urls import reverse

    if action.status not in ("published", "merged"):
        return []
    return [{"text": gettext("Follow this action's path, from the ideas to the commitments"),
             "url": reverse("dashboard:action_trace", args=[action.campaign.slug, action.pk])}]
