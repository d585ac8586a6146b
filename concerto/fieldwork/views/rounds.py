"""Door-to-door views: rounds (see ../urls.py)."""

urlpatterns: list = []
