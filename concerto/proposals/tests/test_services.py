"""Supports, contributions, moderation and comments, through the services residents and moderators use."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from concerto.core import ratelimit
from concerto.core.errors import FieldErrors, Invalid, NotAllowed, NotFound, RateLimited
from concerto.core.models import AuditEntry
from concerto.proposals.errors import ActionNotSupportable, ParticipationClosed, WrongStatus
from concerto.proposals.models import (
    Action,
    ActionStatus,
    Channel,
    Comment,
    CommentReport,
    CommentStatus,
    Origin,
    Support,
    Theme,
)
from concerto.proposals.rules import can_view_action
from concerto.proposals.selectors import action_list, moderation_queue, my_contributions
from concerto.proposals.services import (
    action_create_published_by_system,
    action_merge,
    action_propose,
    action_publish,
    action_reject,
    comment_add,
    comment_hide,
    comment_report,
    comment_reports_dismiss,
    support_add,
    support_withdraw,
)
from concerto.residents.models import Membership, Role
from conftest import make_user

# ---------------------------------------------------------------- helpers


@pytest.fixture
def frozen_rate_window(monkeypatch):
    """Rate limits use fixed windows; pin the clock so a test never straddles two windows."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_700_000_040.0))


def _count(action) -> int:
    action.refresh_from_db()
    return action.support_count


def _rows(action) -> int:
    return Support.objects.filter(action=action).count()


def _publish(campaign, title="Planter des arbres rue Tissot", **kw):
    fields = {
        "summary": "Des arbres d'alignement pour faire de l'ombre l'été.",
        "origin": Origin.WORKSHOP,
    }
    fields.update(kw)
    return action_create_published_by_system(campaign=campaign, title=title, **fields)


def _propose(user, campaign, **kw):
    fields = {
        "title": "Un banc près de l'arrêt de bus",
        "summary": "Les personnes âgées attendent le bus debout, un banc les aiderait.",
    }
    fields.update(kw)
    return action_propose(user=user, campaign=campaign, **fields)


def _audit(code):
    return AuditEntry.objects.filter(code=code)


# ---------------------------------------------------------------- supports


def test_a_resident_support_is_counted_once(resident_alice, published_action):
    assert support_add(user=resident_alice, action=published_action) is True
    assert _count(published_action) == 1
    assert _rows(published_action) == 1


def test_supporting_again_is_a_harmless_retry_that_returns_false(resident_alice, published_action):
    support_add(user=resident_alice, action=published_action)

    assert support_add(user=resident_alice, action=published_action) is False
    assert support_add(user=resident_alice, action=published_action, channel=Channel.PAPER) is False
    assert _count(published_action) == 1
    assert _rows(published_action) == 1
    assert _audit("proposals.support.added").count() == 1


def test_each_resident_adds_one_support(resident_alice, resident_bob, published_action):
    support_add(user=resident_alice, action=published_action)
    support_add(user=resident_bob, action=published_action)
    assert _count(published_action) == 2 == _rows(published_action)


def test_withdrawing_a_support_decrements_the_count(resident_alice, resident_bob, published_action):
    support_add(user=resident_alice, action=published_action)
    support_add(user=resident_bob, action=published_action)

    assert support_withdraw(user=resident_alice, action=published_action) is True
    assert _count(published_action) == 1 == _rows(published_action)
    assert not Support.objects.filter(action=published_action, user=resident_alice).exists()


def test_withdrawing_twice_returns_false_and_leaves_the_count_alone(resident_alice, resident_bob, published_action):
    support_add(user=resident_bob, action=published_action)
    support_add(user=resident_alice, action=published_action)
    support_withdraw(user=resident_alice, action=published_action)

    assert support_withdraw(user=resident_alice, action=published_action) is False
    assert _count(published_action) == 1 == _rows(published_action)


def test_withdrawing_a_support_never_given_returns_false(resident_alice, published_action):
    assert support_withdraw(user=resident_alice, action=published_action) is False
    assert _count(published_action) == 0


