"""Demo: door to door and paper at Saint-Jérôme, through the fieldwork services.

Two ambassadors (Karim and Sophie) each have an enrolled phone and walk one sector per afternoon
during the door-to-door phase: a round (``round_create``), then the visits of the afternoon sent in
one sync when they are back on wifi (``services.visits_sync(now=...)``, the same exactly-once path
as the app). About a quarter of the doors open for a talk (the usual 15–30 %), 3 to 5 minutes per
door. The residents met at the door (``OfflineResident``, channel door to door) take part there:
their supports and the proposals they dictated become theirs, with an account made for them
without e-mail (verified by their letter code when they had it at hand). The residents who sent the
paper form are typed by the moderator (``paper_entry_save``).

Two anomalies for the organisers to look at: Sophie's last afternoon was typed from her notes in a
few minutes (more doors an hour than humanly possible), so its batch is held for review with its
flag; and one of Karim's visits was sent again edited after the sync, kept apart as a conflict.

Everything is drawn from ``rng`` (its own stream: the rest of the demo is unchanged by it).
"""

import random
import uuid
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from concerto.campaigns.models import Phase, PhaseKind
from concerto.core.models import AuditEntry
from concerto.core.state import bump as state_bump
from concerto.fieldwork import services as fieldwork
from concerto.fieldwork.models import (
    Channel,
    ConsentScript,
    Device,
    Enrolment,
    PaperPrint,
    PaperSheet,
    Participation,
    Round,
    RoundDoor,
    Visit,
)
from concerto.letters.codes import format_code
from concerto.letters.models import CodeUse
from concerto.proposals.models import Action, Support

from . import content as c

# Afternoons of the door-to-door phase, in days after it opened: (ambassador index, day).
AFTERNOONS = [(0, 1), (1, 2), (0, 3), (1, 4), (0, 6), (1, 7), (0, 9), (1, 11)]
HELD_AFTERNOON = (1, 12)  # Sophie's, typed afterwards from her notes
DOORS_PER_AFTERNOON = (34, 44)
# Doors opened over doors knocked, per afternoon: inside the usual 15–30 % (the guards flag outside it).
CONTACT_RATE = (0.19, 0.27)
# How the opened doors where nobody took part went: (outcome, weight).
OPENED_MIX = [("talked", 50), ("refused", 35), ("later", 15)]
PRINTED_ACTIONS = 20
PAPER_SHEETS = 40  # printed and left at the maison de quartier and the pharmacy
HELD_DOORS = 26  # Sophie's afternoon typed afterwards in a few minutes: flagged "too fast"


@dataclass(eq=False)
class OfflineResident:
    """A demo resident who takes part without the website, at their door or on the paper form.
    The builder collects what they support and propose; the visit (or the form) records it."""

    number: int
    name: str  # "Nadia B."
    channel: str  # Channel.DOOR_TO_DOOR or Channel.PAPER
    offline = True
    code: object = None  # their household's InvitationCode (demo/letters.py)
    supports: list[int] = field(default_factory=list)
    proposals: list = field(default_factory=list)  # the builder's _Contribution specs
    user: object = None  # the account made for them when their participation is recorded

    @property
    def pk(self) -> int:
        return -self.number  # a key for the builder's maps, never a database id


# --- The rounds -------------------------------------------------------------------------------------

def _address_key(household) -> tuple:
    number, _sep, street = household.address_line1.partition(" ")
    return (street, int(number) if number.isdigit() else 0, household.address_line2)


def _address(household) -> str:
    return ", ".join(line for line in (household.address_line1, household.address_line2) if line)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _initials(person: OfflineResident, rng: random.Random) -> str:
    """What the ambassador wrote down: the initials, or nothing (it is optional)."""
    first, last = person.name.rstrip(".").rsplit(" ", 1)
    return rng.choice([f"{first[0]}. {last}.", f"{first[0]}. {last}.", f"{first[0]}. {last}.", ""])


