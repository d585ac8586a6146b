"""Door-to-door views: paper (see ../urls.py)."""

urlpatterns: list = []