def test_a_pending_contribution_cannot_be_supported(resident_alice, resident_bob, campaign):
    pending = _propose(resident_bob, campaign)

    with pytest.raises(ActionNotSupportable) as exc:
        support_add(user=resident_alice, action=pending)
    assert exc.value.code == "action_not_supportable"
    assert _count(pending) == 0 and _rows(pending) == 0


def test_a_rejected_contribution_cannot_be_supported(resident_alice, resident_bob, moderator_marc, campaign):
    action = _propose(resident_bob, campaign)
    action_reject(moderator=moderator_marc, campaign=campaign, action_id=action.pk, reason="Hors du périmètre.")

    with pytest.raises(ActionNotSupportable):
        support_add(user=resident_alice, action=action)
    assert _count(action) == 0 and _rows(action) == 0


def test_a_merged_action_cannot_be_supported(resident_alice, moderator_marc, campaign, published_action):
    duplicate = _publish(campaign, title="Traversée sécurisée école")
    action_merge(moderator=moderator_marc, campaign=campaign, action_id=duplicate.pk, into_id=published_action.pk)

    with pytest.raises(ActionNotSupportable):
        support_add(user=resident_alice, action=duplicate)
    assert _rows(duplicate) == 0 and _rows(published_action) == 0


def test_supports_are_refused_when_participation_is_closed(closed_campaign):
    alice = make_user("alice.closed@example.org", campaign=closed_campaign, role=Role.RESIDENT)
    action = _publish(closed_campaign)

    with pytest.raises(ParticipationClosed) as exc:
        support_add(user=alice, action=action)
    assert exc.value.code == "participation_closed"
    assert _rows(action) == 0


def test_support_withdrawal_is_refused_when_participation_is_closed(closed_campaign):
    alice = make_user("alice.closed@example.org", campaign=closed_campaign, role=Role.RESIDENT)
    action = _publish(closed_campaign)

    with pytest.raises(ParticipationClosed) as exc:
        support_withdraw(user=alice, action=action)
    assert exc.value.code == "participation_closed"


def test_a_candidate_cannot_support(candidate_claire, published_action):
    with pytest.raises(NotAllowed) as exc:
        support_add(user=candidate_claire, action=published_action)
    assert exc.value.code == "forbidden"
    assert _rows(published_action) == 0
    assert not Membership.objects.filter(user=candidate_claire, role=Role.RESIDENT).exists()


def test_an_anonymous_visitor_cannot_support(published_action):
    with pytest.raises(NotAllowed):
        support_add(user=AnonymousUser(), action=published_action)
    assert _rows(published_action) == 0


def test_a_person_from_another_campaign_joins_as_resident_when_supporting(
    resident_elsewhere, campaign, published_action
):
    assert not Membership.objects.filter(user=resident_elsewhere, campaign=campaign).exists()

    assert support_add(user=resident_elsewhere, action=published_action) is True

    assert Membership.objects.filter(user=resident_elsewhere, campaign=campaign, role=Role.RESIDENT).exists()
    assert _count(published_action) == 1


def test_a_person_from_another_campaign_is_refused_when_email_joining_is_off(
    resident_elsewhere, campaign, published_action
):
    campaign.allow_email_join = False
    campaign.save()
    published_action.campaign = campaign

    with pytest.raises(NotAllowed):
        support_add(user=resident_elsewhere, action=published_action)
    assert not Membership.objects.filter(user=resident_elsewhere, campaign=campaign).exists()
    assert _rows(published_action) == 0


def test_an_existing_resident_still_supports_when_email_joining_is_off(resident_alice, campaign, published_action):
    campaign.allow_email_join = False
    campaign.save()
    published_action.campaign = campaign

    assert support_add(user=resident_alice, action=published_action) is True


def test_an_unknown_channel_is_rejected_and_nothing_is_written(resident_alice, published_action):
    with pytest.raises(Invalid) as exc:
        support_add(user=resident_alice, action=published_action, channel="carrier-pigeon")
    assert exc.value.code == "channel_invalid"
    assert _count(published_action) == 0 and _rows(published_action) == 0