def _participant(person, script, at: datetime, rng: random.Random, *, with_code: bool) -> dict:
    if person.channel == Channel.PAPER:  # one handwritten text, as the form has it
        proposals = [{"text": f"{spec.title}. {spec.summary}"} for spec in person.proposals]
    else:
        proposals = [{"title": spec.title, "summary": spec.summary, "body": spec.body, "read_back": True}
                     for spec in person.proposals]
    return {
        "id": _uuid(rng), "initials": _initials(person, rng), "supports": list(person.supports),
        "proposals": proposals, "wants_post": rng.random() < 0.6,
        "code": format_code(person.code.code) if with_code and person.code is not None else "",
        "consent": {"given": True, "version": script.version, "text_hash": script.text_hash,
                    "at": (at - timedelta(minutes=rng.randint(4, 9))).isoformat()},
    }


@dataclass
class _Afternoon:
    ambassador: object
    device: Device
    day: object  # date
    sector: object
    targets: dict = field(default_factory=dict)  # household id -> [OfflineResident]
    held: bool = False
    extra: object = None  # the resident met on the held afternoon


def _plan(campaign, ambassadors, devices, door: list[OfflineResident], sectors: dict, start: datetime,
          rng: random.Random) -> list[_Afternoon]:
    """One sector per afternoon; the sectors where residents were met come first."""
    targets: dict[int, dict] = defaultdict(lambda: defaultdict(list))  # sector -> household -> people
    for person in door:
        household = person.code.household
        targets[household.sector_id][household.pk].append(person)
    ordered = sorted(sectors.values(), key=lambda s: (s.pk not in targets, s.code))
    afternoons = []
    for (who, day), sector in zip(AFTERNOONS, ordered, strict=False):
        afternoons.append(_Afternoon(ambassador=ambassadors[who], device=devices[who],
                                     day=timezone.localtime(start + timedelta(days=day)).date(),
                                     sector=sector, targets=dict(targets.get(sector.pk, {}))))
    missed = set(targets) - {a.sector.pk for a in afternoons}
    if missed:
        raise RuntimeError("Every sector where a demo resident is met needs an afternoon.")
    who, day = HELD_AFTERNOON
    afternoons.append(_Afternoon(ambassador=ambassadors[who], device=devices[who],
                                 day=timezone.localtime(start + timedelta(days=day)).date(),
                                 sector=ordered[-1], held=True,
                                 extra=OfflineResident(number=999, name="Renée M.", channel=Channel.DOOR_TO_DOOR,
                                                       supports=sorted(door[0].supports)[:2])))
    return afternoons


def _visits(afternoon: _Afternoon, round_, script, rng: random.Random, met: dict) -> list[dict]:
    """The afternoon's visits as the phone sends them; ``met`` gets each participant's id → person."""
    doors = list(RoundDoor.objects.filter(round=round_).select_related("household").order_by("position"))
    wanted = rng.randint(*DOORS_PER_AFTERNOON) if not afternoon.held else HELD_DOORS
    chosen = {d.household_id for d in doors if d.household_id in afternoon.targets}
    others = [d for d in doors if d.household_id not in chosen]
    # A stretch of streets, not the whole sector: a contiguous part of the walking order.
    first = rng.randrange(max(1, len(others) - wanted))
    chosen |= {d.household_id for d in others[first:first + max(0, wanted - len(chosen))]}
    walk = [d for d in doors if d.household_id in chosen]
    walk.sort(key=lambda d: _address_key(d.household))
    local = timezone.get_current_timezone()
    at = datetime.combine(afternoon.day, datetime.min.time(), tzinfo=local) + timedelta(
        hours=14, minutes=rng.randint(0, 40))
    # The afternoon's contact rate is drawn inside the usual band (doors opened over doors knocked),
    # the doors of the residents met included; the others' outcomes are shuffled along the walk.
    plain = [d for d in walk if d.household_id not in afternoon.targets]
    opened = max(0, round(rng.uniform(*CONTACT_RATE) * len(walk)) - (len(walk) - len(plain)))
    kinds, weights = zip(*OPENED_MIX, strict=True)
    drawn = rng.choices(kinds, weights, k=opened) + ["absent"] * (len(plain) - opened)
    rng.shuffle(drawn)
    outcome_of = dict(zip((d.household_id for d in plain), drawn, strict=True))
    records = []
    for door in walk:
        people = afternoon.targets.get(door.household_id, [])
        participants = []
        if people:
            outcome = "talked"
            for person in people:
                # Two of the residents met did not have their letter at hand: no code, the address says.
                participants.append(_participant(person, script, at, rng, with_code=person.number % 7 != 3))
                met[participants[-1]["id"]] = person
        else:
            outcome = outcome_of[door.household_id]
        if afternoon.held and len(records) == 4:
            # One resident took part among the typed visits: counted only if an organiser releases it.
            outcome = "talked"
            participants = [_participant(afternoon.extra, script, at, rng, with_code=False)]
        records.append({"id": _uuid(rng), "captured_at": at.isoformat(), "outcome": outcome,
                        "address": _address(door.household), "household": door.household_id,
                        "round": round_.pk, "participants": participants})
        if afternoon.held:
            step = timedelta(seconds=rng.randint(40, 90))  # typed from her notes, one after the other
        elif participants:
            step = timedelta(minutes=rng.randint(9, 16))  # consent read aloud, supports, a proposal read back
        else:
            step = timedelta(minutes=rng.randint(3, 5), seconds=rng.randint(0, 59))
        at += step
    return records


