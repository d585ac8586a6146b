"""Audit entries in words: the one place that turns a code (``proposals.action.published``) and its
target and data into a sentence a person reads ("Léa published the action « Un banc »").

Adding a code is one line in ``ACTS``: the sentence (``{actor}``, ``{target}`` and any key of the
entry's data as placeholders) and whether it is an act of the team, shown in the campaign journal,
or a resident's own act, which stays out of it (who supported what is private). A code missing
here still reads as a sentence: "Léa made a change in Letters and codes: Household 12."

What a target is called, and where it links, is said by the app that owns it:
``register_target("proposals.action", resolver)`` in its ``AppConfig.ready``, with
``resolver(ids) -> {id: Target}`` (one query for a page of entries).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from string import Formatter

from django.apps import apps
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Act:
    sentence: str
    team: bool = True  # an act of the team (the campaign journal shows it), not a resident's own act


@dataclass(frozen=True)
class Target:
    text: str
    url: str = ""


def private(sentence) -> Act:
    return Act(sentence, team=False)


# One line per audit code. Placeholders: {actor}, {target}, then keys of the entry's data.
ACTS: dict[str, Act] = {
    # Actions, contributions, comments
    "proposals.action.created": Act(_("{actor} created the action “{target}”.")),
    "proposals.action.published": Act(_("{actor} published the action “{target}”.")),
    "proposals.action.rejected": Act(_("{actor} rejected the contribution “{target}”.")),
    "proposals.action.merged": Act(_("{actor} merged the contribution “{target}” into another action "
                                     "(supports moved: {supports_moved}).")),
    "proposals.comment.hidden": Act(_("{actor} hid a comment on “{target}”: {reason}")),
    "proposals.comment.reports_dismissed": Act(_("{actor} dismissed the reports on a comment on “{target}”.")),
    "proposals.contribution.submitted": private(_("{actor} proposed “{target}”.")),
    "proposals.support.added": private(_("{actor} supported “{target}”.")),
    "proposals.support.withdrawn": private(_("{actor} withdrew a support from “{target}”.")),
    "proposals.support.confirmed": private(_("{actor} confirmed at the door a support given online to “{target}”.")),
    "proposals.comment.added": private(_("{actor} commented on “{target}”.")),
    "proposals.comment.reported": private(_("{actor} reported a comment on “{target}”.")),
    # Accounts and roles
    "residents.role.granted": Act(_("{actor} gave {target} the role {role}.")),
    "residents.account.created": private(_("{actor} created an account.")),
    "residents.account.deleted": private(_("An account was deleted.")),
    "residents.resident.joined": private(_("{actor} joined the campaign.")),
    "residents.resident.verified_by_letter": private(_("{actor} was verified by a letter code.")),
    "residents.resident.met": private(_("A resident met at their door or by paper joined the campaign.")),
    "residents.resident.merged": private(_("{actor} was recognised as a resident met offline.")),
    "residents.sign_in.link": private(_("{actor} signed in with an e-mail link.")),
    "residents.sign_in.link_refused": private(_("An e-mail link was refused to {target}: staff sign in with a "
                                                "password.")),
    "residents.sign_in_links.purged": private(_("Expired sign-in links deleted: {count}.")),
    "residents.token.created": private(_("{actor} created an API token.")),
    "residents.token.revoked": private(_("{actor} revoked an API token.")),
    # Letters, households and codes
    "letters.settings.updated": Act(_("{actor} changed the letter text.")),
    "letters.support_level.changed": Act(_("{actor} changed who may support actions.")),
    "letters.import.previewed": Act(_("{actor} uploaded a households file (lines: {rows}, errors: {errors}).")),
    "letters.import.confirmed": Act(_("{actor} imported households (households: {households}).")),
    "letters.import.cancelled": Act(_("{actor} cancelled a households import.")),
    "letters.household.created": Act(_("{actor} added the household {target}.")),
    "letters.household.reissued": Act(_("{actor} issued a new code for the household {target}.")),
    "letters.street_rule.added": Act(_("{actor} added a street rule for “{street}”.")),
    "letters.street_rule.deleted": Act(_("{actor} deleted the street rule for “{street}”.")),
    "letters.street_rules.applied": Act(_("{actor} applied the street rules (households changed: {households}).")),
    "letters.batch.created": Act(_("{actor} prepared the letter batch {target} (letters: {letters}).")),
    "letters.batch.rendered": Act(_("The letter batch {target} is ready (letters: {letters}).")),
    "letters.batch.failed": Act(_("The letter batch {target} could not be prepared.")),
    "letters.batch.retried": Act(_("{actor} started the letter batch {target} again.")),
    "letters.batch.sent": Act(_("{actor} marked the letter batch {target} as posted (letters: {letters}).")),
    "letters.code.alert": Act(_("Many wrong letter codes were typed (wrong codes: {failures}, minutes: {minutes}): "
                                "the organisers were alerted.")),
    "letters.code.used": private(_("{actor} joined with a letter code.")),
    "letters.code.failed": private(_("A wrong letter code was typed.")),
    "letters.pin.failed": private(_("A wrong PIN was typed.")),
    "letters.pin.locked": private(_("A letter code was locked after too many wrong PINs.")),
    "letters.pin.signed_in": private(_("{actor} signed in with a code and PIN.")),
    # Volunteers
    "selection.call.configured": Act(_("{actor} saved the call for volunteers.")),
    "selection.call.opened": Act(_("{actor} opened the call for volunteers.")),
    "selection.call.closed": Act(_("{actor} closed the call for volunteers.")),
    "selection.volunteers.exported": Act(_("{actor} downloaded the list of volunteers (people: {count}).")),
    "selection.volunteers.purged": Act(_("Volunteers' answers erased after the retention period "
                                         "(volunteers: {volunteers}).")),
    "selection.volunteer.registered": private(_("Volunteer {pseudonym} signed up.")),
    "selection.volunteer.updated": private(_("Volunteer {pseudonym} updated their answers.")),
    "selection.volunteer.returned": private(_("Volunteer {pseudonym} volunteered again.")),
    "selection.volunteer.withdrawn": private(_("Volunteer {pseudonym} withdrew.")),
    "selection.volunteer.erased": private(_("The answers of volunteer {pseudonym} were erased.")),
    # Selections
    "selection.selection.created": Act(_("{actor} created the selection “{target}” (panel size: {panel_size}).")),
    "selection.selection.updated": Act(_("{actor} changed the settings of the selection “{target}”.")),
    "selection.quotas.relaxed": Act(_("{actor} relaxed the quotas of the selection “{target}”.")),
    "selection.computation.started": Act(_("{actor} started the computation of the selection “{target}” (volunteers: "
                                           "{pool_size}).")),
    "selection.computation.cancelled": Act(_("{actor} stopped the computation of the selection “{target}”.")),
    "selection.computation.finished": Act(_("The computation of the selection “{target}” finished (possible panels: {panels}).")),
    "selection.computation.infeasible": Act(_("The quotas of the selection “{target}” cannot be met together.")),
    "selection.computation.failed": Act(_("The computation of the selection “{target}” failed.")),
    "selection.distribution.published": Act(_("{actor} published the chances of the selection “{target}”.")),
    "selection.source.announced": Act(_("{actor} announced the public random source of the selection “{target}”.")),
    "selection.draw.run": Act(_("{actor} ran the public draw of the selection “{target}”.")),
    "selection.seat.replaced": Act(_("{actor} replaced {withdrawn} in the selection “{target}” from the reserve list.")),
    "selection.seat.to_replace": Act(_("A seat of the selection “{target}” is to refill: {withdrawn} deleted their account.")),
    "selection.seats.notified": Act(_("{actor} notified the people drawn in the selection “{target}” (e-mails: {emails}, "
                                      "letters: {letters}).")),
    "selection.notice.updated": Act(_("{actor} edited the message to the people drawn in the selection “{target}”.")),
    "selection.selection.archived": Act(_("{actor} archived the selection “{target}”.")),
    "selection.selection.deleted": Act(_("{actor} deleted the selection “{target}”.")),
    "selection.workshop_panel.set": Act(_("{actor} made the selection “{target}” the workshop panel.")),
    # Campaign set-up (back office)
    "campaigns.organisation.created": Act(_("{actor} created the organisation “{target}”.")),
    "campaigns.campaign.created": Act(_("{actor} created the campaign “{target}”.")),
    "campaigns.campaign.updated": Act(_("{actor} changed the settings of the campaign “{target}” ({fields} fields).")),
    "campaigns.campaign.archived": Act(_("{actor} archived the campaign “{target}”.")),
    "campaigns.campaign.restored": Act(_("{actor} restored the archived campaign “{target}”.")),
    "campaigns.consent_text.added": Act(_("{actor} published version {version} of the consent text.")),
    "campaigns.phase.created": Act(_("{actor} added a phase to the calendar.")),
    "campaigns.phase.updated": Act(_("{actor} changed a phase of the calendar.")),
    "campaigns.phase.deleted": Act(_("{actor} removed a phase from the calendar.")),
    "campaigns.sector.created": Act(_("{actor} created the sector “{name}”.")),
    "campaigns.sector.renamed": Act(_("{actor} renamed a sector “{name}”.")),
    "campaigns.sector.deleted": Act(_("{actor} deleted the sector “{name}”.")),
    "campaigns.sector.merged": Act(_("{actor} merged the sector “{name}” into “{target}”.")),
    "proposals.theme.created": Act(_("{actor} created the theme “{name}”.")),
    "proposals.theme.renamed": Act(_("{actor} renamed the theme “{before}” to “{name}”.")),
    "proposals.theme.moved": Act(_("{actor} moved the theme “{target}” in the list.")),
    "proposals.theme.deleted": Act(_("{actor} deleted the theme “{name}”.")),
    "proposals.theme.merged": Act(_("{actor} merged a theme into “{target}”.")),
    "proposals.action.edited": Act(_("{actor} corrected the contribution “{target}” before publishing it.")),
    "proposals.contribution.withdrawn": private(_("{actor} withdrew the contribution “{target}”.")),
    # The team and passwords
    "residents.invitation.sent": Act(_("{actor} invited someone to join the team as {role}.")),
    "residents.invitation.resent": Act(_("{actor} sent a team invitation again.")),
    "residents.invitation.revoked": Act(_("{actor} cancelled a team invitation.")),
    "residents.invitation.accepted": Act(_("{actor} accepted the invitation to join the team.")),
    "residents.role.revoked": Act(_("{actor} removed the role of {role} from {target}.")),
    "residents.organisation_admin.granted": Act(_("{actor} made {target} an administrator of the organisation.")),
    "residents.password.reset_requested": private(_("A password reset link was requested for {target}.")),
    "residents.password.reset": private(_("{actor} chose a new password with a reset link.")),
    "residents.password.changed": private(_("{actor} changed their password.")),
    "residents.password.set": private(_("{actor} chose a password when joining the team.")),
    # Households and codes
    "letters.household.updated": Act(_("{actor} corrected the address of the household {target}.")),
    "letters.household.sector_set": Act(_("{actor} set the sector of the household {target} by hand.")),
    "letters.household.deleted": Act(_("{actor} deleted a vacant household; its codes are revoked.")),
    "letters.households.exported": Act(_("{actor} downloaded the households and codes file.")),
    "letters.import.undone": Act(_("{actor} undid a households import.")),
    "letters.pin.reset": Act(_("{actor} reset the PIN of {target}.")),
    # Workshops, the room (joining and one's own ideas; who wrote what stays out of the journal)
    "workshops.attendee.joined": private(_("A participant took their seat on a workshop wall.")),
    "workshops.join_request.created": private(_("Someone asked to join a workshop wall.")),
    "workshops.join_request.admitted": Act(_("{actor} let someone in to a workshop wall as an invited person.")),
    "workshops.join_request.walked_in": Act(_("{actor} let someone in to a workshop wall as a walk-in.")),
    "workshops.join_request.refused": Act(_("{actor} did not let someone in to a workshop wall.")),
    "workshops.idea.edited": private(_("A participant changed their idea on a workshop wall.")),
    "workshops.idea.deleted": private(_("A participant deleted their idea from a workshop wall.")),
    # Workshops: action sheets
    "workshops.sheet.created": Act(_("{actor} wrote the action sheet “{title}”.")),
    "workshops.sheet.changed": Act(_("{actor} changed the action sheet “{title}”.")),
    "workshops.sheet.deleted": Act(_("{actor} deleted the action sheet “{title}”.")),
    "workshops.sheet.moved": Act(_("{actor} moved an action sheet in the list.")),
    "workshops.sheet.retained": Act(_("{actor} retained an action sheet.")),
    "workshops.sheet.unretained": Act(_("{actor} put an action sheet back to draft.")),
    "workshops.sheet.published": Act(_("{actor} published an action sheet as an action.")),
    "workshops.sheets.published": Act(_("{actor} published the retained action sheets of a workshop ({count}).")),
    # Workshop sessions (concerto/workshops/services.py, "sessions")
    "workshops.workshop.created": Act(_("{actor} planned workshop number {number}.")),
    "workshops.workshop.updated": Act(_("{actor} changed the date, place or team of a workshop.")),
    "workshops.workshop.cancelled": Act(_("{actor} cancelled a workshop: {reason}")),
    "workshops.agenda.added": Act(_("{actor} added an activity to a workshop's agenda.")),
    "workshops.agenda.updated": Act(_("{actor} changed an activity of a workshop's agenda.")),
    "workshops.agenda.moved": Act(_("{actor} reordered a workshop's agenda.")),
    "workshops.agenda.removed": Act(_("{actor} removed the activity “{title}” from a workshop's agenda.")),
    "workshops.attendee.listed": Act(_("{actor} invited the panel to a workshop (people added: {added}).")),
    "workshops.invitation.sent": Act(_("{actor} sent workshop invitations (people: {count}).")),
    "workshops.invitation.reminded": Act(_("{actor} sent workshop reminders (people: {count}).")),
    "workshops.attendance.set": Act(_("{actor} recorded attendance at a workshop (changes: {changed}).")),
    "workshops.attendee.walked_in": Act(_("{actor} added someone who came without an invitation to a workshop.")),
    "workshops.attendee.answered": private(_("An invitee answered a workshop invitation.")),
    "workshops.names.shown": Act(_("{actor} showed the participants' names on a workshop's wall.")),
    "workshops.names.hidden": Act(_("{actor} hid the participants' names on a workshop's wall.")),
    # Door to door and paper: linking (a resident's own answer on the campaign home)
    "fieldwork.participation.not_me": private(_("{actor} said a door or paper participation of their household "
                                                "was someone else's.")),
    # Door to door and paper: phones, rounds, visits, paper forms (concerto/fieldwork/services.py)
    "fieldwork.consent_script.saved": Act(_("{actor} wrote version {version} of the consent text read at the door.")),
    "fieldwork.settings.saved": Act(_("{actor} changed the door-to-door guards.")),
    "fieldwork.device.created": Act(_("{actor} prepared the phone {target} for an ambassador.")),
    "fieldwork.device.enrolled": Act(_("{actor} enrolled the phone {target}.")),
    "fieldwork.device.revoked": Act(_("{actor} withdrew the phone {target}.")),
    "fieldwork.round.created": Act(_("{actor} planned a round of {doors} doors on {day}.")),
    "fieldwork.round.cancelled": Act(_("{actor} cancelled a round ({doors} doors freed).")),
    "fieldwork.batch.received": Act(_("{actor}'s phone sent {visits} new visits.")),
    # Who supported what stays private: a participation names a resident.
    "fieldwork.participation.recorded": private(_("{actor} recorded a resident's participation "
                                                  "({supports} supports, {proposals} proposals).")),
    "fieldwork.paper.sheets_created": Act(_("{actor} asked for {sheets} paper forms.")),
    "fieldwork.paper.entered": private(_("{actor} typed the paper form {target}.")),
    "fieldwork.paper.conflict": Act(_("{actor} typed the paper form {target} again with other answers: kept apart.")),
    # Door to door: review (concerto/fieldwork/services.py, "Review")
    "fieldwork.batch.held": Act(_("Visits sent by {actor} were held for review (flags: {flags}, visits: {visits}).")),
    "fieldwork.batch.released": Act(_("{actor} counted held visits after review (visits: {visits}; note: {note}).")),
    "fieldwork.batch.rejected": Act(_("{actor} decided held visits do not count: {note}")),
    "fieldwork.flag.cleared": Act(_("{actor} cleared the flag {target} (note: {note}).")),
    "fieldwork.flag.upheld": Act(_("{actor} upheld the flag {target}: {note}")),
    "fieldwork.visit.conflict": Act(_("{actor}'s phone sent another version of a visit already received.")),
    "fieldwork.conflict.resolved": Act(_("{actor} kept the stored version of a visit sent twice: {note}")),
    "fieldwork.duplicate.distinct": Act(_("{actor} decided a resident met offline is nobody else of their household (note: {note}).")),
    "fieldwork.participation.linked": private(_("{actor} recognised a resident met offline as someone who joined "
                                            "online (supports moved: {moved}, already there: {confirmed}).")),
    # Live event: a turn corrected, the fairness report's signature (concerto/live_event/services.py)
    "live.turn_corrected": Act(_("{actor} corrected a speaking turn of {seconds} s: {reason}")),
    "live.report_signed": Act(_("The fairness report of {target} was signed: SHA-256 {sha256} "
                                "(gap {gap} s, target {target_gap} s).")),
    "live.candidate_created": Act(_("{actor} added the candidate {name} (list « {list_name} »).")),
    "live.candidate_updated": Act(_("{actor} changed the candidate {name} (list « {list_name} »).")),
    "live.candidate_deleted": Act(_("{actor} removed the candidate {name}.")),
    "live.candidate_account": Act(_("{actor} gave the account {email} to the candidate {target}.")),
    "live.event_created": Act(_("{actor} created the live event « {title} ».")),
    "live.event_updated": Act(_("{actor} changed the live event « {title} ».")),
    "live.running_order_set": Act(_("{actor} set the running order of the live event {target}.")),
    "live.order_published": Act(_("{actor} published the candidates' reply order of {target} (seed {seed}).")),
    "live.event_started": Act(_("{actor} started the show {target}.")),
    "live.event_ended": Act(_("{actor} ended the show {target}.")),
    "live.on_air": Act(_("{actor} put an action on air during {target}.")),
    "live.position_recorded": Act(_("{actor} recorded a candidate's position on an action.")),
    "live.turn_started": Act(_("{actor} started a candidate's speaking time during {target}.")),
    "live.turn_stopped": Act(_("{actor} stopped the speaking time during {target}.")),
    "live.question_submitted": private(_("{actor} sent a question to the show.")),
    "live.question_decided": Act(_("{actor} decided on a question from the audience.")),
    "live.question_shown": Act(_("{actor} changed the question on screen during {target}.")),
    "live.reaction_written": Act(_("{actor} wrote their list's reaction to an action.")),
    "campaigns.election_round.saved": Act(_("{actor} set round {round} of the election on {date} (polls close at "
                                            "{polls_close}).")),
    "campaigns.election_round.deleted": Act(_("{actor} removed round {round} from the election calendar.")),
    # -- synthesis: amend -- versions and amendments (concerto/synthesis/services.py)
    "synthesis.version.recorded": Act(_("{actor} recorded version {number} of “{target}”: {reason}")),
    "synthesis.amendments.collected": Act(_("{actor} collected {count} amendments from the candidates' "
                                            "improvements.")),
    "synthesis.amendment.anchored": Act(_("{actor} anchored an amendment to a passage of “{target}”.")),
    "synthesis.amendment.consulted": Act(_("{actor} asked the workshop participants' opinion on an amendment "
                                           "to “{target}”.")),
    "synthesis.amendment.opinion_given": private(_("{actor} gave their opinion on an amendment to “{target}”.")),
    "synthesis.amendment.decided": Act(_("{actor} decided an amendment to “{target}” ({decision}): {reason}")),
    "synthesis.digest.requested": Act(_("{actor} sent the supporters' digest ({count} people).")),
    "synthesis.digest.opted_in": private(_("{actor} asked to be told when an action they supported changes.")),
    "synthesis.digest.opted_out": private(_("{actor} no longer wants to be told about changes to actions.")),
    "synthesis.digest.support_withdrawn": private(_("{actor} withdrew their support from “{target}” after its "
                                                    "text changed.")),
    # Synthesis -- followup: the elected list, its commitments' updates, subscriptions (concerto/synthesis/services.py)
    "synthesis.elected_list.marked": Act(_("{actor} marked {list} as the elected list ({commitments} commitments "
                                           "to follow up).")),
    "synthesis.elected_list.changed": Act(_("{actor} changed the elected list from {former} to {list}: {reason}")),
    "synthesis.commitment.updated": Act(_("{actor} added an update to the commitment “{action}” ({date}: {title}); "
                                          "status {before} → {after}.")),
    "synthesis.commitment.imported": Act(_("{actor} imported follow-up updates from a CSV file ({added} added, "
                                           "{unchanged} already there).")),
    "synthesis.subscription.added": private(_("{actor} asked for news about “{target}”.")),
    "synthesis.subscription.removed": private(_("{actor} stopped the news about “{target}”.")),
    # -- documents --
    "synthesis.documents.generated": Act(_("{actor} generated edition {edition} of the final plan and of the "
                                           "{dossiers} candidates' dossiers.")),
    "synthesis.dispatch.queued": Act(_("{actor} sent edition {edition} of the dossier to {candidate} (SHA-256 "
                                       "{sha256}).")),
    "synthesis.dispatch.sent": Act(_("The mail server accepted the dossier of {candidate} (edition {edition}, "
                                     "SHA-256 {sha256}).")),
    "synthesis.dispatch.failed": Act(_("The mail server did not accept the dossier of {candidate} (edition "
                                       "{edition}).")),
    "synthesis.dispatch.opened": Act(_("{candidate} opened the link to their dossier.")),
    "synthesis.dispatch.acknowledged": Act(_("{candidate} acknowledged receipt of their dossier.")),
}

# Which part of the platform an unknown code belongs to, for the generic sentence.
AREAS = {
    "campaigns": _("the campaign settings"),
    "proposals": _("actions and contributions"),
    "residents": _("accounts and the team"),
    "letters": _("letters and households"),
    "selection": _("volunteers and selections"),
    "volunteers": _("volunteers and selections"),
    "fieldwork": _("door to door and paper"),
    "live": _("the candidates' set"),
}

# Codes not in ACTS that the campaign journal still shows: prefixes of acts only the team performs.
TEAM_PREFIXES = (
    "campaigns.", "proposals.action.", "proposals.contribution.edited", "proposals.theme.",
    "residents.role.", "residents.invitation.", "residents.team.", "residents.pin.",
    "letters.household.", "letters.import.", "letters.batch.", "letters.settings.", "letters.street_rule",
    "letters.sector.", "letters.reminder", "selection.selection.", "selection.draw.", "selection.source.",
    "selection.distribution.", "selection.seats.", "selection.call.", "selection.notification",
)

ROLE_WORDS = {
    "organiser": pgettext_lazy("role", "organiser"), "facilitator": pgettext_lazy("role", "facilitator"),
    "moderator": pgettext_lazy("role", "moderator"), "ambassador": pgettext_lazy("role", "ambassador"),
    "candidate": pgettext_lazy("role", "candidate"), "resident": pgettext_lazy("role", "resident"),
}

_resolvers: dict[str, Callable[[list[int]], dict[int, Target]]] = {}


def register_target(label: str, resolver: Callable[[list[int]], dict[int, Target]]) -> None:
    """``label`` as ``log_action`` writes it (``app_label.modelname``)."""
    _resolvers[label] = resolver


def journal_codes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(include, exclude) prefixes for ``core.selectors.audit_entries``: the team's acts only."""
    team = tuple(code for code, act in ACTS.items() if act.team)
    hidden = tuple(code for code, act in ACTS.items() if not act.team)
    return team + TEAM_PREFIXES, hidden


