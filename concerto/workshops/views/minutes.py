"""minutes views."""

urlpatterns: list = []
room_urlpatterns: list = []
