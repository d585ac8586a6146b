"""The campaign's key figures topic (``figures:<slug>``): any app whose writes change a figure says
so here; the dashboard, which composes the figures, registers the topic kind (its snapshot)."""

from concerto.core import live


def figures_topic(slug: str) -> str:
    return f"figures:{slug}"


def figures_changed(campaign) -> None:
    """After commit, the stream processes recompute the figures (one query per second at most per
    campaign and process, whatever the write rate): the write path pays one XADD, no query."""
    live.publish(figures_topic(campaign.slug))
