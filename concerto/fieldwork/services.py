"""Writes about door to door and paper: one function per thing a person does.

Sections: consent scripts; sync (the ambassador's phone sends its visits); applying a counted visit;
batch review; linking an offline participation to an online account. Devices and rounds, paper
forms and guards have their own sections below.

Exactly-once (docs/fieldwork.md): ``Visit.client_id`` is unique in the database. A record is looked
up by its id first; a new one is inserted in a savepoint, and when a parallel replay inserted it in
the meantime the unique constraint raises, the savepoint rolls back and the record is answered as a
replay. The whole sync request is one transaction: the phone deletes a visit from its queue only
after the answer, and the answer is sent only after commit.
"""

import hashlib
import json
import secrets
import uuid
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from concerto.campaigns.models import Campaign, PhaseKind
from concerto.campaigns.selectors import campaign_phases, sector_list
from concerto.core.audit import log_action
from concerto.core.errors import DomainError, FieldErrors
from concerto.core.http import require
from concerto.core.text import clean_block, clean_line
from concerto.letters import codes as letter_codes
from concerto.letters import selectors as letter_selectors
from concerto.letters.services import code_use_take
from concerto.proposals import selectors as proposal_selectors
from concerto.proposals.services import (
    SUMMARY_MAX,
    SUMMARY_MIN,
    TITLE_MAX,
    TITLE_MIN,
    action_propose_offline,
    support_record_offline,
    supports_transfer,
)
from concerto.residents.selectors import user_get_with_role
from concerto.residents.services import (
    resident_create_without_email,
    resident_join_met,
    resident_leave_merged,
    resident_verify_by_letter,
)

from . import guards, rules, selectors, serials, tasks, walking
from .errors import (
    BatchTooLarge,
    CaptureConflict,
    ConsentMissing,
    ConsentScriptUnknown,
    DeviceRevoked,
    DeviceUnknown,
    DoorPhaseClosed,
    EnrolmentInvalid,
    FieldworkNotFound,
    NoConsentScript,
    NotAmbassador,
    NothingToSupport,
    PaperConsentMissing,
    PrintCountInvalid,
    ProposalInvalid,
    ProposalNotReadBack,
    RecordInvalid,
    RoundConflict,
    SerialInvalid,
    SheetConflict,
    SheetUnknown,
)
from .models import (
    Batch,
    BatchStatus,
    Channel,
    ConsentMethod,
    ConsentScript,
    Device,
    Enrolment,
    FieldworkSettings,
    Flag,
    FlagStatus,
    LinkDismissal,
    Outcome,
    PaperPrint,
    PaperSheet,
    Participation,
    Round,
    RoundDoor,
    RoundStatus,
    SyncConflict,
    Visit,
)

BATCH_MAX = 200  # records per sync request; the phone sends more in several requests
PARTICIPANTS_MAX = 8  # residents taking part at one door
PROPOSALS_MAX = 5  # per resident
INITIALS_MAX = 40
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=10)
# Visits captured during the door-to-door phase may reach the server this long after it closed.
LATE_SYNC = timedelta(days=7)


def content_hash(record: dict) -> str:
    """The canonical hash of a record as the phone sent it: identical replays hash the same."""
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- Consent scripts ----------------------------------------------------------------------------

def consent_script_save(*, by, campaign, text: str) -> ConsentScript:
    """A new version of the text ambassadors read aloud (versions are never edited)."""
    require(rules.can_manage_fieldwork(by, campaign))
    text = clean_block(text)
    if len(text) < 40:
        raise RecordInvalid(_("The consent text is too short: say what is kept, why, for how long, and who "
                              "to ask to have it erased."), code="consent_text_short")
    with transaction.atomic():
        last = ConsentScript.objects.select_for_update().filter(campaign=campaign).order_by("-version").first()
        if last is not None and last.text == text:
            return last
        script = ConsentScript.objects.create(
            campaign=campaign, version=(last.version + 1 if last else 1), text=text, text_hash=text_hash(text),
            created_by=by,
        )
        log_action("fieldwork.consent_script.saved", actor=by, scope=campaign.slug, target=script,
                   version=script.version)
    return script


# --- Sync: the ambassador's phone sends its queue -------------------------------------------------

def _door_window(campaign) -> tuple[datetime, datetime] | None:
    for phase in campaign_phases(campaign):
        if phase.kind == PhaseKind.DOOR_TO_DOOR:
            return phase.starts_at, phase.ends_at
    return None


def _refused(record_id, error: DomainError) -> dict:
    return {"id": record_id, "status": "refused", "code": error.code, "message": str(error.message)}


