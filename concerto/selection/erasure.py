"""What erasing volunteers' data does to selections: an account deleted, and the retention purge.

The volunteers app erases its own rows (``volunteers.services``); this module decides what must
stay for the selections that refer to them, and archives those selections. It lives here, above
``volunteers``, because only the selection knows its pools and seats.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from concerto.core.audit import log_action
from concerto.volunteers.selectors import campaigns_past_retention, volunteers_of_account
from concerto.volunteers.services import (
    volunteer_anonymise,
    volunteer_erase,
    volunteers_answers_erase,
)

from .models import Selection
from .selectors import ARCHIVED_FIGURES, audit_document, pool_figures
from .services import is_computed, seats_release_for_erased_volunteer


@transaction.atomic
def volunteer_account_erase(*, user) -> None:
    """The person deletes their account: call before the user row is deleted (same transaction).

    A volunteer whose pseudonym is in no selection's pool is deleted outright. Otherwise the row
    must stay, or the seat it holds would vanish with it (a drawn panel silently shrinking, a
    published pool drawing fewer people): it is withdrawn, its availability cleared, and it keeps
    only the pseudonym and the answers already in the pool snapshot; the account link becomes NULL
    when the user row goes. Its panel seats are refilled from the reserve or flagged for the
    organisers (``services.seats_release_for_erased_volunteer``).
    """
    now = timezone.now()
    for volunteer in volunteers_of_account(user, for_update=True):
        pools = Selection.objects.filter(campaign=volunteer.campaign).values_list("pool", flat=True)
        in_a_pool = any(volunteer.pseudonym == p.get("id") for pool in pools for p in (pool or []))
        if not in_a_pool:
            volunteer_erase(volunteer=volunteer)
            continue
        volunteer_anonymise(volunteer=volunteer, now=now)
        released = seats_release_for_erased_volunteer(volunteer=volunteer)
        log_action("selection.volunteer.erased", scope=volunteer.campaign.slug, pseudonym=volunteer.pseudonym,
                   kept=True, **released)


def volunteers_purge_expired(*, now=None, dry_run: bool = False) -> list[dict]:
    """Erase the volunteers' answers of every campaign past the retention period, as the consent promises.

    Erased: each volunteer's talents, availability, profile answers and sector (the consent text
    names them), and in every selection's pool snapshot the answers and household behind each
    pseudonym, with the secret salts (with a salt, the published fingerprint of a few possible
    answers could be opened by anyone). Kept, so the published selection stays verifiable: the
    pseudonyms, seats, distribution and draw, and ``Selection.archived``: ``selection.json`` as it
    was published (the same file, same pool hash: ``verify.py`` still passes) and the counts the
    public audit page shows. An archived selection no longer changes (``SelectionArchived``).

    Idempotent: a second run finds nothing left to erase and logs nothing. Each campaign purged is
    logged (``selection.volunteers.purged``) with counts, never answers. ``dry_run`` changes nothing
    and logs nothing. Returns ``[{"campaign", "ended_at", "volunteers", "selections"}]`` for the
    campaigns with something to erase.
    """
    now = now or timezone.now()
    report = []
    for campaign in campaigns_past_retention(now):
        with transaction.atomic():
            selections = [s for s in Selection.objects.select_for_update().filter(campaign=campaign).order_by("pk")
                          if not s.archived]
            # Archive first: the archive is computed from the pool snapshots, not from the volunteers' rows.
            if not dry_run:
                for selection in selections:
                    _archive(selection, now)
            volunteers = volunteers_answers_erase(campaign=campaign, now=now, dry_run=dry_run)
            if not volunteers and not selections:
                continue
            report.append({"campaign": campaign.slug, "ended_at": campaign.ended_at,
                           "volunteers": volunteers, "selections": len(selections)})
            if dry_run:
                continue
            log_action("selection.volunteers.purged", scope=campaign.slug,
                       ended_at=campaign.ended_at.isoformat(), keep_months=settings.CONCERTO_VOLUNTEER_ANSWERS_KEEP_MONTHS,
                       volunteers=volunteers, selections=len(selections))
    return report


def _archive(selection, now) -> None:
    figures = pool_figures(selection)
    archived = {key: _plain(figures[key]) for key in ARCHIVED_FIGURES}
    archived["at"] = now.isoformat()
    archived["document"] = audit_document(selection) if is_computed(selection) else None
    selection.archived = archived
    selection.pool = [{"id": p["id"], "features": {}} for p in selection.pool]
    selection.save(update_fields=["archived", "pool"])


def _plain(value):
    """Counters as plain JSON objects (``{category: {value: n}}``)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
