"""Door-to-door views: devices (see ../urls.py)."""

urlpatterns: list = []
root_urlpatterns: list = []