def _backdate(participations, at_of) -> None:
    """The rows made when a participation was applied carry the load time: move them to the visit."""
    for participation in participations:
        at = at_of(participation)
        Participation.objects.filter(pk=participation.pk).update(created_at=at)
        Support.objects.filter(user=participation.user).update(created_at=at)
        CodeUse.objects.filter(user=participation.user).update(created_at=at)
    state_bump()  # the supports' rows changed under the cached pages (concerto.core.state)


def load_fieldwork(*, campaign, organiser, moderator, ambassadors: list, door: list[OfflineResident],
                   paper: list[OfflineResident], sectors: dict, rng: random.Random, clock=None) -> dict:
    """``clock`` (demo.clock.DemoClock): each sync and each typed form happens at its moment, so the
    rows and audit entries they write carry it; without it they carry the load time."""
    phase = Phase.objects.get(campaign=campaign, kind=PhaseKind.DOOR_TO_DOOR)
    start = phase.starts_at
    moment = clock.moment if clock is not None else (lambda _when: nullcontext())
    mark = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    script = fieldwork.consent_script_save(by=organiser, campaign=campaign, text=c.CONSENT_SCRIPT)
    devices = []
    for ambassador in ambassadors:
        first = ambassador.display_name.split(",")[0]
        device, secret = fieldwork.device_create(by=organiser, campaign=campaign, ambassador_id=ambassador.pk,
                                                 label=f"Téléphone de {first}")
        device, _token = fieldwork.device_enrol(user=ambassador, secret=secret)
        Device.objects.filter(pk=device.pk).update(created_at=start - timedelta(days=2),
                                                   enrolled_at=start - timedelta(days=2, hours=-1))
        Enrolment.objects.filter(device=device).update(used_at=start - timedelta(days=2, hours=-1))
        devices.append(device)

    figures = {"visits": 0, "held": 0, "conflicts": 0}
    round_at: dict[str, datetime] = {}
    first_records = None
    met: dict[str, OfflineResident] = {}
    for afternoon in _plan(campaign, ambassadors, devices, door, sectors, start, rng):
        round_ = fieldwork.round_create(by=organiser, campaign=campaign, ambassador_id=afternoon.ambassador.pk,
                              day=afternoon.day, sector_ids=[afternoon.sector.pk],
                              note=f"{afternoon.sector.name} : commencer par les codes non utilisés.")
        records = _visits(afternoon, round_, script, rng, met)
        sent = records
        if first_records is not None and afternoon.ambassador == ambassadors[0] and not figures["conflicts"]:
            # Karim's phone sends again a visit of his first afternoon, edited since: a conflict.
            edited = dict(first_records[0], outcome="later" if first_records[0]["outcome"] != "later" else "absent")
            sent = [edited, *records]
        last = datetime.fromisoformat(records[-1]["captured_at"])
        synced = last + timedelta(minutes=rng.randint(20, 90))
        with moment(synced):
            answers = fieldwork.visits_sync(ambassador=afternoon.ambassador, device=afternoon.device,
                                            campaign=campaign, records=sent, now=synced)
        # The round was planned the evening before its afternoon.
        planned = datetime.combine(afternoon.day, datetime.min.time(), tzinfo=timezone.get_current_timezone()) - \
            timedelta(hours=5, minutes=rng.randint(0, 50))
        Round.objects.filter(pk=round_.pk).update(created_at=planned, updated_at=synced)
        round_at[f"fieldwork.round:{round_.pk}"] = planned
        refused = [a for a in answers if a["status"] == "refused"]
        if refused:
            raise RuntimeError(f"A demo visit was refused: {refused[0]}")
        figures["conflicts"] += sum(a["status"] == "conflict" for a in answers)
        figures["held"] += sum(a.get("held", False) for a in answers if a["status"] == "created")
        figures["visits"] += len(records)
        Round.objects.filter(pk=round_.pk).update(status="done")
        if first_records is None:
            first_records = records
    door_rows = (Participation.objects.filter(campaign=campaign, channel=Channel.DOOR_TO_DOOR)
                 .select_related("visit", "user"))
    _backdate(door_rows, lambda p: p.visit.captured_at)
    for row in door_rows:
        met[str(row.client_id)].user = row.user
    if any(person.user is None for person in door):
        raise RuntimeError("A demo door resident was not recorded.")

    # Paper forms: printed for the participation phase, sent back by post, typed by the moderator.
    # The form carries the actions its senders ticked and the most supported others: about twenty, so
    # that it fits two pages (every published action would make a five-page form).
    ticked = {a for person in paper for a in person.supports}
    popular = [a.pk for a in Action.objects.filter(campaign=campaign, status="published")
               .order_by("-support_count", "pk")[:PRINTED_ACTIONS]]
    printed = sorted(ticked | set(popular[:max(0, PRINTED_ACTIONS - len(ticked))]))
    sheets = fieldwork.paper_sheets_create(by=organiser, campaign=campaign, count=PAPER_SHEETS, action_ids=printed)
    PaperSheet.objects.filter(pk__in=[s.pk for s in sheets]).update(printed_at=start - timedelta(days=6))
    entered = []
    # Sent back over the phase's first days (the last ones typed a few days ago, never after the load).
    gap = min(2.0, max(0.5, ((timezone.now() - start).days - 6) / max(len(paper), 1)))
    for i, (person, sheet) in enumerate(zip(paper, rng.sample(sheets, len(paper)), strict=True)):
        signed = start + timedelta(days=2 + gap * i, hours=rng.randint(9, 18))
        record = _participant(person, script, signed + timedelta(minutes=8), rng, with_code=True)
        typed = signed + timedelta(days=3, hours=rng.randint(1, 4))
        with moment(typed):
            answer = fieldwork.paper_entry_save(by=moderator, campaign=campaign, serial=sheet.serial, record=record)
        if answer["status"] != "created":
            raise RuntimeError(f"A demo paper form was not entered: {answer}")
        PaperSheet.objects.filter(pk=sheet.pk).update(entered_at=typed)
        entered.append((person, answer["participation"], typed))
        # The form was signed at home, days before it was typed: its consent is dated from the signature.
        Participation.objects.filter(pk=answer["participation"]).update(consent_at=signed)
    paper_rows = Participation.objects.filter(campaign=campaign, channel=Channel.PAPER).select_related("user")
    typed_at = {pk: typed for _person, pk, typed in entered}
    _backdate(paper_rows, lambda p: typed_at[p.pk])
    by_pk = {p.pk: p for p in paper_rows}
    for person, pk, _typed in entered:
        person.user = by_pk[pk].user

    # The set-up before the phase: the consent script, the phones, the printed forms.
    set_up = {"fieldwork.consent_script.saved": start - timedelta(days=3, hours=-10),
              "fieldwork.device.created": start - timedelta(days=2),
              "fieldwork.device.enrolled": start - timedelta(days=2, hours=-1),
              "fieldwork.paper.sheets_created": start - timedelta(days=6)}
    entries = list(AuditEntry.objects.filter(pk__gt=mark, code__in=[*set_up, "fieldwork.round.created"]))
    for entry in entries:
        entry.at = set_up.get(entry.code) or round_at.get(entry.target, entry.at)
    AuditEntry.objects.bulk_update(entries, ["at"])
    ConsentScript.objects.filter(pk=script.pk).update(created_at=set_up["fieldwork.consent_script.saved"])
    PaperPrint.objects.filter(campaign=campaign).update(created_at=set_up["fieldwork.paper.sheets_created"])
    figures.update(
        visits_counted=Visit.objects.filter(campaign=campaign, batch__status__in=("accepted", "released")).count(),
        paper_entered=len(entered), paper_sheets=len(sheets),
    )
    return figures
