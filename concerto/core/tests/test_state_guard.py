"""No write path may forget to invalidate the cached page state (``core.state``): a forgotten bump
would show a stale phase, role or support to residents until the next unrelated write."""

import ast
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from concerto.campaigns.models import Campaign, Organisation, Phase, Sector
from concerto.core import state
from concerto.proposals.models import Theme
from concerto.residents.models import Membership, OrganisationMembership

ROOT = Path(__file__).resolve().parents[2]  # concerto/
TRACKED = (Organisation, Campaign, Phase, Sector, Theme, Membership, OrganisationMembership)


def _sources():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, path.read_text()


@pytest.mark.parametrize("model", TRACKED, ids=lambda m: m._meta.label)
def test_tracked_models_bump_on_every_kind_of_write(model):
    assert isinstance(model._default_manager.get_queryset(), state.BumpingQuerySet)
    assert post_save.has_listeners(model) and post_delete.has_listeners(model)


@pytest.mark.django_db
def test_bulk_update_of_each_campaign_model_changes_the_token(campaign, resident_bob):
    writes = (
        lambda: Organisation.objects.filter(pk=campaign.organisation_id).update(name="Autre nom"),
        lambda: Campaign.objects.filter(pk=campaign.pk).update(name="Autre nom"),
        lambda: Phase.objects.filter(campaign=campaign).update(summary="Autre résumé"),
        lambda: Theme.objects.filter(campaign=campaign).update(position=9),
        lambda: Sector.objects.filter(campaign=campaign).update(name="Autre secteur"),
        lambda: Membership.objects.filter(user=resident_bob).update(verification="letter"),
        lambda: Theme.objects.bulk_update(list(Theme.objects.filter(campaign=campaign)), ["position"]),
        lambda: Theme.objects.filter(campaign=campaign, slug="espaces-verts").delete(),
    )
    for write in writes:
        before = state.Snapshot(None, campaign.slug).token
        write()
        assert cache.get(state.STATE_KEY) != before


# Writes to the supports (``Support``) change who supports what: the function doing one must say
# whose cached supports changed (``viewer_changed``) or drop every entry (``state_bump``).
_SUPPORT_WRITE = re.compile(r"Support\.objects\b[^\n]*\.(create|update|delete|bulk_create|bulk_update|"
                            r"get_or_create|update_or_create)\(|\bSupport\([^)]*\)\.save\(")


def test_every_support_write_invalidates_the_cached_supports():
    offenders = []
    for path, text in _sources():
        if "Support" not in text:
            continue
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = ast.get_source_segment(text, node) or ""
            if _SUPPORT_WRITE.search(body) and not re.search(r"\b(viewer_changed|state_bump|state\.bump)\(", body):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not offenders, offenders


_RAW_WRITE = re.compile(
    r"(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+\"?(campaigns_(organisation|campaign|phase|sector)|proposals_theme|"
    r"proposals_support|residents_membership|residents_organisationmembership)\b", re.IGNORECASE)


def test_no_raw_sql_writes_around_the_managers():
    offenders = [str(path.relative_to(ROOT)) for path, text in _sources() if _RAW_WRITE.search(text)]
    assert not offenders, offenders


@pytest.mark.django_db
def test_a_migration_changes_the_token(campaign):
    from django.apps import apps
    from django.db.models.signals import post_migrate

    before = state.Snapshot(None, campaign.slug).token
    post_migrate.send(sender=apps.get_app_config("campaigns"), app_config=apps.get_app_config("campaigns"),
                      verbosity=0, interactive=False, using="default", plan=[], apps=apps)
    assert cache.get(state.STATE_KEY) != before
