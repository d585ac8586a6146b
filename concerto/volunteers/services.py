"""Writes of volunteering: the organiser's call, a resident volunteering, changing their answers or
withdrawing, and the erasures the selection asks for (account deletion, the retention purge).

Every write is audited. The audit codes keep their ``selection.`` prefix: volunteering was part of
the selection app when the trail began, and one act keeps one code across the whole history.
"""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from concerto.campaigns.errors import SectorNotFound
from concerto.core import ratelimit
from concerto.core.audit import log_action
from concerto.core.http import require
from concerto.residents.selectors import resident_sector

from . import rules
from .errors import AnswersAlreadyRecorded, NotAVolunteer, SignInRequired
from .models import Volunteer, VolunteerCall
from .validation import validated_answers, validated_call

PSEUDONYM_PREFIX = "V-"
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PSEUDONYM_LENGTH = 4


@transaction.atomic
def call_configure(*, user, campaign, is_open: bool, intro: str, talents: list, workshop_dates: list,
                   profile_questions: list, consent_text: str) -> VolunteerCall:
    """Create or change the call. A different consent text bumps ``consent_version``, so each
    volunteer's consent names the text they saw; volunteers are asked again when they edit."""
    require(rules.can_manage_volunteers(user, campaign))
    data = validated_call(intro=intro, talents=talents, workshop_dates=workshop_dates,
                          profile_questions=profile_questions, consent_text=consent_text)
    call = VolunteerCall.objects.select_for_update().filter(campaign=campaign).first()
    created = call is None
    if created:
        call = VolunteerCall(campaign=campaign)
    elif call.consent_text != data["consent_text"]:
        call.consent_version += 1
    was_open = call.is_open
    call.is_open = bool(is_open)
    for field, value in data.items():
        setattr(call, field, value)
    call.save()
    log_action("selection.call.configured", actor=user, scope=campaign.slug, target=call,
               is_open=call.is_open, consent_version=call.consent_version,
               talents=[t["code"] for t in call.talents], workshop_dates=[d["code"] for d in call.workshop_dates],
               questions=[q["code"] for q in call.profile_questions])
    if was_open != call.is_open or created:
        log_action("selection.call.opened" if call.is_open else "selection.call.closed",
                   actor=user, scope=campaign.slug, target=call)
    return call


def _new_pseudonym() -> str:
    return PSEUDONYM_PREFIX + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _i in range(PSEUDONYM_LENGTH))


def _create_volunteer(*, campaign, user, fields: dict) -> Volunteer:
    """Insert with a fresh pseudonym, unique per campaign (retried on the rare collision)."""
    for _attempt in range(50):
        pseudonym = _new_pseudonym()
        if Volunteer.objects.filter(campaign=campaign, pseudonym=pseudonym).exists():
            continue
        try:
            with transaction.atomic():
                return Volunteer.objects.create(campaign=campaign, user=user, pseudonym=pseudonym, **fields)
        except IntegrityError:
            if Volunteer.objects.filter(campaign=campaign, user=user).exists():
                raise AnswersAlreadyRecorded() from None
    raise RuntimeError("no free volunteer pseudonym after 50 attempts")  # 31^4 codes: not expected


@transaction.atomic
def volunteer_save(*, user, campaign, talents, availability, profile, consent) -> tuple[Volunteer, bool]:
    """A resident volunteers, or changes their answers (``created`` is False then).

    Consent is asked every time; ``consent_at``/``consent_version`` change when the volunteer first
    consents, comes back after withdrawing, or agrees to a newer consent text.
    """
    call = VolunteerCall.objects.filter(campaign=campaign).first()
    refusal = rules.volunteer_refusal(user, campaign, call)
    if refusal is not None:
        raise refusal
    ratelimit.hit("volunteer", f"user:{user.pk}")
    answers = validated_answers(call, talents=talents, availability=availability, profile=profile, consent=consent)
    now = timezone.now()
    sector = resident_sector(user, campaign)
    existing = Volunteer.objects.select_for_update().filter(campaign=campaign, user=user).first()
    if existing is None:
        volunteer = _create_volunteer(campaign=campaign, user=user, fields={
            **answers, "sector": sector, "consent_at": now, "consent_version": call.consent_version})
        log_action("selection.volunteer.registered", actor=user, scope=campaign.slug, target=volunteer,
                   pseudonym=volunteer.pseudonym, consent_version=call.consent_version)
        return volunteer, True
    returning = existing.withdrawn_at is not None
    if returning or existing.consent_version != call.consent_version:
        existing.consent_at = now
        existing.consent_version = call.consent_version
    existing.withdrawn_at = None
    existing.sector = sector
    for field, value in answers.items():
        setattr(existing, field, value)
    existing.save()
    log_action("selection.volunteer.returned" if returning else "selection.volunteer.updated",
               actor=user, scope=campaign.slug, target=existing, pseudonym=existing.pseudonym,
               consent_version=existing.consent_version)
    return existing, False


