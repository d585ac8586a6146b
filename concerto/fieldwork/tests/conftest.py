"""Shared set-up for door-to-door tests: an open door-to-door phase, a consent script, an enrolled
phone for ``ambassador_bruno`` and a builder of the records the phone sends."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.campaigns.models import Phase, PhaseKind
from concerto.fieldwork import services

CONSENT = ("Nous gardons vos soutiens et vos propositions pour la consultation du quartier, jusqu'à la fin "
           "de la campagne. Vous pouvez demander leur effacement à l'association.")


@pytest.fixture
def door_open(campaign):
    """The door-to-door phase open from two days ago to tomorrow: yesterday is inside it all day long,
    whatever the time of the run (tests place visits on yesterday's local day)."""
    now = timezone.now()
    Phase.objects.filter(campaign=campaign, kind=PhaseKind.DOOR_TO_DOOR).update(
        starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=1))
    return campaign


@pytest.fixture
def consent_script(door_open, organiser_dina):
    return services.consent_script_save(by=organiser_dina, campaign=door_open, text=CONSENT)


@pytest.fixture
def phone(door_open, organiser_dina, ambassador_bruno):
    """Bruno's enrolled phone: (device, token)."""
    device, secret = services.device_create(by=organiser_dina, campaign=door_open,
                                            ambassador_id=ambassador_bruno.pk, label="Téléphone de Bruno")
    return services.device_enrol(user=ambassador_bruno, secret=secret)


def participant(script, *, supports=(), proposals=(), code="", initials="M. D.", at=None, **extra) -> dict:
    at = at or timezone.now() - timedelta(minutes=30)
    item = {
        "id": str(uuid.uuid4()), "initials": initials, "supports": list(supports),
        "proposals": [dict(p) for p in proposals], "wants_post": False, "code": code,
        "consent": {"given": True, "version": script.version, "text_hash": script.text_hash, "at": at.isoformat()},
    }
    item.update(extra)
    return item


def visit(*, outcome="talked", participants=(), address="12 rue Tissot", at=None, household=None, **extra) -> dict:
    at = at or timezone.now() - timedelta(minutes=30)
    record = {"id": str(uuid.uuid4()), "captured_at": at.isoformat(), "outcome": outcome, "address": address,
              "household": household, "participants": list(participants)}
    record.update(extra)
    return record
