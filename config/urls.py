from django.urls import include, path

from concerto.api.urls import api
from concerto.core.views import healthz, set_language
from concerto.fieldwork.urls import root_urlpatterns as fieldwork_root_urls
from concerto.workshops.urls import room_urlpatterns as workshop_room_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("langue/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    # Live updates: the proxy routes this prefix to the ASGI stream process (docs/live.md).
    path("flux/", include("concerto.core.live.urls")),
    path("", include("concerto.residents.urls")),
    path("", include("concerto.dashboard.urls")),
    path("", include("concerto.joining.urls")),
    path("c/<slug:slug>/", include("concerto.proposals.urls")),
    path("c/<slug:slug>/", include("concerto.letters.urls")),
    path("c/<slug:slug>/", include("concerto.selection.urls")),
    path("c/<slug:slug>/", include("concerto.volunteers.urls")),
    path("c/<slug:slug>/", include("concerto.workshops.urls")),
    path("c/<slug:slug>/", include("concerto.fieldwork.urls")),
    path("c/<slug:slug>/", include("concerto.live_event.urls")),
    path("c/<slug:slug>/", include("concerto.synthesis.urls")),
    path("", include((workshop_room_urls, "workshop_room"))),
    path("", include((fieldwork_root_urls, "fieldwork_root"))),
]
handler404 = "concerto.core.views.not_found"
handler403 = "concerto.core.views.forbidden"
