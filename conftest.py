"""Shared personas and a campaign whose participation phase is open, built through the real services."""

import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import caches
from django.utils import timezone

from concerto.campaigns.models import Campaign, Organisation, Phase, PhaseKind
from concerto.proposals.models import Origin, Theme
from concerto.proposals.services import action_create_published_by_system
from concerto.residents.models import Role, User
from concerto.residents.services import resident_join, role_grant_by_system
from tests.live import TEMPLATES_ENV

# -- How pytest-xdist shares the tests out with --dist loadscope (the browser leg, see the Makefile) ---------
# A unit of work goes whole to one worker, which runs its tests in order. The units are made here
# (ConcertoScheduling, below) from the test ids alone, as the xdist controller only has those:
# - a module under tests/ is one unit (its module fixtures, built once: the security suite's world,
#   a production-settings probe, the live servers of the browser suites; its journeys' order),
#   except the modules in SPREAD, whose tests are independent of each other: a test is a unit;
# - so is a module under concerto/ that shares a module fixture (GROUPED: the demo, a backup round
#   trip, a published selection), instead of building it again on every worker;
# - any other test is a unit of its own.
# (The unit legs run with xdist's plain "load": with loadscope's reordering, the demo and backup
# modules ran first and left audit entries that concerto/api/tests/test_joining_api.py does not
# expect; to fix before moving them.) The browser leg keeps the collection order (--no-loadscope-reorder), which starts with the modules in
# SLOW_FIRST, the longest, so that no worker is left alone with one at the end.
SPREAD = {"tests/browser/test_accessibility.py", "tests/security/test_api_fuzz.py"}
GROUPED = ("tests/", "concerto/demo/tests/", "concerto/core/tests/test_backups.py",
           "concerto/selection/tests/test_verify.py")
SLOW_FIRST = ["tests/security/test_xss_browser.py", "tests/test_stack_failover.py",
              "tests/security/test_live_limits.py", "tests/streams/test_cross_process.py",
              "tests/security/test_api_fuzz.py", "tests/browser/test_workshop_whole.py",
              "tests/browser/test_first_run_journey.py", "tests/browser/test_workshop_cluster_vote.py",
              "tests/browser/test_workshop_room.py", "tests/browser/test_workshop_sessions.py",
              "tests/browser/test_workshop_sheets.py"]


def work_unit(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0]
    return module if module.startswith(GROUPED) and module not in SPREAD else nodeid


class _Scheduling:
    """Registered only when pytest-xdist is loaded (``-p no:xdist`` would not know its hook)."""

    @staticmethod
    def pytest_xdist_make_scheduler(config, log):
        if config.getoption("dist") != "loadscope":
            return None
        from xdist.scheduler import LoadScopeScheduling

        class ConcertoScheduling(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                return work_unit(nodeid)

        return ConcertoScheduling(config, log)


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_Scheduling(), "concerto-scheduling")
    # One folder for the run's demo copies (``demo`` below, tests.live.demo_template), made before the
    # xdist workers start so that they all share it; removed at the end of the run.
    if not os.environ.get(TEMPLATES_ENV):
        os.environ[TEMPLATES_ENV] = config._concerto_templates = tempfile.mkdtemp(prefix="concerto-test-run-")


def pytest_unconfigure(config):
    folder = getattr(config, "_concerto_templates", None)
    if folder:
        from tests.live import drop_postgres_templates
        from tests.shared_demo import drop_templates

        drop_templates(Path(folder))
        drop_postgres_templates(Path(folder))
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(TEMPLATES_ENV, None)