def test_the_channel_of_a_support_is_recorded(resident_alice, published_action):
    support_add(user=resident_alice, action=published_action, channel=Channel.DOOR_TO_DOOR)
    assert Support.objects.get(action=published_action).channel == Channel.DOOR_TO_DOOR


def test_supports_past_the_rate_limit_are_refused_and_nothing_is_written(
    settings, frozen_rate_window, resident_alice, campaign, published_action
):
    settings.CONCERTO_RATE_LIMITS = {**settings.CONCERTO_RATE_LIMITS, "support": (3, 60)}
    others = [_publish(campaign, title=f"Action numéro {i}") for i in range(3)]
    for action in others:
        support_add(user=resident_alice, action=action)
    added_before = _audit("proposals.support.added").count()

    with pytest.raises(RateLimited) as exc:
        support_add(user=resident_alice, action=published_action)

    assert exc.value.code == "rate_limited"
    assert _count(published_action) == 0 and _rows(published_action) == 0
    assert _audit("proposals.support.added").count() == added_before


def test_the_support_rate_limit_is_per_account_not_shared(
    settings, frozen_rate_window, resident_alice, resident_bob, campaign, published_action
):
    settings.CONCERTO_RATE_LIMITS = {**settings.CONCERTO_RATE_LIMITS, "support": (1, 60)}
    support_add(user=resident_alice, action=published_action)
    # Alice is at her limit; Bob, on the same community-centre connection, is not.
    assert support_add(user=resident_bob, action=published_action) is True


def test_a_rate_limited_outsider_is_not_made_a_resident(
    settings, frozen_rate_window, resident_elsewhere, campaign, published_action
):
    settings.CONCERTO_RATE_LIMITS = {**settings.CONCERTO_RATE_LIMITS, "support": (0, 60)}
    with pytest.raises(RateLimited):
        support_add(user=resident_elsewhere, action=published_action)
    assert not Membership.objects.filter(user=resident_elsewhere, campaign=campaign).exists()


def test_adding_and_withdrawing_supports_is_audited(resident_alice, campaign, published_action):
    support_add(user=resident_alice, action=published_action, channel=Channel.ONLINE)
    support_withdraw(user=resident_alice, action=published_action)

    added = _audit("proposals.support.added").get()
    assert added.actor == resident_alice
    assert added.scope == campaign.slug
    assert added.target == f"proposals.action:{published_action.pk}"
    assert added.data == {"channel": "online"}
    withdrawn = _audit("proposals.support.withdrawn").get()
    assert withdrawn.actor == resident_alice and withdrawn.target == added.target


# ---------------------------------------------------------------- contributions


def test_a_contribution_waits_for_moderation(resident_alice, campaign):
    action = _propose(resident_alice, campaign)

    assert action.status == ActionStatus.PENDING
    assert action.author == resident_alice
    assert action.origin == Origin.ONLINE
    assert action.published_at is None
    assert action not in action_list(campaign)
    assert _audit("proposals.contribution.submitted").filter(target=f"proposals.action:{action.pk}").exists()


def test_a_contribution_with_a_theme_of_the_campaign_is_accepted(resident_alice, campaign):
    theme = Theme.objects.get(campaign=campaign, slug="espaces-verts")
    action = _propose(resident_alice, campaign, theme_id=str(theme.pk))
    assert action.theme == theme


def test_a_contribution_from_another_campaign_member_makes_them_a_resident(resident_elsewhere, campaign):
    _propose(resident_elsewhere, campaign)
    assert Membership.objects.filter(user=resident_elsewhere, campaign=campaign, role=Role.RESIDENT).exists()


def test_too_short_title_and_summary_get_french_field_errors(resident_alice, campaign):
    with translation.override("fr"), pytest.raises(FieldErrors) as exc:
        _propose(resident_alice, campaign, title="Banc", summary="Trop court")
    errors = {k: str(v) for k, v in exc.value.errors.items()}

    assert set(errors) == {"title"}  # "Trop court" has 10 characters: the minimum
    assert "5" in errors["title"] and "140" in errors["title"]
    assert "caractères" in errors["title"], errors["title"]


