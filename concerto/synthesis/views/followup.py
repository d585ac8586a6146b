"""followup pages (filled in by its part)."""

urlpatterns: list = []
