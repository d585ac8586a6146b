"""API: joining a campaign with a letter code."""

from ninja import Router

router = Router(tags=["joining"])
