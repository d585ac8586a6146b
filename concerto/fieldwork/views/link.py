"""Door-to-door views: link (see ../urls.py)."""

urlpatterns: list = []