def pytest_collection_modifyitems(config, items):
    rank = {path: i for i, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(SLOW_FIRST)))  # stable


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The Saint-Jérôme demo (``demo_load()``'s ``DemoResult``), committed in the test database for the
    module: loaded once per test run, then copied for each module that asks for it (tests/shared_demo.py,
    docs/testing.md). After the module the database is again what it was. Tests that change the demo
    take ``db`` too, so that their changes are rolled back and the next test of the module sees the demo."""
    from tests.shared_demo import SharedDemo

    shared = SharedDemo()
    with django_db_blocker.unblock():
        result = shared.enter()
    try:
        yield result
    finally:
        with django_db_blocker.unblock():
            shared.leave()


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; each test starts with none.
    for alias in ("default", "pages"):
        caches[alias].clear()
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()


def make_campaign(slug="quartier-test", *, open_participation=True, name="Quartier test") -> Campaign:
    org, _ = Organisation.objects.get_or_create(slug="asso", defaults={"name": "Association test"})
    campaign = Campaign.objects.create(organisation=org, name=name, slug=slug, territory="Aix-en-Provence")
    now = timezone.now()
    start = now - timedelta(days=10)
    for i, kind in enumerate(PhaseKind.values):
        if kind == PhaseKind.PARTICIPATION:
            s, e = (start, now + timedelta(days=10)) if open_participation else (now - timedelta(days=20), now - timedelta(days=15))
        else:
            s, e = start + timedelta(days=i), start + timedelta(days=i + 1)
        Phase.objects.create(campaign=campaign, kind=kind, starts_at=s, ends_at=e)
    Theme.objects.create(campaign=campaign, name="Mobilité", slug="mobilite", position=1)
    Theme.objects.create(campaign=campaign, name="Espaces verts", slug="espaces-verts", position=2)
    return campaign


def make_user(email, *, campaign=None, role=None, password=None, name="") -> User:
    user = User.objects.create_user(email, password=password, display_name=name)
    if campaign is not None and role is not None:
        if role == Role.RESIDENT:
            resident_join(user=user, campaign=campaign)
        else:
            role_grant_by_system(campaign=campaign, user=user, role=role)
    return user


@pytest.fixture
def campaign(db):
    return make_campaign()


@pytest.fixture
def other_campaign(db):
    return make_campaign("autre-quartier", name="Autre quartier")


@pytest.fixture
def closed_campaign(db):
    return make_campaign("quartier-ferme", open_participation=False, name="Quartier fermé")


@pytest.fixture
def resident_alice(campaign):
    return make_user("alice@example.org", campaign=campaign, role=Role.RESIDENT, name="Alice")


@pytest.fixture
def resident_bob(campaign):
    return make_user("bob@example.org", campaign=campaign, role=Role.RESIDENT, name="Bob")


@pytest.fixture
def resident_elsewhere(other_campaign):
    return make_user("eve@example.org", campaign=other_campaign, role=Role.RESIDENT, name="Eve")


@pytest.fixture
def ambassador_bruno(campaign):
    return make_user("bruno@example.org", campaign=campaign, role=Role.AMBASSADOR, password="bruno-password-123")


@pytest.fixture
def candidate_claire(campaign):
    return make_user("claire@example.org", campaign=campaign, role=Role.CANDIDATE, password="claire-password-123")


@pytest.fixture
def organiser_dina(campaign):
    return make_user("dina@example.org", campaign=campaign, role=Role.ORGANISER, password="dina-password-123")


@pytest.fixture
def moderator_marc(campaign):
    return make_user("marc@example.org", campaign=campaign, role=Role.MODERATOR, password="marc-password-123")


@pytest.fixture
def facilitator_fanny(campaign):
    return make_user("fanny@example.org", campaign=campaign, role=Role.FACILITATOR, password="fanny-password-123")


@pytest.fixture
def published_action(campaign):
    theme = Theme.objects.get(campaign=campaign, slug="mobilite")
    return action_create_published_by_system(
        campaign=campaign,
        title="Sécuriser la traversée devant l'école",
        summary="Un passage piéton surélevé et un feu pour les enfants qui vont à l'école.",
        body="Les voitures roulent **vite** le matin.",
        theme_id=theme.pk,
        place="Avenue Saint-Jérôme",
        origin=Origin.WORKSHOP,
    )
