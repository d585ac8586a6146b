"""The ``figures:<slug>`` live topic: the campaign home's key figures (``campaign_home_figures``).

Writes that change a figure publish a bare "changed" notice (``campaigns.live.figures_changed``);
each stream process recomputes the figures at most once per LIVE_REFRESH_SECONDS."""

from concerto.campaigns.selectors import campaign_get
from concerto.core import live
from concerto.core.errors import NotFound

from .selectors import campaign_home_figures


def authorize(user, ident: str) -> bool:
    # The campaign home is public: any existing campaign's figures may be watched.
    try:
        campaign_get(ident)
    except NotFound:
        return False
    return True


def snapshot(ident: str) -> dict:
    return campaign_home_figures(campaign_get(ident))


def register() -> None:
    live.register("figures", authorize=authorize, snapshot=snapshot)
