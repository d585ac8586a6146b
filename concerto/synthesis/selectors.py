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


# -- amend --

def _amend_imports():
    from . import diff
    from .models import DECIDED, Amendment, AmendmentOpinion, AmendmentStatus, DigestOptIn
    return diff, DECIDED, Amendment, AmendmentOpinion, AmendmentStatus, DigestOptIn


def public_action_get(campaign, action_id):
    """A published action of the campaign (versions are public), else ``SynthesisNotFound``."""
    from concerto.proposals import selectors as proposal_selectors

    from .errors import SynthesisNotFound

    if not str(action_id).isdigit():
        raise SynthesisNotFound()
    found = proposal_selectors.published_actions_by_id(campaign, [int(action_id)])
    if int(action_id) not in found:
        raise SynthesisNotFound()
    return found[int(action_id)]


def version_author_role(version, action) -> str:
    """Who made a version, by role: never a resident's name (the action's page names no author)."""
    from django.utils.translation import gettext as _

    if version.number == 1:
        return _("Workshop participants") if action.origin == "workshop" else _("Author of the proposal")
    if version.amendment_id:
        return _("Organisers, integrating an amendment by %(list)s") % {
            "list": version.amendment.candidate.list_name or version.amendment.candidate.name}
    return _("Organisers")


def versions_page(action, old=None, new=None) -> dict:
    """The versions page: every version with its author's role, and the comparison of two of them
    (by default the last two). ``old``/``new`` are version numbers as typed (bad ones raise
    ``VersionNotFound``)."""
    diff, *_unused = _amend_imports()
    versions = action_versions(action)
    for v in versions:
        v.author_role = version_author_role(v, action)
    numbers = [v.number for v in versions]
    if old in (None, "") and new in (None, ""):
        old_v = versions[-2] if len(versions) > 1 else versions[0]
        new_v = versions[-1]
    else:
        old_v = version_get(action, old if old not in (None, "") else numbers[0])
        new_v = version_get(action, new if new not in (None, "") else numbers[-1])
    comparison = diff.diff(old_v, new_v) if len(versions) > 1 else None
    return {"versions": versions, "old": old_v, "new": new_v, "comparison": comparison, "numbers": numbers}


def amendment_list(campaign, *, status: str = "", candidate: str = "", theme: str = "", decided_only=False):
    _d, DECIDED, Amendment, *_rest = _amend_imports()
    qs = (Amendment.objects.filter(campaign=campaign)
          .select_related("action", "action__theme", "candidate", "version")
          .order_by("action__theme__position", "action__title", "candidate__ballot_order", "pk"))
    if decided_only:
        qs = qs.filter(status__in=[s.value for s in DECIDED])
    if status == "undecided":
        qs = qs.exclude(status__in=[s.value for s in DECIDED])
    elif status:
        qs = qs.filter(status=status)
    if str(candidate).isdigit():
        qs = qs.filter(candidate_id=int(candidate))
    if str(theme).isdigit():
        qs = qs.filter(action__theme_id=int(theme))
    return list(qs)


def amendments_open_count(campaign) -> int:
    _d, DECIDED, Amendment, *_rest = _amend_imports()
    return Amendment.objects.filter(campaign=campaign).exclude(status__in=[s.value for s in DECIDED]).count()


def amendment_get(campaign, amendment_id):
    from .errors import AmendmentNotFound

    _d, _D, Amendment, *_rest = _amend_imports()
    found = (Amendment.objects.filter(campaign=campaign, pk=amendment_id)
             .select_related("action", "action__theme", "candidate", "decided_by").first()
             if str(amendment_id).isdigit() else None)
    if found is None:
        raise AmendmentNotFound()
    return found


def decided_amendments_of(action) -> list:
    _d, DECIDED, Amendment, *_rest = _amend_imports()
    return list(Amendment.objects.filter(action=action, status__in=[s.value for s in DECIDED])
                .select_related("candidate", "version").order_by("decided_at", "pk"))


