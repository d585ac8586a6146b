"""API endpoints for the letters app."""

from ninja import Router

router = Router(tags=["letters"])
