"""Load the demo campaign (Saint-Jérôme, Aix-en-Provence) through the real domain services.

Every act of a person goes through the service the site itself uses (``resident_join``,
``role_grant``, ``action_create_published``, ``action_propose``, moderation, ``support_add``,
``comment_add`` …), so permissions, counters and audit entries are exactly those of real use.
The first organiser alone is granted by ``role_grant_by_system`` (nobody could grant it).
Only what no service covers yet (organisation, campaign, sectors, phases, themes and the sector
of an action) is written with the ORM.
"""

import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from concerto.campaigns.models import Campaign, Organisation, Phase, Sector
from concerto.core import ratelimit
from concerto.core.models import AuditEntry
from concerto.core.state import bump as state_bump
from concerto.core.text import search_key
from concerto.fieldwork.models import Batch, Flag, Participation, Round, Visit
from concerto.fieldwork.models import Channel as FieldChannel
from concerto.fieldwork.selectors import link_candidates, visit_figures
from concerto.letters.codes import format_code
from concerto.letters.models import CodeUse, InvitationCode, LetterBatch
from concerto.letters.selectors import letter_figures
from concerto.live_event.models import Candidate, Event
from concerto.proposals import services as proposals
from concerto.proposals.models import (
    Action,
    ActionStatus,
    Channel,
    Comment,
    CommentStatus,
    Origin,
    Support,
    Theme,
)
from concerto.residents.models import STAFF_ROLES, Membership, Role, SignInLink, User
from concerto.residents.services import (
    organisation_admin_grant_by_system,
    resident_join,
    role_grant,
    role_grant_by_system,
)
from concerto.selection.models import SeatStatus, Selection, SelectionSeat
from concerto.selection.selectors import selection_figures
from concerto.volunteers.models import Volunteer
from concerto.volunteers.selectors import volunteer_figures
from concerto.workshops.models import ActionSheet

from . import content as c
from . import second_campaign
from .clock import Rhythm, audit_mark, audit_redate, demo_clock, later
from .fieldwork import OfflineResident, load_fieldwork
from .letters import load_letters
from .live_event import live_figures, load_live_event
from .selection import load_selection
from .synthesis_amend import load_amend
from .synthesis_documents import documents_delete, dossiers_sent, load_documents
from .synthesis_followup import load_followup
from .volunteers import call_window, load_volunteers
from .workshops import load_workshops, workshop_figures

SLUG = c.CAMPAIGN["slug"]
# Residents with an e-mail account (habitant001@ …); the others take part at their door or on paper.
ONLINE_RESIDENT_COUNT = c.RESIDENT_COUNT - c.DOOR_TO_DOOR_RESIDENTS - c.PAPER_RESIDENTS
CONTRIBUTION_COUNT = 200
PENDING_COUNT = 5
REJECT_COUNT = 15
DOOR_TO_DOOR_CONTRIBUTIONS = 25
PAPER_CONTRIBUTIONS = 10

# Supports per online resident on the workshop actions: (how many, weight). Mean ≈ 3.3.
ONLINE_SUPPORTS = [(1, 25), (2, 22), (3, 18), (4, 12), (5, 9), (6, 6), (8, 4), (10, 3), (14, 1)]


@dataclass(frozen=True)
class DemoResult:
    loaded: bool  # False: the demo was already there and nothing was changed
    counts: dict
    seconds: float
    started_at: datetime | None = None  # when this load began (None: nothing was loaded)


def resident_email(number: int) -> str:
    return f"habitant{number:03d}@{c.EMAIL_DOMAIN}"


def staff_email(local: str) -> str:
    return f"{local}@{c.EMAIL_DOMAIN}"


def candidate_email(number: int) -> str:
    return f"candidate{number}@{c.EMAIL_DOMAIN}"


def demo_emails() -> list[str]:
    return (
        [staff_email(local) for local, _name, _role in c.STAFF]
        + [staff_email(c.SECOND_AMBASSADOR[0])]
        + [candidate_email(i) for i in range(1, len(c.CANDIDATES) + 1)]
        + [resident_email(i) for i in range(1, ONLINE_RESIDENT_COUNT + 1)]
    )


def demo_load(*, reset: bool = False) -> DemoResult:
    """Load the demo campaign once; with ``reset``, delete it (and its accounts) and load it again."""
    started = time.monotonic()
    started_at = timezone.now()
    if not reset:
        existing = Campaign.objects.filter(slug=SLUG).first()
        if existing is not None:
            return DemoResult(False, demo_counts(existing), time.monotonic() - started)
    # Rate limits (settings.CONCERTO_RATE_LIMITS) stop one account from acting too fast, e.g. 10
    # contributions an hour. The loader plays 130 residents in a few seconds, some proposing several
    # ideas, so the real limits would refuse it; the counters it would leave in the shared cache could
    # also throttle the first real demo visitors. So nothing is counted while it runs.
    with ratelimit.suspended(), transaction.atomic():
        if not reset and Campaign.objects.filter(slug=SLUG).exists():  # loaded meanwhile elsewhere
            existing = Campaign.objects.get(slug=SLUG)
            return DemoResult(False, demo_counts(existing), time.monotonic() - started)
        # Without the campaign, this only removes demo accounts left over (e.g. the campaign was
        # deleted in the admin), which would otherwise collide with the accounts created below.
        demo_delete()
        campaign = _Builder(random.Random(c.SEED)).build()
        # The second campaign, still in set-up, for trying the back office.
        organiser = User.objects.get(email=staff_email(c.STAFF[0][0]))
        second_campaign.build(organisation=campaign.organisation, organiser=organiser)
        counts = demo_counts(campaign)
    return DemoResult(True, counts, time.monotonic() - started, started_at)


