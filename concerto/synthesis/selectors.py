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
