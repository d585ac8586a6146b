"""API: volunteers (organisers only)."""

from ninja import Router

router = Router(tags=["volunteers"])
