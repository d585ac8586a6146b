"""Door-to-door views: link (see ../urls.py).

A resident who joined online with their household's letter code is asked on the campaign home
(``dashboard.views.campaign_home`` reads ``selectors.link_candidates``) whether a door or paper
participation of their household was theirs. These two forms answer it: « Oui, c'est moi » links
it (``services.participation_link``: one support per action, the offline account closed), « Non,
c'était quelqu'un d'autre de mon foyer » stops asking them. Anything not of their own household,
already linked or unknown answers 404 (the one refusal rule). Plain POST forms, no JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concerto.campaigns.selectors import campaign_get

from .. import services


def _home(campaign):
    return redirect(reverse("dashboard:campaign_home", args=[campaign.slug]) + "#link-title")


@login_required
@require_POST
def link_confirm(request, slug, participation_id):
    campaign = campaign_get(slug)
    services.participation_link(user=request.user, campaign=campaign, participation_id=participation_id)
    messages.success(request, _("Thank you: what you said then is now in your account. An action you had "
                                "supported twice counts once."))
    return _home(campaign)


@login_required
@require_POST
def link_dismiss(request, slug, participation_id):
    campaign = campaign_get(slug)
    services.participation_link_dismiss(user=request.user, campaign=campaign, participation_id=participation_id)
    messages.success(request, _("Noted: we will not ask you again. It stays counted as another person of your "
                                "household."))
    return _home(campaign)


urlpatterns: list = [
    path("terrain/rencontre/<int:participation_id>/c-est-moi/", link_confirm, name="link_confirm"),
    path("terrain/rencontre/<int:participation_id>/pas-moi/", link_dismiss, name="link_dismiss"),
]
