"""Door-to-door views: app (see ../urls.py)."""

urlpatterns: list = []
