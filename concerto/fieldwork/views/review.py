"""Door-to-door views: review (see ../urls.py)."""

urlpatterns: list = []
