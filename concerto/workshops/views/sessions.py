"""sessions views."""

urlpatterns: list = []
room_urlpatterns: list = []