def demo_delete() -> bool:
    """Delete the demo campaign with everything in it, its audit entries and the demo accounts.

    Returns True if the campaign existed. Accounts deleted: the fixed list of demo e-mails plus
    any other ``@example.org`` member of the demo campaign; nothing else.
    """
    with transaction.atomic():
        campaign = Campaign.objects.filter(slug=SLUG).first()
        emails = set(demo_emails())
        if campaign is not None:
            emails.update(
                User.objects.filter(memberships__campaign=campaign, email__endswith=f"@{c.EMAIL_DOMAIN}")
                .values_list("email", flat=True)
            )
            # The accounts made for residents met at the door or on paper have no e-mail.
            offline = set(User.objects.filter(memberships__campaign=campaign, email__isnull=True)
                          .values_list("pk", flat=True))
            offline |= set(Participation.objects.filter(campaign=campaign, user__email__isnull=True)
                           .values_list("user_id", flat=True))
            # A merged action PROTECTs the action it was merged into: delete from the leaves up.
            for _round in range(10):
                leaves = Action.objects.filter(campaign=campaign, merged_from__isnull=True)
                if not leaves.exists():
                    break
                leaves.delete()
            for batch in LetterBatch.objects.filter(campaign=campaign).exclude(file=""):
                batch.file.delete(save=False)
            # Door-to-door rows PROTECT their consent script, batch and device (nothing the door
            # recorded may vanish by accident): delete them first, the campaign takes the rest.
            _fieldwork_delete(campaign=campaign)
            documents_delete(campaign)
            campaign.delete()
            AuditEntry.objects.filter(scope__in=[SLUG, f"campaign:{campaign.pk}"]).delete()
            User.objects.filter(pk__in=offline, email__isnull=True).delete()
        second = Campaign.objects.filter(slug=second_campaign.SLUG).first()
        if second is not None:
            second.delete()
            AuditEntry.objects.filter(scope=second_campaign.SLUG).delete()
        Organisation.objects.filter(slug=c.ORGANISATION["slug"], campaigns__isnull=True).delete()
        SignInLink.objects.filter(email__in=emails).delete()
        # Left over in a campaign renamed meanwhile: what the ambassadors recorded PROTECTs them.
        _fieldwork_delete(ambassadors=User.objects.filter(email__in=emails))
        User.objects.filter(email__in=emails).delete()
    return campaign is not None


def _fieldwork_delete(*, campaign=None, ambassadors=None) -> None:
    """Door-to-door rows PROTECT their consent script, batch, device and the ambassador who recorded
    them (nothing the door recorded may vanish by accident): the demo deletes them first, in order."""
    scope = {"campaign": campaign} if campaign is not None else {"ambassador__in": ambassadors}
    recorded = {"campaign": campaign} if campaign is not None else {"recorded_by__in": ambassadors}
    Participation.objects.filter(**recorded).delete()
    Visit.objects.filter(**scope).delete()
    Flag.objects.filter(**scope).delete()
    Batch.objects.filter(**scope).delete()
    Round.objects.filter(**scope).delete()


def demo_counts(campaign: Campaign) -> dict:
    """Figures of the demo campaign, counted from the rows."""
    actions = Action.objects.filter(campaign=campaign)
    contributions = actions.exclude(origin=Origin.WORKSHOP)
    supports = Support.objects.filter(action__campaign=campaign)
    comments = Comment.objects.filter(action__campaign=campaign)
    residents = User.objects.filter(
        Exists(Membership.objects.filter(user=OuterRef("pk"), campaign=campaign, role=Role.RESIDENT))
    )
    participating = residents.filter(
        Exists(Support.objects.filter(user=OuterRef("pk"), action__campaign=campaign))
        | Exists(contributions.filter(author=OuterRef("pk")))
    )
    roles = dict(
        Membership.objects.filter(campaign=campaign).values_list("role").annotate(n=Count("id")).order_by()
    )

    def by(qs, field, choices):
        rows = dict(qs.values_list(field).annotate(n=Count("id")).order_by())
        return {value: rows.get(value, 0) for value in choices}

    return {
        "residents": roles.get(Role.RESIDENT, 0),
        "participating_residents": participating.count(),
        "staff": sum(n for role, n in roles.items() if role in STAFF_ROLES),
        "candidates": roles.get(Role.CANDIDATE, 0),
        "workshop_actions": actions.filter(origin=Origin.WORKSHOP).count(),
        "contributions": contributions.count(),
        "contributions_by_status": by(contributions, "status", ActionStatus.values),
        "contributions_by_origin": by(contributions, "origin", [o for o in Origin.values if o != Origin.WORKSHOP]),
        "supports": supports.count(),
        "supports_by_channel": by(supports, "channel", Channel.values),
        **visit_figures(campaign),
        "held_visits": Visit.objects.filter(campaign=campaign, batch__status="held").count(),
        "link_prompt": _link_prompt(campaign),
        "comments": comments.count(),
        "comments_hidden": comments.filter(status=CommentStatus.HIDDEN).count(),
        "comments_reported": comments.filter(reports__isnull=False).distinct().count(),
        **letter_figures(campaign),
        "volunteers": volunteer_figures(campaign)["volunteers"],
        "workshop_participants": selection_figures(campaign)["workshop_participants"],
        **workshop_figures(campaign),
        **live_figures(campaign),
        "dossiers_sent": dossiers_sent(campaign),
        "unused_codes": [
            format_code(code) for code in InvitationCode.objects.filter(
                campaign=campaign, revoked_at__isnull=True, use_count=0).order_by("pk").values_list("code", flat=True)[:3]
        ],
    }


def _link_prompt(campaign) -> str:
    """The e-mail of an online resident asked « was it you? » (someone of their household was met at
    the door), for the summary: sign in as them to see the question."""
    households = Participation.objects.filter(campaign=campaign, linked_at__isnull=True,
                                              channel=FieldChannel.DOOR_TO_DOOR).values("household")
    for user in (User.objects.filter(code_uses__code__household__in=households, code_uses__code__campaign=campaign,
                                     email__isnull=False).order_by("email")):
        if link_candidates(user, campaign):
            return user.email
    return ""