@transaction.atomic
def volunteer_withdraw(*, user, campaign) -> Volunteer:
    """"I am no longer a volunteer": allowed at any time, even once the call is closed.

    The row stays (the selection's published pool and seats refer to the pseudonym); the
    selection leaves withdrawn volunteers out of new pools and replaces them from the reserve.
    """
    if user is None or not user.is_authenticated:
        raise SignInRequired()
    volunteer = Volunteer.objects.select_for_update().filter(campaign=campaign, user=user).first()
    if volunteer is None:
        raise NotAVolunteer()
    if volunteer.withdrawn_at is None:
        ratelimit.hit("volunteer", f"user:{user.pk}")
        volunteer.withdrawn_at = timezone.now()
        volunteer.save(update_fields=["withdrawn_at", "updated_at"])
        log_action("selection.volunteer.withdrawn", actor=user, scope=campaign.slug, target=volunteer,
                   pseudonym=volunteer.pseudonym)
    return volunteer


# --- Erasures, decided by the selection (``selection.erasure``), which knows the pools and seats -----


def volunteer_erase(*, volunteer: Volunteer) -> None:
    """Delete a volunteer whose pseudonym is in no selection's pool (their account is being deleted)."""
    log_action("selection.volunteer.erased", scope=volunteer.campaign.slug, pseudonym=volunteer.pseudonym,
               kept=False)
    volunteer.delete()


def volunteer_anonymise(*, volunteer: Volunteer, now) -> None:
    """Withdraw a volunteer whose account is being deleted but whose pseudonym a pool refers to, and
    clear their availability; the account link becomes NULL when the user row goes.

    The caller holds the row lock and writes the audit entry, with the seats it released."""
    volunteer.withdrawn_at = volunteer.withdrawn_at or now
    volunteer.availability = []
    volunteer.save(update_fields=["withdrawn_at", "availability", "updated_at"])


def _has_answers(volunteer: Volunteer) -> bool:
    return bool(volunteer.talents or volunteer.availability or volunteer.profile or volunteer.sector_id)


def volunteers_answers_erase(*, campaign, now, dry_run: bool = False) -> int:
    """Erase the talents, availability, profile answers and sector of the campaign's volunteers (the
    answers the consent text names); pseudonyms and consent dates stay. Returns how many volunteers
    had answers; ``dry_run`` counts them and changes nothing.

    Runs inside the caller's transaction, which also archives the selections and writes the one audit
    entry of the purge (``selection.erasure.volunteers_purge_expired``)."""
    volunteers = [v.pk for v in Volunteer.objects.select_for_update().filter(campaign=campaign)
                  .only("pk", "talents", "availability", "profile", "sector") if _has_answers(v)]
    if volunteers and not dry_run:
        Volunteer.objects.filter(pk__in=volunteers).update(
            talents=[], availability=[], profile={}, sector=None, updated_at=now)
    return len(volunteers)


def volunteers_sector_move(*, by, campaign, source, target) -> int:
    """Volunteers' sector ``source`` becomes ``target`` (a merge of sectors, dashboard.services.sector_merge)."""
    require(rules.can_manage_volunteers(by, campaign), SectorNotFound)
    if source.campaign_id != campaign.pk or target.campaign_id != campaign.pk:
        raise ValueError("both sectors must belong to the campaign")
    with transaction.atomic():
        return Volunteer.objects.filter(campaign=campaign, sector=source).update(sector=target)