def _parse_uuid(value, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise RecordInvalid(_("The identifier of %(what)s is missing or malformed.") % {"what": what},
                            code="client_id_invalid") from None


def _parse_time(value, window, now) -> datetime:
    at = parse_datetime(value) if isinstance(value, str) else None
    if at is None or timezone.is_naive(at):
        raise RecordInvalid(_("The time of the visit is missing or malformed."), code="captured_at_invalid")
    if at > now + CLOCK_SKEW:
        raise RecordInvalid(_("The time of the visit is in the future: check the phone's clock."),
                            code="captured_at_future")
    if window is not None and not (window[0] <= at <= window[1]):
        raise RecordInvalid(_("The visit was made outside the door-to-door dates."), code="captured_at_outside")
    return at


def _scripts_of(campaign) -> dict[int, ConsentScript]:
    return {s.version: s for s in ConsentScript.objects.filter(campaign=campaign)}


def _validate_participant(campaign, item, *, scripts, actions, captured_at) -> dict:
    """A resident who took part, checked and normalised. Consent comes first: nothing personal is
    kept without it."""
    if not isinstance(item, dict):
        raise RecordInvalid()
    pid = _parse_uuid(item.get("id"), _("a resident"))
    consent = item.get("consent")
    if not isinstance(consent, dict) or consent.get("given") is not True:
        raise ConsentMissing()
    script = scripts.get(consent.get("version")) if isinstance(consent.get("version"), int) else None
    if script is None or consent.get("text_hash") != script.text_hash:
        raise ConsentScriptUnknown()
    consent_at = parse_datetime(consent["at"]) if isinstance(consent.get("at"), str) else None
    if consent_at is None or timezone.is_naive(consent_at) or abs(consent_at - captured_at) > timedelta(hours=2):
        raise RecordInvalid(_("The time consent was given is missing or far from the visit."),
                            code="consent_at_invalid")
    initials = clean_line(str(item.get("initials") or ""))[:INITIALS_MAX]
    profile = item.get("profile") or {}
    if not isinstance(profile, dict) or len(json.dumps(profile)) > 2000:
        raise RecordInvalid(_("The profile answers are malformed."), code="profile_invalid")
    supports = item.get("supports") or []
    if not isinstance(supports, list) or not all(isinstance(a, int) for a in supports):
        raise RecordInvalid(_("The supported actions are malformed."), code="supports_invalid")
    unknown = sorted(set(supports) - set(actions))
    if unknown:
        raise RecordInvalid(
            _("The phone named actions the campaign does not offer for support (%(ids)s): update the app.")
            % {"ids": ", ".join(map(str, unknown))}, code="action_unknown")
    proposals = item.get("proposals") or []
    if not isinstance(proposals, list) or len(proposals) > PROPOSALS_MAX:
        raise RecordInvalid(_("The proposals are malformed."), code="proposals_invalid")
    for proposal in proposals:
        if not isinstance(proposal, dict) or not isinstance(proposal.get("title"), str):
            raise RecordInvalid(_("The proposals are malformed."), code="proposals_invalid")
        if proposal.get("read_back") is not True:
            raise ProposalNotReadBack()
        # Checked here, per record: applying it later (action_propose_offline) must not fail the batch.
        title = clean_line(proposal["title"])
        summary = clean_line(str(proposal.get("summary") or proposal["title"]))
        if not (TITLE_MIN <= len(title) <= TITLE_MAX and SUMMARY_MIN <= len(summary) <= SUMMARY_MAX):
            raise ProposalInvalid()
    code = None
    raw_code = item.get("code") or ""
    if raw_code:
        canonical = letter_codes.parse_code(str(raw_code))
        code = letter_selectors.code_for(campaign, canonical) if canonical else None
        if code is None:
            raise RecordInvalid(_("The letter code %(code)s is not one of this campaign's codes.")
                                % {"code": str(raw_code)[:20]}, code="code_unknown")
    return {
        "id": pid, "initials": initials, "profile": profile, "supports": sorted(set(supports)),
        "proposals": proposals, "wants_post": item.get("wants_post") is True, "code": code,
        "script": script, "consent_at": consent_at,
    }


def _household_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _validate_visit(campaign, record, *, window, now, scripts, actions, households=None) -> dict:
    """``households``: the batch's households by id, read in one query by the caller (else one each)."""
    if not isinstance(record, dict):
        raise RecordInvalid()
    captured_at = _parse_time(record.get("captured_at"), window, now)
    outcome = record.get("outcome")
    if outcome not in Outcome.values:
        raise RecordInvalid(_("The outcome of the visit is missing or unknown."), code="outcome_invalid")
    household = None
    if record.get("household") is not None:
        try:
            household = (households.get(_household_id(record["household"])) if households is not None
                         else letter_selectors.household_get(campaign, record["household"]))
        except DomainError:
            household = None
        if household is None:
            raise RecordInvalid(_("This address is not one of the campaign's households."),
                                code="household_unknown")
    address = clean_line(str(record.get("address") or ""))[:200]
    if not address:
        if household is None:
            raise RecordInvalid(_("The address of the visit is missing."), code="address_missing")
        address = household.address_line1
    participants = record.get("participants") or []
    if not isinstance(participants, list) or len(participants) > PARTICIPANTS_MAX:
        raise RecordInvalid(_("Too many residents for one door."), code="participants_invalid")
    if participants and outcome != Outcome.TALKED:
        raise RecordInvalid(_("Residents can only take part in a visit where the door was opened and you talked."),
                            code="participants_without_talk")
    checked = [_validate_participant(campaign, p, scripts=scripts, actions=actions, captured_at=captured_at)
               for p in participants]
    ids = [p["id"] for p in checked]
    if len(set(ids)) != len(ids):
        raise RecordInvalid(_("Two residents of this visit have the same identifier: update the app."),
                            code="client_id_invalid")
    round_id = record.get("round") if isinstance(record.get("round"), int) else None
    return {"captured_at": captured_at, "outcome": outcome, "household": household, "address": address,
            "participants": checked, "round_id": round_id}


def _device_check(ambassador, campaign, device) -> None:
    if not rules.can_use_app(ambassador, campaign):
        raise NotAmbassador()
    if device is None or device.campaign_id != campaign.pk or device.ambassador_id != ambassador.pk:
        raise DeviceUnknown()
    if device.revoked_at is not None:
        raise DeviceRevoked()
    require(rules.can_sync(ambassador, campaign, device), DeviceUnknown())


def visits_sync(*, ambassador, device, campaign, records: list, now=None) -> list[dict]:
    """Store the visits a phone sends; answer each record: created, already (an identical replay),
    conflict (same id, other content: kept apart, not counted) or refused (with a French reason).

    A wrong record never stops the others. New visits form one batch; when the guards flag it, the
    batch is held for an organiser's review and its visits count only once released."""
    now = now or timezone.now()
    _device_check(ambassador, campaign, device)
    if not isinstance(records, list):
        raise RecordInvalid()
    if len(records) > BATCH_MAX:
        raise BatchTooLarge()
    window = _door_window(campaign)
    if window is None or now > window[1] + LATE_SYNC:
        raise DoorPhaseClosed()
    scripts = _scripts_of(campaign)
    wanted = {a for r in records if isinstance(r, dict) for p in (r.get("participants") or [])
              if isinstance(p, dict) for a in (p.get("supports") or []) if isinstance(a, int)}
    actions = proposal_selectors.published_actions_by_id(campaign, wanted)
    households = letter_selectors.households_by_id(campaign, {
        _household_id(r.get("household")) for r in records if isinstance(r, dict) and r.get("household") is not None})

    # A round named by the phone counts only if it is this ambassador's (one query for the request).
    own_rounds = set(Round.objects.filter(ambassador=ambassador, pk__in={
        r.get("round") for r in records if isinstance(r, dict) and isinstance(r.get("round"), int)})
        .values_list("pk", flat=True))

    results: list[dict] = []
    with transaction.atomic():
        batch = None
        created: list[Visit] = []
        batch_residents: set = set()
        for record in records:
            raw_id = record.get("id") if isinstance(record, dict) else None
            try:
                client_id = _parse_uuid(raw_id, _("the visit"))
            except DomainError as error:
                results.append(_refused(raw_id, error))
                continue
            digest = content_hash(record)
            existing = Visit.objects.filter(client_id=client_id).first()
            if existing is not None:
                results.append(_replay_answer(existing, client_id, digest, record, ambassador, device, campaign, now))
                continue
            try:
                data = _validate_visit(campaign, record, window=window, now=now, scripts=scripts, actions=actions,
                                       households=households)
                residents = {p["id"] for p in data["participants"]}
                # A resident id already stored, or brought by another visit of this batch: applying it
                # would break the whole batch (Participation.client_id is unique), so refuse this record.
                if residents & batch_residents or (
                        residents and Participation.objects.filter(client_id__in=residents).exists()):
                    raise RecordInvalid(_("This resident's identifier was already used in another visit."),
                                        code="client_id_taken")
                batch_residents |= residents
            except DomainError as error:
                results.append(_refused(str(client_id), error))
                continue
            if batch is None:
                batch = Batch.objects.create(campaign=campaign, ambassador=ambassador, device=device, received_at=now)
            try:
                with transaction.atomic():
                    visit = Visit.objects.create(
                        client_id=client_id, content_hash=digest, campaign=campaign, batch=batch,
                        ambassador=ambassador, device=device, round_id=data["round_id"] if data["round_id"] in own_rounds else None,
                        household=data["household"], address=data["address"], outcome=data["outcome"],
                        captured_at=data["captured_at"], received_at=now, payload=record,
                    )
            except IntegrityError:
                # A parallel replay stored it first (its transaction committed before our insert).
                existing = Visit.objects.filter(client_id=client_id).first()
                if existing is None:
                    raise
                results.append(_replay_answer(existing, client_id, digest, record, ambassador, device, campaign, now))
                continue
            visit.checked = data
            created.append(visit)
            results.append({"id": str(client_id), "status": "created"})
        if batch is not None and not created:
            # Every new-looking record was stored by a parallel replay meanwhile: no batch of its own.
            batch.delete()
            batch = None
        if batch is not None:
            # Locked, the checks see every other batch of the campaign (guards.py, "concurrency").
            flags = guards.batch_flags(batch, created, policy=guards_lock(campaign))
            if flags:
                batch.status = BatchStatus.HELD
                batch.save(update_fields=["status"])
                for flag in flags:
                    flag.save()
                log_action("fieldwork.batch.held", actor=ambassador, scope=campaign.slug, target=batch,
                           flags=[f.kind for f in flags], visits=len(created))
            else:
                for visit in created:
                    try:
                        with transaction.atomic():
                            _visit_apply(visit, visit.checked)
                    except DomainError as error:
                        # Changed since the phone cached it (an action unpublished, a code used up…):
                        # this record only is refused, nothing of it is kept, the others count.
                        Visit.objects.filter(pk=visit.pk).delete()
                        index = next(i for i, r in enumerate(results) if r["id"] == str(visit.client_id))
                        results[index] = _refused(str(visit.client_id), error)
            held = batch.status == BatchStatus.HELD
            for result in results:
                if result["status"] == "created":
                    result["held"] = held
            log_action("fieldwork.batch.received", actor=ambassador, scope=campaign.slug, target=batch,
                       device=device.pk, visits=len(created), held=held)
        type(device).objects.filter(pk=device.pk).update(last_seen_at=now)
    return results


def _replay_answer(existing: Visit, client_id, digest, record, ambassador, device, campaign, now) -> dict:
    if existing.content_hash == digest:
        held = existing.batch.status == BatchStatus.HELD
        return {"id": str(client_id), "status": "already", "held": held}
    with transaction.atomic():
        _conflict, created = SyncConflict.objects.get_or_create(
            client_id=client_id, content_hash=digest,
            defaults={"campaign": campaign, "kind": "visit", "ambassador": ambassador, "device": device,
                      "payload": record, "received_at": now},
        )
    if created:
        log_action("fieldwork.visit.conflict", actor=ambassador, scope=campaign.slug, target=existing)
    error = CaptureConflict()
    return {"id": str(client_id), "status": "conflict", "code": error.code, "message": str(error.message)}


# --- Applying a counted visit: the residents' accounts, supports and proposals --------------------

def _participant_apply(*, campaign, channel, recorded_by, checked, visit=None, sheet=None) -> Participation:
    """Create the account of a resident met offline, their role, supports and proposals."""
    code = checked["code"]
    household = code.household if code is not None else (visit.household if visit is not None else None)
    user = resident_create_without_email(display_name="")
    sector = getattr(household, "sector", None)
    taken = code_use_take(code=code, user=user) if code is not None else None
    if taken is not None:
        resident_verify_by_letter(user=user, campaign=campaign, sector=sector)
    else:
        resident_join_met(user=user, campaign=campaign, sector=sector)
    participation = Participation.objects.create(
        client_id=checked["id"], campaign=campaign, channel=channel, visit=visit, sheet=sheet, user=user,
        household=household, code=code if taken is not None else None, initials=checked["initials"],
        profile=checked["profile"], wants_post=checked["wants_post"], consent_script=checked["script"],
        consent_method=ConsentMethod.ORAL if channel == Channel.DOOR_TO_DOOR else ConsentMethod.PAPER,
        consent_at=checked["consent_at"], recorded_by=recorded_by,
    )
    actions = proposal_selectors.published_actions_by_id(campaign, checked["supports"])
    for action_id in checked["supports"]:
        action = actions.get(action_id)
        if action is not None:  # unpublished since the capture: the support is not counted
            support_record_offline(by=recorded_by, user=user, action=action, channel=channel)
    for proposal in checked["proposals"]:
        action_propose_offline(
            by=recorded_by, user=user, campaign=campaign, title=proposal.get("title", ""),
            summary=proposal.get("summary") or proposal.get("title", ""), body=proposal.get("body", ""),
            origin=channel,
        )
    log_action("fieldwork.participation.recorded", actor=recorded_by, scope=campaign.slug, target=participation,
               channel=channel, supports=len(checked["supports"]), proposals=len(checked["proposals"]))
    return participation


def _visit_apply(visit: Visit, checked: dict) -> None:
    for item in checked["participants"]:
        _participant_apply(campaign=visit.campaign, channel=Channel.DOOR_TO_DOOR, recorded_by=visit.ambassador,
                           checked=item, visit=visit)


# --- Review of held batches ---------------------------------------------------------------------

def _batch_for_review(by, campaign, batch_id) -> Batch:
    require(rules.can_manage_fieldwork(by, campaign))
    batch = Batch.objects.select_for_update().filter(campaign=campaign, pk=batch_id).first()
    require(batch is not None, FieldworkNotFound())
    return batch


def batch_release(*, by, campaign, batch_id, note: str = "") -> Batch:
    """An organiser checked a held batch and counts it: its visits are validated again and applied now.

    A visit that no longer validates or applies (its household deleted, a code used up…) is left
    uncounted on its own, in a savepoint, and named in the audit entry (``not_counted``); the others
    count. ``batch.not_counted`` lists them for the page's message."""
    with transaction.atomic():
        batch = _batch_for_review(by, campaign, batch_id)
        if batch.status != BatchStatus.HELD:
            raise RecordInvalid(_("This batch is not waiting for a review."), code="batch_not_held")
        scripts = _scripts_of(campaign)
        not_counted = []
        visits = list(batch.visits.select_related("campaign", "household", "ambassador").order_by("captured_at", "pk"))
        for visit in visits:
            actions = proposal_selectors.published_actions_by_id(
                campaign, {a for p in visit.payload.get("participants") or [] for a in p.get("supports") or []})
            try:
                with transaction.atomic():
                    checked = _validate_visit(campaign, visit.payload, window=None, now=visit.received_at,
                                              scripts=scripts, actions=actions | _all_ids(visit))
                    _visit_apply(visit, checked)
            except DomainError as error:
                not_counted.append({"visit": str(visit.client_id), "code": error.code})
        batch.status, batch.decided_by, batch.decided_at = BatchStatus.RELEASED, by, timezone.now()
        batch.decision_note = clean_line(note)[:300]
        batch.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        Flag.objects.filter(batch=batch, status=FlagStatus.OPEN).update(
            status=FlagStatus.CLEARED, decided_by=by, decided_at=batch.decided_at)
        log_action("fieldwork.batch.released", actor=by, scope=campaign.slug, target=batch,
                   visits=len(visits), note=batch.decision_note, not_counted=not_counted)
    batch.not_counted = not_counted
    return batch


def _all_ids(visit: Visit) -> dict:
    # Actions unpublished since the capture stay "known" so the record validates; applying skips them.
    return {a: None for p in visit.payload.get("participants") or [] for a in p.get("supports") or []}


def batch_reject(*, by, campaign, batch_id, note: str) -> Batch:
    """An organiser decided a held batch does not count. Nothing is deleted: the visits stay, marked."""
    note = clean_line(note)[:300]
    if not note:
        raise RecordInvalid(_("Say why this batch is not counted: the ambassador and the other organisers "
                              "will read it."), code="note_required")
    with transaction.atomic():
        batch = _batch_for_review(by, campaign, batch_id)
        if batch.status != BatchStatus.HELD:
            raise RecordInvalid(_("This batch is not waiting for a review."), code="batch_not_held")
        batch.status, batch.decided_by, batch.decided_at, batch.decision_note = (
            BatchStatus.REJECTED, by, timezone.now(), note)
        batch.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        Flag.objects.filter(batch=batch, status=FlagStatus.OPEN).update(
            status=FlagStatus.UPHELD, decided_by=by, decided_at=batch.decided_at)
        log_action("fieldwork.batch.rejected", actor=by, scope=campaign.slug, target=batch, note=note)
    return batch


# --- Linking an offline participation to an online account ---------------------------------------

def participation_link(*, user, campaign, participation_id, by=None) -> Participation:
    """The resident ``user`` (who joined online) is the person met at the door or who sent the paper
    form: the offline account's supports and proposals become theirs, one support per action.

    ``by`` is None when the resident says it themselves (their household's code must be theirs), or
    the organiser deciding a possible duplicate."""
    with transaction.atomic():
        # ``of=("self",)``: PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins.
        participation = (Participation.objects.select_for_update(of=("self",)).select_related("user", "household")
                         .filter(campaign=campaign, pk=participation_id).first())
        require(participation is not None, FieldworkNotFound())
        if by is None:
            require(rules.can_link_participation(user, participation)
                    and participation.household_id in _households_of(user, campaign), FieldworkNotFound())
        else:
            require(rules.can_manage_fieldwork(by, campaign), FieldworkNotFound())
            require(rules.can_link_participation(user, participation), FieldworkNotFound())
        offline_user = participation.user
        figures = {"moved": 0, "confirmed": 0}
        if offline_user is not None and offline_user.pk != user.pk:
            figures = supports_transfer(from_user=offline_user, to_user=user, campaign=campaign)
            resident_leave_merged(user=offline_user, campaign=campaign, into=user)
        participation.user, participation.linked_at = user, timezone.now()
        participation.save(update_fields=["user", "linked_at"])
        log_action("fieldwork.participation.linked", actor=by or user, scope=campaign.slug, target=participation,
                   resident=user.pk, **figures)
    return participation


def _households_of(user, campaign) -> set[int]:
    # The same households the campaign home asks about: the prompt and the link must agree.
    return selectors.link_households(user, campaign)


# --- Devices: enrolment by QR code, withdrawal ----------------------------------------------------

ENROLMENT_VALIDITY = timedelta(minutes=15)


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def device_create(*, by, campaign, ambassador_id, label: str) -> tuple[Device, str]:
    """An organiser prepares a phone for an ambassador: the device and the one-time secret its QR
    code carries (shown once, valid 15 minutes)."""
    require(rules.can_manage_fieldwork(by, campaign))
    ambassador = _ambassador_of(campaign, ambassador_id)
    label = clean_line(label)[:60]
    if not label:
        raise RecordInvalid(_("Give the phone a name, for example « Téléphone de Karim »."), code="label_required")
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        device = Device.objects.create(campaign=campaign, ambassador=ambassador, label=label,
                                       token_hash=_secret_hash(secrets.token_urlsafe(32)), created_by=by)
        Enrolment.objects.create(device=device, secret_hash=_secret_hash(secret),
                                 expires_at=timezone.now() + ENROLMENT_VALIDITY)
        log_action("fieldwork.device.created", actor=by, scope=campaign.slug, target=device,
                   ambassador=ambassador.pk)
    return device, secret


def _ambassador_of(campaign, user_id):
    user = user_get_with_role(campaign, user_id, "ambassador")
    require(user is not None, RecordInvalid(_("Choose one of the campaign's ambassadors."), code="not_ambassador"))
    return user


def device_enrol(*, user, secret: str) -> tuple[Device, str]:
    """The phone that opened the QR code's link, signed in as its ambassador, receives its token
    (returned once; only its hash is kept). The link works once, within its validity."""
    with transaction.atomic():
        enrolment = (Enrolment.objects.select_for_update().select_related("device__campaign")
                     .filter(secret_hash=_secret_hash(secret or "")).first())
        if enrolment is None or enrolment.used_at is not None or enrolment.expires_at < timezone.now():
            raise EnrolmentInvalid()
        device = enrolment.device
        if device.revoked_at is not None:
            raise DeviceRevoked()
        require(getattr(user, "pk", None) == device.ambassador_id, EnrolmentInvalid())
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        enrolment.used_at = now
        enrolment.save(update_fields=["used_at"])
        device.token_hash, device.enrolled_at = _secret_hash(token), now
        device.save(update_fields=["token_hash", "enrolled_at"])
        log_action("fieldwork.device.enrolled", actor=user, scope=device.campaign.slug, target=device)
    return device, token


def device_for_token(token: str) -> Device | None:
    if not token:
        return None
    return Device.objects.select_related("campaign").filter(token_hash=_secret_hash(token)).first()


def device_revoke(*, by, campaign, device_id) -> Device:
    """Withdraw a phone (lost, lent, or an ambassador who stopped): its syncs are refused from now."""
    require(rules.can_manage_fieldwork(by, campaign))
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(campaign=campaign, pk=device_id).first()
        require(device is not None, FieldworkNotFound())
        if device.revoked_at is None:
            device.revoked_at, device.revoked_by = timezone.now(), by
            device.save(update_fields=["revoked_at", "revoked_by"])
            log_action("fieldwork.device.revoked", actor=by, scope=campaign.slug, target=device)
    return device


# --- Rounds: an ambassador's doors for one day ----------------------------------------------------

def round_create(*, by, campaign, ambassador_id, day, sector_ids, note: str = "") -> Round:
    """Plan an ambassador's round: the households of the chosen sectors, in walking order
    (``walking.py``: streets with the most unused letter codes first, unused codes first in each street).

    A door is on one ambassador's list per day (``round_door_once_a_day``): doors already on another
    round that day are left out, and ``round.taken`` says how many and on whose rounds
    (``[(name, count)]``); when every door is taken the round is refused (``RoundConflict``).
    Rounds of one campaign are planned one at a time (the campaign row is locked), so two organisers
    planning at once never get the same door; the constraint stays the last word."""
    require(rules.can_manage_fieldwork(by, campaign))
    ambassador = _ambassador_of(campaign, ambassador_id)
    if not isinstance(day, date):
        raise RecordInvalid(_("Choose the day of the round."), code="day_required")
    wanted = {int(s) for s in sector_ids or [] if str(s).isdigit()}
    sectors = {s.pk: s for s in sector_list(campaign) if s.pk in wanted}
    if not sectors or len(sectors) != len(wanted):
        raise RecordInvalid(_("Choose one or more of the campaign's sectors."), code="sectors_required")
    note = clean_line(note or "")[:300]
    with transaction.atomic():
        type(campaign).objects.select_for_update().filter(pk=campaign.pk).first()
        households = letter_selectors.households_for_rounds(campaign, sectors)
        if not households:
            raise RecordInvalid(_("These sectors have no household yet: import the addresses first (Letters, "
                                  "Households)."), code="sectors_empty")
        taken_doors = list(RoundDoor.objects.filter(day=day, household_id__in=[h["id"] for h in households])
                           .select_related("round__ambassador"))
        taken_ids = {door.household_id for door in taken_doors}
        free = [h for h in households if h["id"] not in taken_ids]
        taken = _taken_summary(taken_doors)
        if not free:
            raise RoundConflict(
                _("Every door of these sectors is already on a round that day (%(who)s): choose another day "
                  "or other sectors.") % {"who": taken_sentence(taken)})
        names = {s.pk: s.name for s in sectors.values()}
        doors = walking.walking_order(free, names)
        the_round = Round.objects.create(campaign=campaign, ambassador=ambassador, day=day, note=note, created_by=by)
        the_round.sectors.set(sectors.values())
        try:
            with transaction.atomic():
                RoundDoor.objects.bulk_create([
                    RoundDoor(round=the_round, household_id=door["id"], day=day, position=position)
                    for position, door in enumerate(doors, start=1)])
        except IntegrityError:
            raise RoundConflict() from None
        log_action("fieldwork.round.created", actor=by, scope=campaign.slug, target=the_round,
                   ambassador=ambassador.pk, day=day.isoformat(), sectors=sorted(sectors), doors=len(doors),
                   taken=len(taken_ids))
    the_round.door_count = len(doors)
    the_round.taken = taken
    return the_round


def _taken_summary(taken_doors) -> list[tuple[str, int]]:
    """``[(ambassador's public name, doors)]`` of doors already on a round, most doors first."""
    counts: dict[int, list] = {}
    for door in taken_doors:
        person = door.round.ambassador
        counts.setdefault(person.pk, [person.public_name, 0])[1] += 1
    return [(name, n) for name, n in sorted(counts.values(), key=lambda item: (-item[1], item[0]))]


def taken_sentence(taken: list[tuple[str, int]]) -> str:
    return ", ".join(_("%(name)s: %(count)s") % {"name": name, "count": n} for name, n in taken)


def round_cancel(*, by, campaign, round_id) -> Round:
    """Cancel a planned round: its doors are freed for another round that day. Visits already
    recorded on it stay (they name the round)."""
    require(rules.can_manage_fieldwork(by, campaign))
    with transaction.atomic():
        the_round = Round.objects.select_for_update().filter(campaign=campaign, pk=round_id).first()
        require(the_round is not None, FieldworkNotFound())
        if the_round.status == RoundStatus.CANCELLED:
            return the_round
        if the_round.status != RoundStatus.PLANNED:
            raise RecordInvalid(_("Only a planned round can be cancelled."), code="round_not_planned")
        doors = the_round.doors.count()
        the_round.doors.all().delete()
        the_round.status = RoundStatus.CANCELLED
        the_round.save(update_fields=["status", "updated_at"])
        log_action("fieldwork.round.cancelled", actor=by, scope=campaign.slug, target=the_round, doors=doors)
    return the_round


# --- Door-to-door settings ------------------------------------------------------------------------

SETTINGS_FIELDS = ("daily_ceiling", "doors_per_hour_max", "participations_per_address_max", "contact_rate_min",
                   "contact_rate_max")


def fieldwork_settings_save(*, by, campaign, **values) -> FieldworkSettings:
    """The campaign's guards: ceilings, doors per hour, the usual contact-rate band."""
    require(rules.can_manage_fieldwork(by, campaign))
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    errors = {}
    for name, value in values.items():
        if not isinstance(value, int) or value < 1 or value > 1000:
            errors[name] = _("Give a whole number between 1 and 1000.")
    low, high = values.get("contact_rate_min"), values.get("contact_rate_max")
    if not errors and low is not None and high is not None and not (low < high <= 100):
        errors["contact_rate_max"] = _("The highest usual contact rate must be above the lowest, and at most 100 %.")
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        policy, _created = FieldworkSettings.objects.select_for_update().get_or_create(campaign=campaign)
        changed = {name: value for name, value in values.items() if getattr(policy, name) != value}
        for name, value in changed.items():
            setattr(policy, name, value)
        if changed:
            policy.save()
            log_action("fieldwork.settings.saved", actor=by, scope=campaign.slug, target=policy, **changed)
    return policy
# --- Paper forms: printing numbered sheets, typing them in ----------------------------------------
#
# A sheet's serial (``serials``) is unique per campaign in the database (``paper_sheet_serial_unique``)
# and names at most one participation (``Participation.sheet`` is one-to-one; its ``client_id`` is
# derived from the serial). Typing a serial again is answered like a replayed visit: the same answers
# → "already", other answers → "conflict" (kept apart as a ``SyncConflict`` of kind "paper", never
# applied). The sheet row is locked while it is entered, so two staff typing the same form at once
# are serialised.

PRINT_MAX = 500
PAPER_PROPOSAL_MIN, PAPER_PROPOSAL_MAX = 10, 2000


def _paper_numbering(campaign, action_ids=None) -> list[dict]:
    """The numbers printed for the campaign's published actions (``action_ids``: only those): an
    action keeps the number it was first printed with; an action printed for the first time gets
    the next free one; a number is never reused, even after its action was unpublished (a form
    printed with it may still come back)."""
    known = selectors.paper_numbers(campaign)
    top = max(known.values(), default=0)
    actions = sorted(proposal_selectors.action_list(campaign, status="published"),
                     key=lambda a: (a.published_at or timezone.now(), a.pk))
    if action_ids:
        wanted = set(action_ids)
        if wanted - {a.pk for a in actions}:
            raise RecordInvalid(_("Choose among the campaign's published actions."), code="action_unknown")
        actions = [a for a in actions if a.pk in wanted]
    numbering = []
    for action in actions:
        if action.pk not in known:
            top += 1
            known[action.pk] = top
        numbering.append({"n": known[action.pk], "id": action.pk, "title": action.title,
                          "summary": action.summary})
    return sorted(numbering, key=lambda item: item["n"])


def paper_sheets_create(*, by, campaign, count: int, action_ids: list[int] | None = None) -> list[PaperSheet]:
    """An organiser asks for ``count`` paper forms: as many sheets with a fresh serial each, and
    their PDF rendered in the background (``PaperPrint.status``, then its file). The forms carry
    the published actions ``action_ids`` (default: all of them; past ~20 a form takes more pages)."""
    require(rules.can_manage_fieldwork(by, campaign))
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= PRINT_MAX:
        raise PrintCountInvalid()
    script = ConsentScript.objects.filter(campaign=campaign).order_by("-version").first()
    if script is None:
        raise NoConsentScript()
    now = timezone.now()
    with transaction.atomic():
        # One printing at a time per campaign: the numbering and the serials are decided under this lock.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        numbering = _paper_numbering(campaign, action_ids)
        if not numbering:
            raise NothingToSupport()
        run = PaperPrint.objects.create(campaign=campaign, count=count, actions=numbering, consent_script=script,
                                        created_by=by)
        taken = set(PaperSheet.objects.filter(campaign=campaign).values_list("serial", flat=True))
        sheets = []
        for number in range(1, count + 1):
            serial = serials.new_serial()
            while serial in taken:
                serial = serials.new_serial()
            taken.add(serial)
            sheets.append(PaperSheet(campaign=campaign, serial=serial, printed_at=now, print_run=run, number=number))
        sheets = PaperSheet.objects.bulk_create(sheets)
        log_action("fieldwork.paper.sheets_created", actor=by, scope=campaign.slug, target=run, sheets=count,
                   consent_version=script.version, actions=len(numbering))
        run_id = run.pk
        transaction.on_commit(lambda: tasks.render_paper_print.enqueue(print_id=run_id))
    return sheets


def _paper_refused(serial, error: DomainError, field: str | None = None) -> dict:
    answer = _refused(serial, error)
    answer["field"] = field
    return answer


def _paper_proposal(raw) -> dict:
    """A proposal as written on the form: one text, cut into the title, summary and description the
    moderators see (the whole text is kept)."""
    if isinstance(raw, dict):
        text = raw.get("text") or raw.get("body") or raw.get("summary") or raw.get("title") or ""
    else:
        text = raw
    text = clean_block(str(text or ""))
    if not PAPER_PROPOSAL_MIN <= len(text) <= PAPER_PROPOSAL_MAX:
        raise RecordInvalid(_("A proposal has from %(min)s to %(max)s characters: copy it from the form.")
                            % {"min": PAPER_PROPOSAL_MIN, "max": PAPER_PROPOSAL_MAX}, code="proposal_length")
    flat = clean_line(text.replace("\n", " "))

    def cut(limit):
        return flat if len(flat) <= limit else flat[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"

    return {"title": cut(80), "summary": cut(300), "body": text if len(flat) > 300 else "", "read_back": True}


def _paper_content(campaign, sheet: PaperSheet, record: dict) -> dict:
    """What was typed, checked and normalised (the content that is hashed and kept on the sheet).
    Raises a domain error whose ``field`` attribute names the form field."""

    def fail(error, field):
        error.field = field
        return error

    consent = record.get("consent")
    given = consent.get("given") if isinstance(consent, dict) else consent
    if given is not True:
        raise fail(PaperConsentMissing(), "consent")
    printed = {item["id"]: item["n"] for item in sheet.print_run.actions} if sheet.print_run else {}
    supports = record.get("supports") or []
    if not isinstance(supports, list) or not all(isinstance(a, int) and not isinstance(a, bool) for a in supports):
        raise fail(RecordInvalid(_("The ticked actions are malformed."), code="supports_invalid"), "supports")
    missing = sorted(set(supports) - set(printed))
    if missing:
        numbers = selectors.paper_numbers(campaign)
        shown = ", ".join(str(numbers.get(a, "?")) for a in missing)
        raise fail(RecordInvalid(_("Action numbers %(numbers)s are not printed on this form: it was printed before "
                                   "they were published. Check the numbers against the form.") % {"numbers": shown},
                                 code="action_not_on_sheet"), "supports")
    proposals = record.get("proposals") or []
    if not isinstance(proposals, list) or len(proposals) > PROPOSALS_MAX:
        raise fail(RecordInvalid(_("The proposals are malformed."), code="proposals_invalid"), "proposal")
    try:
        proposals = [_paper_proposal(p) for p in proposals]
    except RecordInvalid as exc:
        raise fail(exc, "proposal") from None
    code = ""
    raw_code = str(record.get("code") or "").strip()
    if raw_code:
        try:
            code = letter_codes.parse_code(raw_code)
        except DomainError as exc:
            raise fail(exc, "code") from None
        if letter_selectors.code_for(campaign, code) is None:
            raise fail(RecordInvalid(_("The household code %(code)s is not one of this campaign's codes: check it "
                                       "against the form.") % {"code": letter_codes.format_code(code)},
                                     code="code_unknown"), "code")
    return {"supports": sorted(set(supports)), "proposals": proposals, "code": code,
            "initials": clean_line(str(record.get("initials") or ""))[:INITIALS_MAX],
            "wants_post": record.get("wants_post") is True, "consent": True}


def _paper_duplicates(sheet: PaperSheet, content: dict, household_id) -> list[str]:
    """Other sheets of the same household with the same ticks (and, with no tick, the same proposals)."""
    if household_id is None:
        return []
    others = (PaperSheet.objects.filter(campaign=sheet.campaign, participation__household_id=household_id,
                                        entered_at__isnull=False).exclude(pk=sheet.pk).order_by("entered_at"))
    same = []
    for other in others:
        if other.entry.get("supports") != content["supports"]:
            continue
        if not content["supports"] and other.entry.get("proposals") != content["proposals"]:
            continue
        same.append(other.serial)
    return same


def paper_entry_save(*, by, campaign, serial: str, record: dict) -> dict:
    """Staff type one paper form. Answers like a sync record: ``created`` (with ``duplicate_of``: the
    serials of the household's other forms with the same ticks, saved anyway, shown for review),
    ``already`` (the same answers were typed before), ``conflict`` (other answers: kept apart, not
    counted) or ``refused`` (``code``, a French ``message`` and the ``field`` to correct; nothing
    changed). The consent box is mandatory: without it nothing of the form is kept.

    ``record`` is a participant as the phone sends it (``supports`` as action ids, ``proposals``,
    ``code``, ``initials``, ``wants_post``, ``consent``: ``{"given": True}`` or True); its ``id`` and
    consent version are not used: the participation's id derives from the serial, and the consent
    text is the one printed on the sheet."""
    require(rules.can_enter_paper(by, campaign))
    try:
        canonical = serials.parse_serial(serial)
    except SerialInvalid as exc:
        return _paper_refused(str(serial or "")[:20], exc, "serial")
    if not isinstance(record, dict):
        return _paper_refused(canonical, RecordInvalid(), None)
    now = timezone.now()
    with transaction.atomic():
        sheet = (PaperSheet.objects.select_for_update(of=("self",)).select_related("print_run__consent_script")
                 .filter(campaign=campaign, serial=canonical).first())
        if sheet is None:
            return _paper_refused(canonical, SheetUnknown(), "serial")
        try:
            content = _paper_content(campaign, sheet, record)
        except DomainError as exc:
            return _paper_refused(canonical, exc, getattr(exc, "field", None))
        digest = content_hash(content)
        client_id = serials.sheet_client_id(campaign.pk, canonical)
        if sheet.entered_at is not None:
            if sheet.content_hash == digest:
                return {"id": canonical, "status": "already"}
            _conflict, created = SyncConflict.objects.get_or_create(
                client_id=client_id, content_hash=digest,
                defaults={"campaign": campaign, "kind": "paper", "ambassador": by, "payload": {"serial": canonical, **content},
                          "received_at": now})
            if created:
                log_action("fieldwork.paper.conflict", actor=by, scope=campaign.slug, target=sheet)
            error = SheetConflict()
            return {"id": canonical, "status": "conflict", "code": error.code, "message": str(error.message)}
        script = sheet.print_run.consent_script if sheet.print_run else None
        if script is None:  # a sheet made outside a printing: the current text was on it
            script = ConsentScript.objects.filter(campaign=campaign).order_by("-version").first()
        item = {"id": str(client_id), "initials": content["initials"], "supports": content["supports"],
                "proposals": content["proposals"], "wants_post": content["wants_post"], "code": content["code"],
                "consent": {"given": True, "version": script.version if script else None,
                            "text_hash": script.text_hash if script else None, "at": now.isoformat()}}
        try:
            with transaction.atomic():  # a refusal from another app's service leaves nothing behind
                checked = _validate_participant(campaign, item, scripts={script.version: script} if script else {},
                                                actions=dict.fromkeys(content["supports"]), captured_at=now)
                participation = _participant_apply(campaign=campaign, channel=Channel.PAPER, recorded_by=by,
                                                   checked=checked, sheet=sheet)
        except DomainError as exc:
            field = {"title": "proposal", "summary": "proposal", "body": "proposal"}
            if isinstance(exc, FieldErrors):
                first = next(iter(exc.errors), None)
                return _paper_refused(canonical, RecordInvalid(exc.errors[first], code=exc.code),
                                      field.get(first, first))
            return _paper_refused(canonical, exc, None)
        sheet.entered_at, sheet.entered_by, sheet.content_hash, sheet.entry = now, by, digest, content
        sheet.save(update_fields=["entered_at", "entered_by", "content_hash", "entry"])
        duplicates = _paper_duplicates(sheet, content, participation.household_id)
        log_action("fieldwork.paper.entered", actor=by, scope=campaign.slug, target=sheet,
                   participation=participation.pk, supports=len(content["supports"]),
                   proposals=len(content["proposals"]), possible_duplicate_of=duplicates)
    return {"id": canonical, "status": "created", "participation": participation.pk, "duplicate_of": duplicates}
# --- Linking: the resident's answer on the campaign home ------------------------------------------

def participation_link_dismiss(*, user, campaign, participation_id) -> LinkDismissal:
    """The resident says a door or paper participation of their household was someone else's: the
    question is not asked of them again (other members of the household are still asked). Nothing
    else changes. Only for the resident's own household, as ``participation_link``."""
    with transaction.atomic():
        participation = Participation.objects.filter(campaign=campaign, pk=participation_id).first()
        require(participation is not None and rules.can_link_participation(user, participation)
                and participation.household_id in _households_of(user, campaign), FieldworkNotFound())
        dismissal, created = LinkDismissal.objects.get_or_create(participation=participation, user=user)
        if created:
            log_action("fieldwork.participation.not_me", actor=user, scope=campaign.slug, target=participation)
    return dismissal


# --- Review: the guards' lock, flags, conflicts, possible duplicates -----------------------------

NOTE_MAX = 300


def guards_lock(campaign) -> FieldworkSettings:
    """The campaign's door-to-door settings, locked until the end of the caller's transaction: the
    guards of two batches of one campaign run one after the other, each seeing the other's visits
    (guards.py). Created with the defaults the first time (a parallel creation is caught by the
    one-to-one constraint and read back)."""
    FieldworkSettings.objects.get_or_create(campaign=campaign)
    return FieldworkSettings.objects.select_for_update().get(campaign=campaign)


def _note(note: str, *, required: bool, message=None) -> str:
    note = clean_line(note or "")[:NOTE_MAX]
    if required and not note:
        raise RecordInvalid(message or _("Write a short note: the other organisers will read it in the history."),
                            code="note_required")
    return note


def _flag_for_review(by, campaign, flag_id) -> Flag:
    require(rules.can_manage_fieldwork(by, campaign), FieldworkNotFound())
    flag = Flag.objects.select_for_update().filter(campaign=campaign, pk=_int(flag_id)).first()
    require(flag is not None, FieldworkNotFound())
    if flag.status != FlagStatus.OPEN:
        raise RecordInvalid(_("This flag was already decided."), code="flag_decided")
    return flag


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _flag_decide(*, by, campaign, flag_id, note: str, status: str, code: str) -> Flag:
    with transaction.atomic():
        flag = _flag_for_review(by, campaign, flag_id)
        flag.status, flag.decided_by, flag.decided_at = status, by, timezone.now()
        flag.save(update_fields=["status", "decided_by", "decided_at"])
        log_action(code, actor=by, scope=campaign.slug, target=flag, kind=flag.kind, day=flag.day.isoformat(),
                   batch=flag.batch_id, ambassador=flag.ambassador_id, note=note)
    return flag


def flag_clear(*, by, campaign, flag_id, note: str = "") -> Flag:
    """An organiser looked at a flag and found an explanation (a building of students, a market day…).
    The batch stays held until it is released or rejected: a flag is one reason, the batch the decision."""
    return _flag_decide(by=by, campaign=campaign, flag_id=flag_id, note=_note(note, required=False),
                        status=FlagStatus.CLEARED, code="fieldwork.flag.cleared")


def flag_uphold(*, by, campaign, flag_id, note: str) -> Flag:
    """An organiser confirms a flag points at a real problem; the note says what (required)."""
    note = _note(note, required=True, message=_("Say what is wrong: the other organisers will read it."))
    return _flag_decide(by=by, campaign=campaign, flag_id=flag_id, note=note, status=FlagStatus.UPHELD,
                        code="fieldwork.flag.upheld")


def conflict_resolve(*, by, campaign, conflict_id, note: str) -> SyncConflict:
    """An organiser compared the two versions of a capture: the stored one stays as it is (it may be
    counted already; the other one is never applied) and the conflict leaves the list, with a note.
    To record what the other version says, the ambassador captures a new visit."""
    note = _note(note, required=True)
    with transaction.atomic():
        require(rules.can_manage_fieldwork(by, campaign), FieldworkNotFound())
        conflict = SyncConflict.objects.select_for_update().filter(campaign=campaign, pk=_int(conflict_id)).first()
        require(conflict is not None, FieldworkNotFound())
        if conflict.resolved_at is not None:
            raise RecordInvalid(_("This conflict was already resolved."), code="conflict_resolved")
        conflict.resolved_at, conflict.resolved_by = timezone.now(), by
        conflict.save(update_fields=["resolved_at", "resolved_by"])
        log_action("fieldwork.conflict.resolved", actor=by, scope=campaign.slug, target=conflict,
                   client_id=str(conflict.client_id), kind=conflict.kind, note=note)
    return conflict


def _duplicate_for_review(by, campaign, participation_id) -> Participation:
    require(rules.can_manage_fieldwork(by, campaign), FieldworkNotFound())
    participation = (Participation.objects.select_for_update()
                     .filter(campaign=campaign, pk=_int(participation_id)).first())
    require(participation is not None, FieldworkNotFound())
    if participation.linked_at is not None or participation.distinct_confirmed_at is not None:
        raise RecordInvalid(_("This possible duplicate was already decided."), code="duplicate_decided")
    return participation


def duplicate_same_person(*, by, campaign, participation_id, user_id) -> Participation:
    """An organiser decides that the resident met offline is ``user_id``, one of the people the
    review page offered (an online resident of the same household, or another offline participation
    there): ``participation_link`` merges the accounts, one support per action."""
    with transaction.atomic():
        participation = _duplicate_for_review(by, campaign, participation_id)
        candidates = {c["user_id"] for c in selectors.duplicate_candidates(campaign, participation)}
        require(_int(user_id) in candidates, RecordInvalid(_("Choose one of the people listed."),
                                                             code="duplicate_candidate"))
        user = user_get_with_role(campaign, user_id, "resident")
        require(user is not None, RecordInvalid(_("Choose one of the people listed."), code="duplicate_candidate"))
        return participation_link(user=user, campaign=campaign, participation_id=participation.pk, by=by)


def duplicate_distinct(*, by, campaign, participation_id, note: str = "") -> Participation:
    """An organiser decides the resident met offline is nobody else of their household: the
    participation leaves the list of possible duplicates (and stops being a candidate for the others)."""
    note = _note(note, required=False)
    with transaction.atomic():
        participation = _duplicate_for_review(by, campaign, participation_id)
        participation.distinct_confirmed_at = timezone.now()
        participation.save(update_fields=["distinct_confirmed_at"])
        log_action("fieldwork.duplicate.distinct", actor=by, scope=campaign.slug, target=participation,
                   household=participation.household_id, note=note)
    return participation
