import pytest

from concerto.demo.services import demo_delete, demo_load


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, committed for the module (it takes a few seconds to load), then removed, so other
    test modules never see it. Tests that change it take ``db`` too: their changes are rolled back."""
    with django_db_blocker.unblock():
        result = demo_load()
    yield result
    with django_db_blocker.unblock():
        demo_delete()
