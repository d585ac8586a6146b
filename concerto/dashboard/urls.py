from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("moi/", views.me, name="me"),
    path("moi/profil/", views.me_profile, name="me_profile"),
    path("moi/jetons/", views.me_token_create, name="me_token_create"),
    path("moi/jetons/<int:token_id>/revoquer/", views.me_token_revoke, name="me_token_revoke"),
    path("moi/donnees/", views.me_data, name="me_data"),
    path("moi/donnees.json", views.me_export, name="me_export"),
    path("moi/supprimer/", views.me_delete, name="me_delete"),
    path("c/<slug:slug>/", views.campaign_home, name="campaign_home"),
    path("c/<slug:slug>/journal/", views.campaign_journal_view, name="journal"),
]