def opinion_tally(amendment) -> dict:
    """For, against, unsure (counts only) and the comments, without names."""
    from concerto.workshops import selectors as workshop_selectors

    *_r, AmendmentOpinion, _S, _O = _amend_imports()
    rows = list(AmendmentOpinion.objects.filter(amendment=amendment).order_by("created_at", "pk"))
    counts = {"for": 0, "against": 0, "unsure": 0}
    for row in rows:
        counts[row.opinion] = counts.get(row.opinion, 0) + 1
    return {"counts": counts, "total": len(rows), "comments": [r.comment for r in rows if r.comment],
            "participants": workshop_selectors.action_workshop_participants(amendment.action_id)}


def my_opinion(user, amendment):
    *_r, AmendmentOpinion, _S, _O = _amend_imports()
    if user is None or not user.is_authenticated:
        return None
    return AmendmentOpinion.objects.filter(amendment=amendment, user=user).first()


def amendment_anchor_view(amendment) -> dict:
    """The action's current text with the amendment's passage marked (field: title, summary or body)."""
    diff, *_unused = _amend_imports()
    action = amendment.action
    for name in ("body", "summary", "title"):
        marked = diff.highlight(getattr(action, name) or "", amendment.quote_exact, amendment.quote_prefix,
                                amendment.quote_suffix)
        if marked is not None:
            return {"field": name, "marked": marked, "found": True}
    return {"field": "", "marked": None, "found": not amendment.quote_exact}


def suggested_text(amendment) -> dict:
    """The text the decision form starts from: the current text, with the suggestion placed after
    the anchored passage (or as a new last paragraph); the organiser edits it into the final words."""
    action = amendment.action
    text = {"title": action.title, "summary": action.summary, "body": action.body}
    suggestion = amendment.text.strip()
    if amendment.quote_exact and amendment.quote_exact in (action.body or ""):
        at = action.body.find(amendment.quote_exact) + len(amendment.quote_exact)
        text["body"] = action.body[:at] + " [" + suggestion + "]" + action.body[at:]
    else:
        text["body"] = ((action.body or "").rstrip() + "\n\n" + suggestion).strip()
    return text


def digest_opted_in(user, campaign) -> bool:
    *_r, DigestOptIn = _amend_imports()
    if user is None or not user.is_authenticated:
        return False
    return DigestOptIn.objects.filter(campaign=campaign, user=user).exists()


def version_supported(versions: list, supported_at):
    """The version that was current when the person supported the action."""
    current = versions[0]
    for v in versions:
        if v.number == 1 or (v.created_at and v.created_at <= supported_at):
            current = v
    return current


def digest_rows(campaign, user_ids=None) -> dict[int, list[dict]]:
    """For each opted-in person not yet told: the actions they supported whose current text differs
    from the version they supported (with that version's number)."""
    from concerto.proposals import selectors as proposal_selectors

    *_r, DigestOptIn = _amend_imports()
    people = DigestOptIn.objects.filter(campaign=campaign, sent_at__isnull=True)
    if user_ids is not None:
        people = people.filter(user_id__in=list(user_ids))
    people = set(people.values_list("user_id", flat=True))
    if not people:
        return {}
    actions = {a.pk: a for a in proposal_selectors.published_actions(campaign)}
    versions = {pk: action_versions(a) for pk, a in actions.items()}
    out: dict[int, list[dict]] = {}
    for row in proposal_selectors.supports_of_actions(actions):
        if row["user_id"] not in people:
            continue
        vs = versions[row["action_id"]]
        if len(vs) < 2:
            continue
        supported = version_supported(vs, row["created_at"])
        if supported.number == vs[-1].number:
            continue
        out.setdefault(row["user_id"], []).append(
            {"action": actions[row["action_id"]], "from": supported.number, "to": vs[-1].number})
    return out


def versions_link(action) -> list[dict]:
    """For ``proposals.selectors.register_action_extra``: the versions page, once there are two."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .models import ActionVersion

    if ActionVersion.objects.filter(action_id=action.pk).count() < 2:
        return []
    return [{"text": _("Versions of this action and what changed"),
             "url": reverse("synthesis:versions", args=[action.campaign.slug, action.pk])}]


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