def test_too_short_summary_gets_a_french_field_error(resident_alice, campaign):
    with translation.override("fr"), pytest.raises(FieldErrors) as exc:
        _propose(resident_alice, campaign, title="Un banc", summary="Court")
    errors = {k: str(v) for k, v in exc.value.errors.items()}

    assert set(errors) == {"summary"}
    assert "caractères" in errors["summary"], errors["summary"]


def test_a_title_made_only_of_control_characters_counts_as_empty(resident_alice, campaign):
    with pytest.raises(FieldErrors) as exc:
        _propose(resident_alice, campaign, title="\u202e\u200b\x07\x00\u2066   ")
    assert "title" in exc.value.errors


def test_a_theme_of_another_campaign_is_rejected(resident_alice, campaign, other_campaign):
    foreign = Theme.objects.get(campaign=other_campaign, slug="mobilite")
    with pytest.raises(FieldErrors) as exc:
        _propose(resident_alice, campaign, theme_id=foreign.pk)
    assert set(exc.value.errors) == {"theme"}


@pytest.mark.parametrize("theme_id", ["abc", "999999", "1 OR 1=1", -1])
def test_a_theme_id_that_is_not_a_theme_of_the_campaign_is_rejected(resident_alice, campaign, theme_id):
    with pytest.raises(FieldErrors) as exc:
        _propose(resident_alice, campaign, theme_id=theme_id)
    assert "theme" in exc.value.errors


def test_nothing_is_written_when_a_contribution_is_invalid(resident_elsewhere, campaign):
    with pytest.raises(FieldErrors):
        _propose(resident_elsewhere, campaign, title="", summary="")

    assert not Action.objects.filter(campaign=campaign, author=resident_elsewhere).exists()
    assert not Membership.objects.filter(user=resident_elsewhere, campaign=campaign).exists()
    assert not _audit("proposals.contribution.submitted").exists()


def test_control_characters_and_bidi_overrides_are_stripped_from_a_contribution(resident_alice, campaign):
    action = _propose(
        resident_alice,
        campaign,
        title="Un\x07 banc\u202e à\u200b l'arrêt",
        summary="Des  bancs\tpour\x00 attendre   le bus assis.",
        place="Arrêt\u2066 Saint-Jérôme\x1b",
    )
    assert action.title == "Un banc à l'arrêt"
    assert action.summary == "Des bancs pour attendre le bus assis."
    assert action.place == "Arrêt Saint-Jérôme"


def test_raw_html_in_a_contribution_body_is_shown_as_text(resident_alice, campaign):
    action = _propose(resident_alice, campaign, body='<script>alert("x")</script> <img src=x onerror=alert(1)>')

    assert "<script" not in action.body_html
    assert "<img" not in action.body_html
    assert "&lt;script&gt;" in action.body_html
    assert action.body == '<script>alert("x")</script> <img src=x onerror=alert(1)>'  # kept as typed


def test_javascript_links_in_a_contribution_body_are_dropped(resident_alice, campaign):
    action = _propose(
        resident_alice, campaign,
        body="[cliquez](javascript:alert(1)) et [le plan](https://www.aixenprovence.fr/plan)",
    )
    assert "javascript:" not in action.body_html.lower()
    assert 'href="https://www.aixenprovence.fr/plan"' in action.body_html
    assert "cliquez" in action.body_html


def test_contributions_are_refused_when_participation_is_closed(closed_campaign):
    alice = make_user("alice.closed@example.org", campaign=closed_campaign, role=Role.RESIDENT)
    with pytest.raises(ParticipationClosed):
        _propose(alice, closed_campaign)
    assert not Action.objects.filter(campaign=closed_campaign).exists()


def test_a_candidate_cannot_propose(candidate_claire, campaign):
    with pytest.raises(NotAllowed):
        _propose(candidate_claire, campaign)
    assert not Action.objects.filter(author=candidate_claire).exists()


