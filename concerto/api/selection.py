"""API endpoints for the selection app."""

from ninja import Router

router = Router(tags=["selection"])