def _target_pk(entry: AuditEntry) -> int | None:
    """The id in an audit entry's target (``"proposals.action:12"`` → 12)."""
    _label, _sep, pk = entry.target.rpartition(":")
    return int(pk) if pk.isdigit() else None


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, each drawn with probability proportional to its weight (Efraimidis–Spirakis)."""
    keyed = sorted(
        ((rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0), reverse=True
    )
    return [items[i] for _key, i in keyed[:k]]


@dataclass
class _Contribution:
    title: str
    summary: str
    body: str
    theme: str | None
    place: c.Place | None
    fate: str  # publish | pending | reject | merge | late_merge
    reason: str = ""
    into: str = ""
    origin: str = Origin.ONLINE
    author: User | None = None
    action: Action | None = None
    submitted_at: datetime | None = None
    moderated_at: datetime | None = None
    moderated_after: datetime | None = None  # filed by the moderator (offline contributions)


class _Builder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.sector_codes: dict[int, str] = {}  # action id -> sector code
        # When things happened (clock.py): its own random stream, so that who does what stays as it was.
        self.dates = random.Random(f"{c.SEED}-dates")
        self.joined: dict[int, datetime] = {}  # user id -> when their account was made
        self.published_at: dict[int, datetime] = {}  # action id -> when it went online

    def build(self) -> Campaign:
        # Each act at its moment in the campaign's calendar (clock.py); "now" stays the real time
        # outside those moments (the live show of yesterday, the fieldwork guards' day, ...).
        with demo_clock() as self.clock:
            self.now = timezone.now()
            self.mark = audit_mark()  # the journal entries of this load come after it
            self._campaign()
            self._staff()
            self._residents()
            self._letters()
            self._selection()
            self._date_joins()
            self._workshop_actions()
            self._workshops()
            self._date_workshop_actions()
            self._supports_on_workshop_actions()
            self._contributions()  # with the door-to-door rounds and the paper forms (_fieldwork)
            self._supports_on_contributions()
            self._late_merges()
            self._comments()
            self._action_sectors()
            self._live_event()
            self._date_set_up()
        # The synthesis and the follow-up, at their places in the calendar (each part dates its own acts:
        # the synthesis phase and the fictional election come after today).
        load_amend(campaign=self.campaign, organiser=self.organiser, rng=random.Random(f"{c.SEED}-amend"))
        load_documents(campaign=self.campaign, organiser=self.organiser, rng=random.Random(f"{c.SEED}-documents"))
        load_followup(campaign=self.campaign, organiser=self.organiser)
        # Their journal entries say when the demo wrote them: an entry dated after today would head the
        # journal (ordered by time) above everything a visitor does.
        now = timezone.now()
        AuditEntry.objects.filter(scope=self.campaign.slug, at__gt=now).update(at=now)
        return self.campaign

    # -- campaign, people -------------------------------------------------------------------

    def _campaign(self) -> None:
        org, _created = Organisation.objects.get_or_create(
            slug=c.ORGANISATION["slug"], defaults={"name": c.ORGANISATION["name"]}
        )
        self.campaign = Campaign.objects.create(organisation=org, **c.CAMPAIGN)
        self.sectors = {
            code: Sector.objects.create(campaign=self.campaign, code=code, name=name) for code, name in c.SECTORS
        }
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        for p in c.PHASES:
            Phase.objects.create(
                campaign=self.campaign,
                kind=p.kind,
                starts_at=today + timedelta(days=p.start_day, hours=p.start_hour),
                ends_at=today + timedelta(days=p.end_day, hours=p.end_hour),
                summary=p.summary,
            )
        self.themes = {
            slug: Theme.objects.create(campaign=self.campaign, name=name, slug=slug, position=i)
            for i, (slug, name) in enumerate(c.THEMES, start=1)
        }
        self.phases = {p.kind: p for p in Phase.objects.filter(campaign=self.campaign)}
        participation = self.phases["participation"]
        # Online acts: from the opening of participation to half an hour ago.
        self.rhythm = Rhythm(participation.starts_at, self.now - timedelta(minutes=30), self.dates)
        # The campaign was set up a month before the letters.
        self.set_up_at = self.phases["invitation"].starts_at - timedelta(days=30, hours=-10)

    def _staff(self) -> None:
        with self.clock.moment(self.set_up_at + timedelta(minutes=20)):
            self._staff_accounts()

    def _staff_accounts(self) -> None:
        self.staff: dict[str, User] = {}
        # One hash for the shared demo password: hashing it for each of the 11 accounts costs seconds.
        hashed = make_password(c.DEMO_PASSWORD)
        for local, name, role in c.STAFF:
            user = User.objects.create_user(staff_email(local), display_name=name)
            User.objects.filter(pk=user.pk).update(password=hashed)
            if role == Role.ORGANISER:  # the first account: nobody can grant it, the loader does
                role_grant_by_system(campaign=self.campaign, user=user, role=role)
                # She also administers the association, as ``manage.py concerto_setup`` would have made
                # her: the back office's "create a campaign" can be tried.
                organisation_admin_grant_by_system(organisation=self.campaign.organisation, user=user)
            else:
                role_grant(by=self.staff[Role.ORGANISER], campaign=self.campaign, user=user, role=role)
            self.staff[role] = user
        self.organiser = self.staff[Role.ORGANISER]
        self.moderator = self.staff[Role.MODERATOR]
        local, name = c.SECOND_AMBASSADOR
        sophie = User.objects.create_user(staff_email(local), display_name=name)
        User.objects.filter(pk=sophie.pk).update(password=hashed)
        role_grant(by=self.organiser, campaign=self.campaign, user=sophie, role=Role.AMBASSADOR)
        self.ambassadors = [self.staff[Role.AMBASSADOR], sophie]
        self.candidate_accounts = []
        for i, name in enumerate(c.CANDIDATES, start=1):
            user = User.objects.create_user(candidate_email(i), display_name=name)
            User.objects.filter(pk=user.pk).update(password=hashed)
            role_grant(campaign=self.campaign, user=user, role=Role.CANDIDATE, by=self.organiser)
            self.candidate_accounts.append(user)

    def _residents(self) -> None:
        """130 residents: the online ones get an account now (habitant001@ …); the ones met at the door
        or who send the paper form (``OfflineResident``) get one when their participation is recorded."""
        rng = self.rng
        first_names = rng.sample(c.FIRST_NAMES, c.RESIDENT_COUNT)
        names = [f"{first} {rng.choice(c.INITIALS)}." for first in first_names]
        # The same draw as shuffling the residents themselves: who is met offline stays who it was.
        order = rng.sample(range(len(names)), len(names))
        b = c.DOOR_TO_DOOR_RESIDENTS
        d = b + c.PAPER_RESIDENTS
        offline = dict.fromkeys(order[:b], FieldChannel.DOOR_TO_DOOR) | dict.fromkeys(order[b:d], FieldChannel.PAPER)
        self.residents: list = []
        number = 0
        for i, name in enumerate(names):
            if i in offline:
                self.residents.append(OfflineResident(number=i + 1, name=name, channel=offline[i]))
                continue
            number += 1
            user = User.objects.create_user(resident_email(number), display_name=name)
            resident_join(user=user, campaign=self.campaign)
            self.residents.append(user)
        shuffled = [self.residents[i] for i in order]
        self.door_residents = shuffled[:b]
        self.paper_residents = shuffled[b:d]
        # Residents who take part on the website; the workshop participants are drawn among them.
        self.online_residents = shuffled[d:]

    def _letters(self) -> None:
        """700 households, their letters and codes; every demo resident joined with one."""
        self.letters = load_letters(
            campaign=self.campaign, organiser=self.organiser, residents=self.residents,
            sectors=self.sectors, rng=self.rng,
        )

    def _selection(self) -> None:
        """Volunteers among the online residents, then the public draw of the 12 participants."""
        # Their own random stream, so that the supports and contributions below stay as they were.
        rng = random.Random(f"{c.SEED}-selection")
        load_volunteers(campaign=self.campaign, residents=self.online_residents, rng=rng)
        self.selection = load_selection(campaign=self.campaign, organiser=self.organiser, rng=rng)
        self._date_selection()
        selected = self.selection.seats.filter(status=SeatStatus.SELECTED).select_related("volunteer__user")
        self.workshop_participants = sorted((seat.volunteer.user for seat in selected), key=lambda u: u.pk)
        assert len(self.workshop_participants) == c.WORKSHOP_PARTICIPANTS  # noqa: S101 - demo invariant

    def _date_selection(self) -> None:
        """The selection happened during its phase, not at load time: date its stages there, after the
        call for volunteers closed (``volunteers.call_window``), the draw on the announced evening."""
        start = Phase.objects.get(campaign=self.campaign, kind="selection").starts_at
        at = {
            "created_at": start + timedelta(days=3, hours=10),
            "computed_at": start + timedelta(days=3, hours=10, minutes=5),
            "published_at": start + timedelta(days=3, hours=11),
            "announced_at": start + timedelta(days=3, hours=18),
            "drawn_at": start + timedelta(days=4, hours=20, minutes=45),
            # The announced moment of the value: the Loto of that evening, drawn a quarter of an hour before.
            "random_known_at": start + timedelta(days=4, hours=20, minutes=30),
        }
        Selection.objects.filter(pk=self.selection.pk).update(**at)
        SelectionSeat.objects.filter(selection=self.selection).update(changed_at=at["drawn_at"])
        by_code = {
            "selection.selection.created": at["created_at"],
            "selection.computation.started": at["created_at"] + timedelta(minutes=4),
            "selection.computation.finished": at["computed_at"],
            "selection.quotas.relaxed": at["created_at"] + timedelta(minutes=2),
            "selection.distribution.published": at["published_at"],
            "selection.source.announced": at["announced_at"],
            "selection.draw.run": at["drawn_at"],
            "selection.workshop_panel.set": at["drawn_at"] + timedelta(minutes=10),
        }
        self._redate(list(by_code), lambda e: by_code[e.code])
        self.selection.refresh_from_db()

    def _date_joins(self) -> None:
        """Online residents made their account just before typing their letter's code (letters.py dates
        the code uses over the weeks after the letters); a volunteer had theirs before volunteering."""
        dates = self.dates
        opens, _closes = call_window(self.campaign)
        consent = dict(Volunteer.objects.filter(campaign=self.campaign).values_list("user_id", "consent_at"))
        uses = list(CodeUse.objects.filter(code__campaign=self.campaign, user__in=self.online_residents))
        for use in uses:
            if use.user_id in consent and use.created_at > consent[use.user_id] - timedelta(minutes=30):
                low = min(opens, consent[use.user_id] - timedelta(minutes=30))
                room = (consent[use.user_id] - timedelta(minutes=30) - low).total_seconds()
                use.created_at = low + timedelta(seconds=room * dates.uniform(0.1, 0.95))
            self.joined[use.user_id] = use.created_at - timedelta(minutes=dates.randint(2, 12))
        CodeUse.objects.bulk_update(uses, ["created_at"], batch_size=500)
        self._date_accounts(self.joined)
        used = {use.user_id: use.created_at for use in uses}
        self._redate(["letters.code.used"], lambda e: used.get(e.actor_id))
        self._redate(["residents.resident.verified_by_letter"],
                     lambda e: used.get(_target_pk(e)) and used[_target_pk(e)] + timedelta(seconds=1))

    def _date_accounts(self, joined: dict[int, datetime]) -> None:
        """Accounts, campaign memberships and their audit entries made at ``joined[user id]``."""
        users = list(User.objects.filter(pk__in=joined).only("pk", "date_joined"))
        for user in users:
            user.date_joined = joined[user.pk]
        User.objects.bulk_update(users, ["date_joined"], batch_size=500)
        memberships = list(Membership.objects.filter(campaign=self.campaign, user__in=joined).only("pk", "user_id"))
        for membership in memberships:
            membership.created_at = joined[membership.user_id]
        Membership.objects.bulk_update(memberships, ["created_at"], batch_size=500)
        self._redate(["residents.resident.joined", "residents.resident.met", "residents.role.granted"],
                     lambda e: joined.get(_target_pk(e)))

    # -- workshop actions and their supports -----------------------------------------------------

    def _date_workshop_actions(self) -> None:
        """Each workshop action went online when its sheet was published, at the end of its workshop."""
        sheets = ActionSheet.objects.filter(action__in=self.workshop.values()).values_list("action_id", "updated_at")
        self.published_at.update(sheets)
        actions = list(Action.objects.filter(pk__in=self.published_at).only("pk"))
        for action in actions:
            action.created_at = action.updated_at = action.published_at = self.published_at[action.pk]
        Action.objects.bulk_update(actions, ["created_at", "updated_at", "published_at"])
        self._redate(["proposals.action.created"], lambda e: self.published_at.get(_target_pk(e)))

    def _date_workshop_supports(self) -> None:
        """The room's dots on an action, recorded as its participants' supports when its sheet was published."""
        rows = list(Support.objects.filter(action__campaign=self.campaign, channel=Channel.WORKSHOP).only(
            "pk", "action_id", "user_id"))
        at = {}
        for row in rows:
            row.created_at = at[(row.user_id, row.action_id)] = (
                self.published_at[row.action_id] + timedelta(seconds=self.dates.randint(20, 100)))
        Support.objects.bulk_update(rows, ["created_at"])
        state_bump()  # pages cached while the demo loads show the supports' dates (charts over time)
        self._redate(["proposals.support.added"],
                     lambda e: at.get((e.actor_id, _target_pk(e))) if e.data.get("channel") == Channel.WORKSHOP
                     else None)


    def _workshop_actions(self) -> None:
        self.workshop: dict[str, Action] = {}
        for wa in c.WORKSHOP_ACTIONS:
            place = c.PLACES[wa.place]
            action = proposals.action_create_published(
                campaign=self.campaign,
                title=wa.title,
                summary=wa.summary,
                body=wa.body,
                theme_id=self.themes[wa.theme].pk,
                place=place.label,
                origin=Origin.WORKSHOP,
                by=self.organiser,
            )
            self.workshop[wa.key] = action
            if place.sector:
                self.sector_codes[action.pk] = place.sector

    def _workshops(self) -> None:
        """The two workshops the 20 actions came out of (closed), and a follow-up still to run."""
        self.workshops = load_workshops(
            campaign=self.campaign, selection=self.selection, organiser=self.organiser,
            facilitator=self.staff[Role.FACILITATOR], actions=self.workshop,
            # Their own random stream, so that the supports and contributions below stay as they were.
            rng=random.Random(f"{c.SEED}-workshops"))

    def _support(self, user: User, action: Action, channel: str, when: datetime | None = None) -> None:
        if isinstance(user, OfflineResident):  # recorded at their door or from their form (_fieldwork)
            user.supports.append(action.pk)
            return
        with self.clock.moment(when):
            added = proposals.support_add(user=user, action=action, channel=channel)
        assert added, "the demo never supports the same action twice"

    def _supports_on_workshop_actions(self) -> None:
        rng = self.rng
        actions = [self.workshop[wa.key] for wa in c.WORKSHOP_ACTIONS]
        weights = [wa.weight for wa in c.WORKSHOP_ACTIONS]
        counts, count_weights = zip(*ONLINE_SUPPORTS, strict=True)
        self.supported: dict[int, set[int]] = defaultdict(set)  # user id -> action ids

        # Dot-voting at the workshops, recorded as supports of the 12 participants.
        for user in self.workshop_participants:
            (action,) = _weighted_sample(rng, actions, weights, 1)
            self._support(user, action, Channel.WORKSHOP)
            self.supported[user.pk].add(action.pk)
        self._date_workshop_supports()

        door, paper = set(self.door_residents), set(self.paper_residents)
        for user in rng.sample(self.residents, len(self.residents)):
            if user in door:
                n, channel = rng.choice([2, 2, 3, 3, 3, 4]), Channel.DOOR_TO_DOOR
            elif user in paper:
                n, channel = rng.choice([2, 3, 3]), Channel.PAPER
            else:
                n, channel = rng.choices(counts, count_weights)[0], Channel.ONLINE
            done = self.supported[user.pk]
            candidates = [(a, w) for a, w in zip(actions, weights, strict=True) if a.pk not in done]
            chosen = _weighted_sample(rng, [a for a, _w in candidates], [w for _a, w in candidates], n)
            moments = self._session(user, len(chosen)) if channel == Channel.ONLINE else [None] * len(chosen)
            for action, when in zip(chosen, moments, strict=True):
                self._support(user, action, channel, when)
                done.add(action.pk)

    def _redate(self, codes: list[str], when_of) -> None:
        audit_redate(codes, SLUG, when_of, since=self.mark)

    def _joined(self, user: User) -> datetime:
        return self.joined.get(user.pk, self.rhythm.start)

    def _session(self, user: User, n: int, after: datetime | None = None) -> list[datetime]:
        """When a resident gives ``n`` supports: a visit to the site, a minute or two between clicks,
        sometimes a second visit days later."""
        dates = self.dates
        at = self.rhythm.draw(after=max(after or self._joined(user), self._joined(user)))
        moments = []
        for _i in range(n):
            moments.append(at)
            if dates.random() < 0.25 and at + timedelta(hours=3) < self.rhythm.end:
                at = self.rhythm.draw(after=at + timedelta(hours=2))
            else:
                at = min(at + timedelta(seconds=dates.randint(25, 240)), self.rhythm.end)
        return moments

    # -- contributions and moderation --------------------------------------------------------

    def _contribution_specs(self) -> list[_Contribution]:
        rng = self.rng
        general_count = CONTRIBUTION_COUNT - len(c.MERGE_IDEAS) - REJECT_COUNT

        # Each idea is used with one place per round, until there are enough contributions.
        ideas = [(idea, rng.sample(idea.places, len(idea.places))) for idea in rng.sample(c.IDEAS, len(c.IDEAS))]
        picked: list[tuple[c.Idea, str]] = []
        for round_ in range(max(len(idea.places) for idea in c.IDEAS)):
            for idea, places in ideas:
                if round_ < len(places) and len(picked) < general_count:
                    picked.append((idea, places[round_]))
        if len(picked) < general_count:
            raise RuntimeError("Not enough demo ideas × places for the contributions.")

        general = []
        for idea, place_key in picked:
            place = c.PLACES[place_key]
            fmt = {"loc": place.loc, "nom": place.nom}
            body = idea.body.format(**fmt)
            if rng.random() < 0.55:
                body += "\n\n" + rng.choice(c.PERSONAL_NOTES)
            general.append(_Contribution(
                title=idea.title.format(**fmt), summary=idea.summary.format(**fmt), body=body,
                theme=idea.theme, place=place, fate="publish",
            ))
        merges = [
            _Contribution(
                title=m.title, summary=m.summary, body=m.body, theme=m.theme, place=c.PLACES[m.place],
                fate="late_merge" if m.late else "merge", into=m.into,
            )
            for m in c.MERGE_IDEAS
        ]
        rejects = [
            _Contribution(title=title, summary=r.summary, body=r.body, theme=r.theme, place=None,
                          fate="reject", reason=r.reason)
            for r in c.REJECT_IDEAS for title in r.titles
        ]
        rejects = rng.sample(rejects, REJECT_COUNT)

        # Door to door and paper: ideas gathered from residents offline (never a rejected one).
        offline = rng.sample(general + merges, len(general) + len(merges))
        n_door, n_paper = DOOR_TO_DOOR_CONTRIBUTIONS, PAPER_CONTRIBUTIONS
        for spec in offline[:n_door]:
            spec.origin = Origin.DOOR_TO_DOOR
        for spec in offline[n_door:n_door + n_paper]:
            spec.origin = Origin.PAPER
        online_general = [s for s in offline[n_door + n_paper:] if s.fate == "publish"]
        for spec in rng.sample(online_general, PENDING_COUNT):
            spec.fate = "pending"

        specs = general + merges + rejects
        titles = [s.title for s in specs] + [wa.title for wa in c.WORKSHOP_ACTIONS]
        if len(set(titles)) != len(titles):
            raise RuntimeError("Demo titles must be unique.")
        return specs

    def _assign_authors(self, specs: list[_Contribution]) -> None:
        rng = self.rng

        def spread(people: list[User], n: int) -> list[User]:
            # Everyone in the group contributes once, the rest at random.
            authors = list(people[:n]) + rng.choices(people, k=max(0, n - len(people)))
            return rng.sample(authors, len(authors))

        by_origin = defaultdict(list)
        for spec in specs:
            by_origin[spec.origin].append(spec)
        for origin, people in ((Origin.DOOR_TO_DOOR, self.door_residents), (Origin.PAPER, self.paper_residents)):
            for spec, author in zip(by_origin[origin], spread(people, len(by_origin[origin])), strict=True):
                spec.author = author
        # Online, a few residents propose a lot and many propose nothing.
        weights = [rng.choice([0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 4, 6]) for _user in self.online_residents]
        online = by_origin[Origin.ONLINE]
        for spec, author in zip(online, rng.choices(self.online_residents, weights, k=len(online)), strict=True):
            spec.author = author

    def _contributions(self) -> None:
        rng = self.rng
        specs = self._contribution_specs()
        self._assign_authors(specs)
        for spec in specs:
            if isinstance(spec.author, OfflineResident):
                spec.author.proposals.append(spec)
        self._fieldwork(specs)
        # Submitted in random order; the few still waiting for moderation are the latest ones.
        order = rng.sample(specs, len(specs))
        order = [s for s in order if s.fate != "pending"] + [s for s in order if s.fate == "pending"]
        self._date_contributions(order)
        for spec in order:
            if spec.action is not None:  # dictated at a door or written on a paper form: recorded already
                continue
            body = spec.body
            if spec.origin == Origin.DOOR_TO_DOOR:
                body = f"{body}\n\n{c.DOOR_TO_DOOR_NOTE}".strip()
            elif spec.origin == Origin.PAPER:
                body = f"{body}\n\n{c.PAPER_NOTE}".strip()
            with self.clock.moment(spec.submitted_at):
                spec.action = proposals.action_propose(
                    user=spec.author,
                    campaign=self.campaign,
                    title=spec.title,
                    summary=spec.summary,
                    body=body,
                    theme_id=self.themes[spec.theme].pk if spec.theme else None,
                    place=spec.place.label if spec.place else "",
                    origin=spec.origin,
                )
            if spec.place and spec.place.sector:
                self.sector_codes[spec.action.pk] = spec.place.sector

        # The moderator works through the queue, a few hours or days after each submission.
        moderation = {"campaign": self.campaign, "moderator": self.moderator}
        for spec in sorted(order, key=lambda s: s.moderated_at or self.now):
            with self.clock.moment(spec.moderated_at):
                if spec.fate in ("publish", "late_merge"):
                    proposals.action_publish(action_id=spec.action.pk, **moderation)
                    self.published_at[spec.action.pk] = spec.moderated_at
                elif spec.fate == "reject":
                    proposals.action_reject(action_id=spec.action.pk, reason=spec.reason, **moderation)
                elif spec.fate == "merge":
                    proposals.action_merge(action_id=spec.action.pk, into_id=self.workshop[spec.into].pk,
                                           **moderation)
        self.contributions = order

    def _date_contributions(self, order: list[_Contribution]) -> None:
        """When each contribution was sent (at the door or on paper: when it was recorded) and moderated."""
        dates, end = self.dates, self.rhythm.end
        for spec in order:
            if spec.action is not None:  # recorded by the fieldwork services at the visit or the typing
                spec.submitted_at = spec.action.created_at
            elif spec.fate == "pending":  # still in the queue: sent since yesterday evening
                spec.submitted_at = self.rhythm.draw(after=max(self._joined(spec.author), end - timedelta(hours=30)))
            else:
                spec.submitted_at = self.rhythm.draw(after=self._joined(spec.author), before=end - timedelta(hours=6))
            if spec.moderated_after is not None:  # filed under a theme, then published at once
                spec.moderated_at = min(spec.moderated_after + timedelta(minutes=dates.randint(2, 15)), end)
            elif spec.fate != "pending":
                spec.moderated_at = later(dates, spec.submitted_at, hours=(1.5, 60), before=end)

    def _fieldwork(self, specs: list[_Contribution]) -> None:
        """The ambassadors' rounds and the paper forms: the residents met offline take part (their
        supports and proposals, recorded through the fieldwork services), then the moderator files
        their proposals under a theme and a place, as the phone and the form only carry the text."""
        for spec in specs:
            if spec.origin == Origin.DOOR_TO_DOOR:
                spec.body = f"{spec.body}\n\n{c.DOOR_TO_DOOR_NOTE}".strip()
            elif spec.origin == Origin.PAPER:
                spec.body = f"{spec.body}\n\n{c.PAPER_NOTE}".strip()
        self.fieldwork = load_fieldwork(
            campaign=self.campaign, organiser=self.organiser, moderator=self.moderator, ambassadors=self.ambassadors,
            door=self.door_residents, paper=self.paper_residents, sectors=self.sectors,
            # Its own random stream, so that the supports and contributions below stay as they were.
            rng=random.Random(f"{c.SEED}-fieldwork"), clock=self.clock)
        # Their accounts were made when the ambassador's phone synced, or when the moderator typed the form.
        self._date_accounts(dict(Participation.objects.filter(campaign=self.campaign).values_list(
            "user_id", "created_at")))
        offline = [s for s in specs if isinstance(s.author, OfflineResident)]
        # Each resident's proposals, in the order they dictated or wrote them (a paper form carries one
        # text, which the entry cuts into a title: the moderator restores the title below).
        mine = defaultdict(list)
        for action in Action.objects.filter(campaign=self.campaign, author__in=[s.author.user for s in offline],
                                            origin__in=(Origin.DOOR_TO_DOOR, Origin.PAPER)).order_by("pk"):
            mine[action.author_id].append(action)
        for spec in offline:
            spec.action = mine[spec.author.user.pk].pop(0)
            spec.author = spec.author.user
            if spec.place:
                # No service sets a contribution's place after the fact (the moderator's edit keeps it).
                action = spec.action
                Action.objects.filter(pk=action.pk).update(
                    place=spec.place.label,
                    search_text=search_key(action.title, action.summary, action.body, spec.place.label, ""))
                if spec.place.sector:
                    self.sector_codes[action.pk] = spec.place.sector
            if spec.theme:
                spec.moderated_after = later(self.dates, spec.action.created_at, hours=(1, 30), before=self.rhythm.end)
                with self.clock.moment(spec.moderated_after):
                    proposals.action_edit_by_moderator(
                        moderator=self.moderator, campaign=self.campaign, action_id=spec.action.pk, title=spec.title,
                        summary=spec.summary, body=spec.body, theme_id=self.themes[spec.theme].pk)

    def _supports_on_contributions(self) -> None:
        rng = self.rng
        published = [s for s in self.contributions if s.fate in ("publish", "late_merge")]
        # Most contributions get a handful of supports at most; a few catch on.
        weights = [rng.lognormvariate(0, 1.6) * (3 if s.fate == "late_merge" else 1) for s in published]
        for user in self.online_residents:
            if rng.random() >= 0.4:
                continue
            k = rng.choice([1, 1, 1, 2, 2, 3])
            pool = [(s, w) for s, w in zip(published, weights, strict=True) if s.author != user]
            chosen = _weighted_sample(rng, [s for s, _w in pool], [w for _s, w in pool], k)
            # Supported once online, a contribution may be found in the same visit as the others.
            after = max(self.published_at[spec.action.pk] for spec in chosen)
            for spec, when in zip(chosen, self._session(user, len(chosen), after=after), strict=True):
                self._support(user, spec.action, Channel.ONLINE, when)

    def _late_merges(self) -> None:
        # Duplicates spotted after they had been published and supported: supports move over.
        for spec in self.contributions:
            if spec.fate == "late_merge":
                last = Support.objects.filter(action=spec.action).order_by("-created_at").values_list(
                    "created_at", flat=True).first() or spec.moderated_at
                with self.clock.moment(later(self.dates, max(last, spec.moderated_at), hours=(3, 48),
                                             before=self.rhythm.end)):
                    proposals.action_merge(
                        moderator=self.moderator, campaign=self.campaign,
                        action_id=spec.action.pk, into_id=self.workshop[spec.into].pk,
                    )

    # -- comments -------------------------------------------------------------------------

    def _comments(self) -> None:
        rng = self.rng
        threads: list[tuple[Action, tuple[str, ...]]] = [
            (self.workshop[wa.key], wa.comments) for wa in c.WORKSHOP_ACTIONS if wa.comments
        ]
        # General remarks go under the most supported published contributions, one each.
        published = Action.objects.filter(
            pk__in=[s.action.pk for s in self.contributions], status=ActionStatus.PUBLISHED
        ).select_related("campaign").order_by("-support_count", "id")
        remarks = rng.sample(c.CONTRIBUTION_COMMENTS, len(c.CONTRIBUTION_COMMENTS))
        threads += [(action, (text,)) for action, text in zip(published, remarks, strict=False)]

        by_text: dict[str, Comment] = {}
        for action, texts in rng.sample(threads, len(threads)):
            # A thread: each remark some hours or days after the one it answers.
            at = self.published_at.get(action.pk, self.rhythm.start)
            for user, text in zip(rng.sample(self.online_residents, len(texts)), texts, strict=True):
                at = self.rhythm.draw(after=max(at, self._joined(user)), before=min(
                    self.rhythm.end, max(at, self._joined(user)) + timedelta(days=8)))
                with self.clock.moment(at):
                    by_text[text] = proposals.comment_add(user=user, action=action, body=text)

        def reporters(comment: Comment, n: int) -> list[User]:
            return rng.sample([u for u in self.online_residents if u.pk != comment.author_id], n)

        hidden = by_text[c.HIDDEN_COMMENT]
        at = hidden.created_at
        for user, reason in zip(reporters(hidden, len(c.HIDDEN_REPORTS)), c.HIDDEN_REPORTS, strict=True):
            at = later(self.dates, at, hours=(0.5, 10), before=self.rhythm.end)
            with self.clock.moment(at):
                proposals.comment_report(user=user, comment=hidden, reason=reason)
        with self.clock.moment(later(self.dates, at, hours=(1, 12), before=self.rhythm.end)):
            proposals.comment_hide(
                moderator=self.moderator, campaign=self.campaign, comment_id=hidden.pk, reason=c.HIDDEN_REASON
            )
        # Reported, still waiting in the moderation queue: since yesterday.
        for text, reason in c.OPEN_REPORTS.items():
            comment = by_text[text]
            (user,) = reporters(comment, 1)
            with self.clock.moment(self.rhythm.draw(after=max(comment.created_at, self.rhythm.end - timedelta(
                    hours=30)))):
                proposals.comment_report(user=user, comment=comment, reason=reason)

    def _live_event(self) -> None:
        """The candidates, the election calendar, the set held yesterday evening and the one of tomorrow."""
        load_live_event(
            campaign=self.campaign, organiser=self.organiser, facilitator=self.staff[Role.FACILITATOR],
            candidate_accounts=self.candidate_accounts,
            workshop_actions=[self.workshop[wa.key] for wa in c.WORKSHOP_ACTIONS],
            presenters=[u.public_name for u in self.workshop_participants],
            askers=[u for u in self.online_residents if u not in self.workshop_participants],
            # Its own random stream, so that everything above stays as it was.
            rng=random.Random(f"{c.SEED}-live-event"))

    def _date_set_up(self) -> None:
        """The association and the campaign were set up a month before the letters (the team made then,
        in ``_staff``); the candidates were entered when the first show was prepared, the second show was
        planned a few days ago."""
        at = self.set_up_at
        Organisation.objects.filter(pk=self.campaign.organisation_id).update(created_at=at - timedelta(days=2),
                                                                          updated_at=at - timedelta(days=2))
        Campaign.objects.filter(pk=self.campaign.pk).update(created_at=at, updated_at=at)
        staff = [*self.staff.values(), *self.ambassadors]
        User.objects.filter(pk__in=[u.pk for u in staff]).update(date_joined=at + timedelta(minutes=5))
        events = list(Event.objects.filter(campaign=self.campaign).order_by("starts_at"))
        held, upcoming = events[0], events[-1]
        # The candidates' accounts and lists, two days before the first show was created.
        entered = held.created_at - timedelta(days=2, hours=-1)
        User.objects.filter(pk__in=[u.pk for u in self.candidate_accounts]).update(date_joined=entered)
        Membership.objects.filter(campaign=self.campaign, user__in=self.candidate_accounts).update(created_at=entered)
        Candidate.objects.filter(campaign=self.campaign).update(created_at=entered, updated_at=entered)
        candidates = {u.pk for u in self.candidate_accounts}
        self._redate(["residents.role.granted"], lambda e: entered if _target_pk(e) in candidates else None)
        self._redate(["live.candidate_created"], lambda e: entered + timedelta(minutes=2))
        if upcoming.pk != held.pk and upcoming.created_at > self.now - timedelta(hours=1):
            planned = timezone.localtime(self.now - timedelta(days=6)).replace(hour=10, minute=15)
            published = planned + timedelta(days=1, hours=7)
            Event.objects.filter(pk=upcoming.pk).update(created_at=planned, updated_at=published,
                                                        order_published_at=published)
            moments = {"live.event_created": planned, "live.running_order_set": planned + timedelta(minutes=40),
                       "live.order_published": published}
            target = f"live_event.event:{upcoming.pk}"
            self._redate(list(moments), lambda e: moments[e.code] if e.target == target else None)

    def _action_sectors(self) -> None:
        # No service sets an action's sector yet: derive it from the place, in one UPDATE per sector.
        by_sector = defaultdict(list)
        for action_id, code in self.sector_codes.items():
            by_sector[code].append(action_id)
        for code, ids in by_sector.items():
            Action.objects.filter(pk__in=ids).update(sector=self.sectors[code])