def test_contributions_past_the_rate_limit_are_refused(settings, frozen_rate_window, resident_alice, campaign):
    settings.CONCERTO_RATE_LIMITS = {**settings.CONCERTO_RATE_LIMITS, "contribution": (2, 3600)}
    _propose(resident_alice, campaign)
    _propose(resident_alice, campaign)
    with pytest.raises(RateLimited):
        _propose(resident_alice, campaign)
    assert Action.objects.filter(author=resident_alice).count() == 2


# ---------------------------------------------------------------- moderation


def test_a_moderator_publishes_a_contribution(resident_alice, moderator_marc, campaign):
    action = _propose(resident_alice, campaign)

    action_publish(moderator=moderator_marc, campaign=campaign, action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.PUBLISHED
    assert action.published_at is not None
    assert action in action_list(campaign)
    assert _audit("proposals.action.published").get().actor == moderator_marc


def test_an_already_published_action_cannot_be_published_again(moderator_marc, campaign, published_action):
    with pytest.raises(WrongStatus) as exc:
        action_publish(moderator=moderator_marc, campaign=campaign, action_id=published_action.pk)
    assert exc.value.code == "wrong_status"


@pytest.mark.parametrize("reason", ["", "   ", "non", "\u202e\u202e\u202e\u202e\u202e"])
def test_rejecting_needs_a_reason(resident_alice, moderator_marc, campaign, reason):
    action = _propose(resident_alice, campaign)

    with pytest.raises(FieldErrors) as exc:
        action_reject(moderator=moderator_marc, campaign=campaign, action_id=action.pk, reason=reason)
    assert "reason" in exc.value.errors
    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING


def test_the_author_sees_why_their_contribution_was_rejected(resident_alice, resident_bob, moderator_marc, campaign):
    action = _propose(resident_alice, campaign)
    reason = "Cette demande relève du département, pas de la commune."

    action_reject(moderator=moderator_marc, campaign=campaign, action_id=action.pk, reason=reason)

    mine = list(my_contributions(resident_alice))
    assert [a.pk for a in mine] == [action.pk]
    assert mine[0].status == ActionStatus.REJECTED
    assert mine[0].rejection_reason == reason
    assert can_view_action(resident_alice, mine[0])
    assert not can_view_action(resident_bob, mine[0])
    assert mine[0] not in action_list(campaign)
    assert _audit("proposals.action.rejected").exists()


def test_a_rejected_contribution_can_be_published_after_review(resident_alice, moderator_marc, campaign):
    action = _propose(resident_alice, campaign)
    action_reject(moderator=moderator_marc, campaign=campaign, action_id=action.pk, reason="Doublon probable.")

    action_publish(moderator=moderator_marc, campaign=campaign, action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.PUBLISHED and action.rejection_reason == ""


def test_an_action_with_supports_cannot_be_rejected(resident_alice, moderator_marc, campaign, published_action):
    support_add(user=resident_alice, action=published_action)

    with pytest.raises(Invalid) as exc:
        action_reject(moderator=moderator_marc, campaign=campaign, action_id=published_action.pk,
                      reason="Finalement hors sujet.")
    assert exc.value.code == "has_supports"
    published_action.refresh_from_db()
    assert published_action.status == ActionStatus.PUBLISHED
    assert published_action.support_count == 1


def test_merging_moves_supports_and_counts_a_resident_who_supported_both_once(
    resident_alice, resident_bob, moderator_marc, campaign, published_action
):
    carol = make_user("carol@example.org", campaign=campaign, role=Role.RESIDENT)
    duplicate = _publish(campaign, title="Un feu devant l'école")
    support_add(user=resident_alice, action=duplicate)
    support_add(user=resident_bob, action=duplicate)
    support_add(user=resident_alice, action=published_action)
    support_add(user=carol, action=published_action)

    action_merge(moderator=moderator_marc, campaign=campaign, action_id=duplicate.pk, into_id=published_action.pk)

    duplicate.refresh_from_db()
    assert duplicate.status == ActionStatus.MERGED
    assert duplicate.merged_into_id == published_action.pk
    assert duplicate.support_count == 0 == _rows(duplicate)
    assert _count(published_action) == 3 == _rows(published_action)
    assert set(Support.objects.filter(action=published_action).values_list("user__email", flat=True)) == {
        "alice@example.org", "bob@example.org", "carol@example.org"}
    entry = _audit("proposals.action.merged").get()
    assert entry.data["duplicates_removed"] == 1 and entry.data["supports_moved"] == 1


def test_merging_keeps_anonymised_supports_counted(resident_alice, moderator_marc, campaign, published_action):
    from concerto.residents.services import account_delete

    duplicate = _publish(campaign, title="Un feu devant l'école")
    support_add(user=resident_alice, action=duplicate)
    account_delete(user=resident_alice)

    action_merge(moderator=moderator_marc, campaign=campaign, action_id=duplicate.pk, into_id=published_action.pk)

    assert _count(published_action) == 1 == _rows(published_action)


def test_merging_moves_comments_and_keeps_the_comment_count_exact(
    resident_alice, resident_bob, moderator_marc, campaign, published_action
):
    duplicate = _publish(campaign, title="Un feu devant l'école")
    comment_add(user=resident_alice, action=duplicate, body="Oui, c'est urgent.")
    hidden = comment_add(user=resident_bob, action=duplicate, body="Message hors sujet")
    comment_hide(moderator=moderator_marc, campaign=campaign, comment_id=hidden.pk, reason="Hors sujet")
    comment_add(user=resident_bob, action=published_action, body="D'accord.")

    action_merge(moderator=moderator_marc, campaign=campaign, action_id=duplicate.pk, into_id=published_action.pk)

    published_action.refresh_from_db()
    assert Comment.objects.filter(action=published_action).count() == 3
    assert published_action.comment_count == 2


def test_an_action_cannot_be_merged_into_itself(moderator_marc, campaign, published_action):
    with pytest.raises(FieldErrors) as exc:
        action_merge(moderator=moderator_marc, campaign=campaign, action_id=published_action.pk,
                     into_id=str(published_action.pk))
    assert "into" in exc.value.errors
    published_action.refresh_from_db()
    assert published_action.status == ActionStatus.PUBLISHED


def test_an_action_cannot_be_merged_into_an_unpublished_one(resident_alice, moderator_marc, campaign,
                                                             published_action):
    support_add(user=resident_alice, action=published_action)
    pending = _propose(resident_alice, campaign)

    with pytest.raises(FieldErrors) as exc:
        action_merge(moderator=moderator_marc, campaign=campaign, action_id=published_action.pk, into_id=pending.pk)
    assert "into" in exc.value.errors
    published_action.refresh_from_db()
    assert published_action.status == ActionStatus.PUBLISHED
    assert _count(published_action) == 1 == _rows(published_action)


def test_an_action_cannot_be_merged_into_one_of_another_campaign(moderator_marc, campaign, other_campaign,
                                                                  published_action):
    elsewhere = _publish(other_campaign)
    with pytest.raises(NotFound):  # looked up inside this campaign only
        action_merge(moderator=moderator_marc, campaign=campaign, action_id=published_action.pk,
                     into_id=elsewhere.pk)
    published_action.refresh_from_db()
    assert published_action.status == ActionStatus.PUBLISHED


@pytest.mark.parametrize("into", [None, "", "abc"])
def test_merging_needs_a_target(moderator_marc, campaign, published_action, into):
    with pytest.raises(FieldErrors) as exc:
        action_merge(moderator=moderator_marc, campaign=campaign, action_id=published_action.pk, into_id=into)
    assert "into" in exc.value.errors


@pytest.mark.parametrize("persona", ["moderator_marc", "organiser_dina"])
def test_moderators_and_organisers_may_moderate(request, persona, resident_alice, campaign, published_action):
    moderator = request.getfixturevalue(persona)
    first = _propose(resident_alice, campaign)
    second = _propose(resident_alice, campaign)
    third = _propose(resident_alice, campaign)

    action_publish(moderator=moderator, campaign=campaign, action_id=first.pk)
    action_reject(moderator=moderator, campaign=campaign, action_id=second.pk, reason="Déjà prévu par la ville.")
    action_merge(moderator=moderator, campaign=campaign, action_id=third.pk, into_id=published_action.pk)

    statuses = dict(Action.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "status"))
    assert statuses == {first.pk: "published", second.pk: "rejected", third.pk: "merged"}


@pytest.mark.parametrize(
    "persona", ["resident_alice", "facilitator_fanny", "candidate_claire", "ambassador_bruno", "resident_elsewhere"]
)
def test_only_moderators_and_organisers_may_moderate(request, persona, resident_bob, campaign, published_action):
    person = request.getfixturevalue(persona)
    pending = _propose(resident_bob, campaign)
    comment = comment_add(user=resident_bob, action=published_action, body="Un commentaire.")

    attempts = [
        lambda: action_publish(moderator=person, campaign=campaign, action_id=pending.pk),
        lambda: action_reject(moderator=person, campaign=campaign, action_id=pending.pk, reason="Raison valable."),
        lambda: action_merge(moderator=person, campaign=campaign, action_id=pending.pk, into_id=published_action.pk),
        lambda: comment_hide(moderator=person, campaign=campaign, comment_id=comment.pk, reason="Insultant"),
        lambda: comment_reports_dismiss(moderator=person, campaign=campaign, comment_id=comment.pk),
    ]
    for attempt in attempts:
        # Moderation is staff-only: the answer is the one for an action that does not exist.
        with pytest.raises(NotFound) as exc:
            attempt()
        assert exc.value.code == "not_found"

    pending.refresh_from_db()
    comment.refresh_from_db()
    assert pending.status == ActionStatus.PENDING
    assert comment.status == CommentStatus.VISIBLE


def test_a_moderator_of_another_campaign_cannot_moderate_here(resident_alice, other_campaign, campaign):
    marc_elsewhere = make_user("marc2@example.org", campaign=other_campaign, role=Role.MODERATOR)
    pending = _propose(resident_alice, campaign)
    with pytest.raises(NotFound) as here:
        action_publish(moderator=marc_elsewhere, campaign=campaign, action_id=pending.pk)
    # Nor through his own campaign: the action is looked up inside the campaign he moderates.
    with pytest.raises(NotFound) as exc:
        action_publish(moderator=marc_elsewhere, campaign=other_campaign, action_id=pending.pk)
    assert exc.value.code == here.value.code == "not_found"
    assert exc.value.status == here.value.status == 404
    pending.refresh_from_db()
    assert pending.status == ActionStatus.PENDING


# ---------------------------------------------------------------- comments


def test_a_resident_comments_and_the_count_goes_up(resident_alice, published_action):
    comment = comment_add(user=resident_alice, action=published_action, body="  Très bonne idée !\x07 ")

    assert comment.body == "Très bonne idée !"
    assert comment.status == CommentStatus.VISIBLE
    published_action.refresh_from_db()
    assert published_action.comment_count == 1
    assert _audit("proposals.comment.added").exists()


@pytest.mark.parametrize("body", ["", " ", "x", "y" * 2001])
def test_a_comment_must_have_between_2_and_2000_characters(resident_alice, published_action, body):
    with pytest.raises(FieldErrors) as exc:
        comment_add(user=resident_alice, action=published_action, body=body)
    assert "body" in exc.value.errors
    assert not Comment.objects.exists()


def test_a_pending_action_cannot_be_commented(resident_alice, resident_bob, campaign):
    pending = _propose(resident_bob, campaign)
    with pytest.raises(NotAllowed):
        comment_add(user=resident_alice, action=pending, body="Je commente.")


def test_a_candidate_cannot_comment(candidate_claire, published_action):
    with pytest.raises(NotAllowed):
        comment_add(user=candidate_claire, action=published_action, body="Je commente.")


def test_hiding_a_comment_shows_the_reason_and_decrements_the_count(
    resident_alice, moderator_marc, campaign, published_action
):
    comment = comment_add(user=resident_alice, action=published_action, body="Propos injurieux")
    comment_add(user=resident_alice, action=published_action, body="Un autre avis")

    comment_hide(moderator=moderator_marc, campaign=campaign, comment_id=comment.pk, reason="Propos injurieux")

    comment.refresh_from_db()
    published_action.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    assert comment.hidden_reason == "Propos injurieux"
    assert published_action.comment_count == 1
    assert _audit("proposals.comment.hidden").get().data == {"reason": "Propos injurieux"}


def test_hiding_a_comment_twice_does_not_decrement_twice(resident_alice, moderator_marc, campaign, published_action):
    comment = comment_add(user=resident_alice, action=published_action, body="Propos injurieux")
    comment_add(user=resident_alice, action=published_action, body="Un autre avis")
    comment_hide(moderator=moderator_marc, campaign=campaign, comment_id=comment.pk, reason="Insulte")

    with pytest.raises(Invalid) as exc:
        comment_hide(moderator=moderator_marc, campaign=campaign, comment_id=comment.pk, reason="Insulte")
    assert exc.value.code == "already_hidden"
    published_action.refresh_from_db()
    assert published_action.comment_count == 1


@pytest.mark.parametrize("reason", ["", "ok"])
def test_hiding_a_comment_needs_a_reason(resident_alice, moderator_marc, campaign, published_action, reason):
    comment = comment_add(user=resident_alice, action=published_action, body="Un avis")
    with pytest.raises(FieldErrors):
        comment_hide(moderator=moderator_marc, campaign=campaign, comment_id=comment.pk, reason=reason)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE


def test_a_comment_is_reported_once_per_person(resident_alice, resident_bob, published_action):
    comment = comment_add(user=resident_alice, action=published_action, body="Un avis tranché")

    assert comment_report(user=resident_bob, comment=comment, reason="Agressif") is True
    assert comment_report(user=resident_bob, comment=comment, reason="Vraiment agressif") is False

    comment.refresh_from_db()
    assert comment.open_report_count == 1
    assert CommentReport.objects.filter(comment=comment).count() == 1


def test_reports_from_different_people_add_up(resident_alice, resident_bob, ambassador_bruno, published_action):
    comment = comment_add(user=resident_alice, action=published_action, body="Un avis tranché")
    comment_report(user=resident_bob, comment=comment)
    comment_report(user=ambassador_bruno, comment=comment)
    comment.refresh_from_db()
    assert comment.open_report_count == 2


def test_nobody_can_report_their_own_comment(resident_alice, published_action):
    comment = comment_add(user=resident_alice, action=published_action, body="Mon avis")
    with pytest.raises(NotAllowed):
        comment_report(user=resident_alice, comment=comment)
    comment.refresh_from_db()
    assert comment.open_report_count == 0


def test_an_anonymous_visitor_cannot_report(resident_alice, published_action):
    comment = comment_add(user=resident_alice, action=published_action, body="Mon avis")
    with pytest.raises(NotAllowed):
        comment_report(user=AnonymousUser(), comment=comment)


def test_dismissing_reports_keeps_the_comment_and_empties_the_queue(
    resident_alice, resident_bob, moderator_marc, campaign, published_action
):
    comment = comment_add(user=resident_alice, action=published_action, body="Un avis tranché")
    comment_report(user=resident_bob, comment=comment)
    assert list(moderation_queue(campaign)[1]) == [comment]

    comment_reports_dismiss(moderator=moderator_marc, campaign=campaign, comment_id=comment.pk)

    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE
    assert comment.open_report_count == 0
    assert not CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).exists()
    assert list(moderation_queue(campaign)[1]) == []
    published_action.refresh_from_db()
    assert published_action.comment_count == 1


def test_hiding_a_reported_comment_resolves_its_reports(
    resident_alice, resident_bob, moderator_marc, campaign, published_action
):
    comment = comment_add(user=resident_alice, action=published_action, body="Un avis tranché")
    comment_report(user=resident_bob, comment=comment)

    comment_hide(moderator=moderator_marc, campaign=campaign, comment_id=comment.pk, reason="Agressif")

    assert not CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).exists()
    assert list(moderation_queue(campaign)[1]) == []
