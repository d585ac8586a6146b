"""A rig for the guards and review tests: Bruno's phone sending doors at chosen times of one day.

All visits fall on yesterday (local time) from 10:00, inside a door-to-door phase widened to the
last three days, so that the tests never cross midnight whatever time they run."""

import uuid
from datetime import timedelta

from django.utils import timezone

from concerto.campaigns.models import Phase, PhaseKind
from concerto.fieldwork import services
from concerto.fieldwork.models import FieldworkSettings
from concerto.proposals.models import Origin, Theme
from concerto.proposals.services import action_create_published_by_system


def widen_door_phase(campaign) -> None:
    now = timezone.now()
    Phase.objects.filter(campaign=campaign, kind=PhaseKind.DOOR_TO_DOOR).update(
        starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))


def make_actions(campaign, n: int) -> list:
    theme = Theme.objects.get(campaign=campaign, slug="mobilite")
    return [action_create_published_by_system(
        campaign=campaign, title=f"Action numéro {i} du quartier", summary=f"Le résumé de l'action numéro {i}.",
        theme_id=theme.pk, origin=Origin.WORKSHOP) for i in range(n)]


def set_policy(campaign, **values) -> FieldworkSettings:
    policy, _created = FieldworkSettings.objects.get_or_create(campaign=campaign)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    return policy


class Rig:
    def __init__(self, *, device, ambassador, script, campaign):
        self.device, self.ambassador, self.script, self.campaign = device, ambassador, script, campaign
        self.base = (timezone.localtime() - timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)

    def at(self, minutes: float = 0, seconds: float = 0):
        return self.base + timedelta(minutes=minutes, seconds=seconds)

    def person(self, at, supports=(), code="", initials="M. D.") -> dict:
        return {"id": str(uuid.uuid4()), "initials": initials, "supports": list(supports), "proposals": [],
                "wants_post": False, "code": code,
                "consent": {"given": True, "version": self.script.version, "text_hash": self.script.text_hash,
                            "at": at.isoformat()}}

    def door(self, minutes: float = 0, *, seconds: float = 0, outcome=None, people=(), address="12 rue Tissot",
             household=None) -> dict:
        """A visit; ``people`` is a list of support lists (one per resident taking part)."""
        at = self.at(minutes, seconds)
        participants = [self.person(at, supports=s) for s in people]
        return {"id": str(uuid.uuid4()), "captured_at": at.isoformat(),
                "outcome": outcome or ("talked" if participants else "absent"), "address": address,
                "household": household, "participants": participants}

    def send(self, records: list) -> list[dict]:
        return services.visits_sync(ambassador=self.ambassador, device=self.device, campaign=self.campaign,
                                    records=records)
