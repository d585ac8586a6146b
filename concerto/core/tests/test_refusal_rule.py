"""The one refusal rule: a view's uncaught NotFound is the 404 page, a NotAllowed the 403 page with its reason."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed, NotFound
from concerto.core.http import require
from concerto.core.middleware import DomainErrorMiddleware


class ClosedForNow(NotAllowed):
    code = "closed_for_now"
    message = _("Participation is not open in this campaign at the moment.")


def _answer(exception):
    request = RequestFactory().get("/c/x/")
    request.user = AnonymousUser()
    with translation.override("en"):
        return DomainErrorMiddleware(lambda r: None).process_exception(request, exception)


def test_require_lets_an_allowed_request_through_and_refuses_with_not_found_by_default():
    require(True)
    with pytest.raises(NotFound):
        require(False)
    with pytest.raises(ClosedForNow):
        require(False, ClosedForNow)


@pytest.mark.django_db
def test_a_not_found_from_a_view_is_the_404_page():
    response = _answer(NotFound())
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_a_refusal_on_a_public_page_is_a_403_that_shows_its_reason():
    response = _answer(ClosedForNow())
    assert response.status_code == 403
    assert "Participation is not open in this campaign at the moment." in response.content.decode()


def test_other_domain_errors_stay_the_views_to_show():
    assert _answer(Invalid()) is None