def _split(target: str) -> tuple[str, int | None]:
    label, _sep, pk = (target or "").partition(":")
    return label, int(pk) if pk.isdigit() else None


def _generic_target(label: str, pk: int | None) -> Target | None:
    if not label:
        return None
    try:
        name = apps.get_model(label)._meta.verbose_name
    except (LookupError, ValueError):
        return None
    return Target(f"{str(name)[:1].upper()}{str(name)[1:]} {pk}" if pk is not None else str(name))


def _targets(entries) -> dict[str, Target]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        label, pk = _split(entry.target)
        if pk is not None and label in _resolvers:
            wanted[label].add(pk)
    found: dict[str, Target] = {}
    for label, ids in wanted.items():
        for pk, target in _resolvers[label](sorted(ids)).items():
            found[f"{label}:{pk}"] = target
    return found


def _target_html(target: Target | None) -> SafeString:
    if target is None:
        return format_html("{}", gettext("(deleted)"))
    if target.url:
        return format_html('<a href="{}">{}</a>', target.url, target.text)
    return format_html("{}", target.text)


def _value(key: str, value) -> str:
    if key == "role":
        return str(ROLE_WORDS.get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if value is None or value == "":
        return "–"
    if isinstance(value, list | dict):
        return str(len(value))
    return str(value)


def sentence(entry, target: Target | None = None) -> SafeString:
    """One entry as an HTML-safe sentence (user text escaped)."""
    actor = entry.actor.public_name if entry.actor_id and entry.actor else gettext("The system")
    act = ACTS.get(entry.code)
    target_html = _target_html(target if target is not None else _generic_target(*_split(entry.target)))
    data = entry.data if isinstance(entry.data, dict) else {}
    if act is None:
        area = AREAS.get(entry.code.split(".", 1)[0], _("the platform"))
        if entry.target:
            return format_html(gettext("{actor} made a change in {area}: {target}."), actor=actor, area=area,
                               target=target_html)
        return format_html(gettext("{actor} made a change in {area}."), actor=actor, area=area)
    text = gettext(act.sentence)
    values = {"actor": actor, "target": target_html}
    for _literal, name, _spec, _conv in Formatter().parse(text):
        if name and name not in values:
            values[name] = _value(name, data.get(name))
    try:
        return format_html(text, **values)
    except (KeyError, IndexError, ValueError):  # a translation with a wrong placeholder: never a crash
        return format_html("{}", text)


@dataclass
class Line:
    entry: object
    text: SafeString


def described(entries: Iterable) -> list[Line]:
    """Entries of a page with their sentences; one query per kind of target."""
    entries = list(entries)
    targets = _targets(entries)
    return [Line(entry=e, text=sentence(e, targets.get(e.target))) for e in entries]
