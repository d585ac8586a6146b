from django.urls import path

from . import views, views_campaigns

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("moi/", views.me, name="me"),
    path("moi/profil/", views.me_profile, name="me_profile"),
    path("moi/jetons/", views.me_token_create, name="me_token_create"),
    path("moi/jetons/<int:token_id>/revoquer/", views.me_token_revoke, name="me_token_revoke"),
    path("moi/donnees.json", views.me_export, name="me_export"),
    path("moi/supprimer/", views.me_delete, name="me_delete"),
    path("c/<slug:slug>/", views.campaign_home, name="campaign_home"),
    path("c/<slug:slug>/journal/", views.campaign_journal_view, name="journal"),
    # The campaign back office (views_campaigns.py) and each campaign's public notices.
    path("gestion/campagnes/", views_campaigns.campaigns_manage, name="campaigns_manage"),
    path("gestion/campagnes/nouvelle/", views_campaigns.campaign_new, name="campaign_new"),
    path("c/<slug:slug>/gestion/", views_campaigns.campaign_edit, name="campaign_edit"),
    path("c/<slug:slug>/gestion/archiver/", views_campaigns.campaign_archive, name="campaign_archive"),
    path("c/<slug:slug>/gestion/restaurer/", views_campaigns.campaign_restore, name="campaign_restore"),
    path("c/<slug:slug>/gestion/consentement/", views_campaigns.campaign_consent, name="campaign_consent"),
    path("c/<slug:slug>/gestion/lancement/", views_campaigns.campaign_checklist_view, name="campaign_checklist"),
    path("c/<slug:slug>/mentions-legales/", views_campaigns.campaign_legal_notice, name="campaign_legal_notice"),
    path("c/<slug:slug>/confidentialite/", views_campaigns.campaign_privacy_notice, name="campaign_privacy_notice"),
]
