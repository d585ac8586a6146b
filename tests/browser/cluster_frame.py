"""A stand-in for the wall pages while the ``room`` part builds them: the site's URLs plus one
page that frames the cluster and vote partials exactly as the contract says (``#wall-live`` with
``data-wall-version``, ``_panel_<phase>`` for facilitators, ``_seat_<phase>`` for participants, the
results partial once the vote is closed). Used only by tests/browser/test_workshop_cluster_vote.py,
through the settings module ``tests.browser.cluster_frame_settings``."""

from django.http import Http404
from django.template import engines
from django.urls import path

from concerto.campaigns.selectors import campaign_get
from concerto.workshops import rules, selectors
from concerto.workshops.views.common import seat_of
from concerto.workshops.views.panels import phase_context
from config.urls import urlpatterns as site_urlpatterns

FRAME = engines["django"].from_string("""{% extends "base.html" %}
{% block title %}{{ workshop.title }}{% endblock %}
{% block content %}
<h1>{{ workshop.title }}</h1>
<div id="wall-live" data-wall-version="{{ workshop.version }}">
  {% if runner %}{% include panel %}{% else %}{% include seat_template %}{% endif %}
  {% if vote_results.visible %}{% include "workshops/_vote_results.html" %}{% endif %}
</div>
{% endblock %}""")


def frame(request, slug, workshop_id):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_get(campaign, workshop_id)
    runner = rules.can_run_workshop(request.user, workshop)
    seat = seat_of(request, workshop)
    if not runner and seat is None:
        raise Http404
    context = {"workshop": workshop, "campaign": campaign, "runner": runner,
               "panel": f"workshops/wall/_panel_{workshop.phase}.html",
               "seat_template": f"workshops/wall/_seat_{workshop.phase}.html",
               "vote_results": selectors.vote_results(workshop),
               **phase_context(request, workshop, seat=seat, runner=runner)}
    from django.http import HttpResponse

    return HttpResponse(FRAME.render(context, request))


urlpatterns = [path("c/<slug:slug>/ateliers/<int:workshop_id>/cadre-de-test/", frame), *site_urlpatterns]
handler404 = "concerto.core.views.not_found"
handler403 = "concerto.core.views.forbidden"
