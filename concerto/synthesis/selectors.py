"""Synthesis reads, built for the pages that use them."""

from .errors import VersionNotFound
from .models import ActionVersion, VersionStage


def action_versions(action) -> list[ActionVersion]:
    """Every version of a published action, oldest first. An action whose text never changed has
    one, v1, its current text (not stored until a second version is)."""
    versions = list(ActionVersion.objects.filter(action=action).select_related("created_by", "amendment__candidate"))
    if versions:
        return versions
    stage = VersionStage.WORKSHOP if action.origin == "workshop" else VersionStage.PUBLISHED
    return [ActionVersion(action=action, number=1, stage=stage, title=action.title, summary=action.summary,
                          body=action.body, created_at=action.published_at or action.created_at)]


def version_get(action, number) -> ActionVersion:
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise VersionNotFound() from None
    for version in action_versions(action):
        if version.number == number:
            return version
    raise VersionNotFound()


# -- dashboard --


def action_commitments(action) -> list:
    """The follow-up of one action (``Commitment`` rows, the elected list's), each with its latest
    dated update as ``latest`` (or None). Two queries."""
    from .models import Commitment, CommitmentUpdate

    commitments = list(Commitment.objects.filter(action_id=action.pk).select_related("candidate")
                       .order_by("candidate__ballot_order", "pk"))
    latest: dict[int, CommitmentUpdate] = {}
    if commitments:
        for update in CommitmentUpdate.objects.filter(commitment__in=commitments).order_by("happened_on", "pk"):
            latest[update.commitment_id] = update
    for c in commitments:
        c.latest = latest.get(c.pk)
    return commitments
