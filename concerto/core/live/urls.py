from django.urls import path

from .views import stream

app_name = "live"
urlpatterns = [path("", stream, name="stream")]
