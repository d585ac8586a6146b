from django.urls import path

from . import views, views_calendar, views_campaigns, views_participation

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
    # The calendar, themes and sectors of a campaign (organisers): views_calendar.py.
    path("c/<slug:slug>/gestion/calendrier/", views_calendar.calendar, name="calendar"),
    path("c/<slug:slug>/gestion/calendrier/<int:phase_id>/", views_calendar.phase_edit, name="phase_edit"),
    path("c/<slug:slug>/gestion/calendrier/<int:phase_id>/supprimer/", views_calendar.phase_delete,
         name="phase_delete"),
    path("c/<slug:slug>/gestion/themes/", views_calendar.themes, name="themes"),
    path("c/<slug:slug>/gestion/themes/<int:theme_id>/", views_calendar.theme_edit, name="theme_edit"),
    path("c/<slug:slug>/gestion/themes/<int:theme_id>/deplacer/", views_calendar.theme_move, name="theme_move"),
    path("c/<slug:slug>/gestion/themes/<int:theme_id>/supprimer/", views_calendar.theme_delete,
         name="theme_delete"),
    path("c/<slug:slug>/gestion/secteurs/", views_calendar.sectors, name="sectors"),
    path("c/<slug:slug>/gestion/secteurs/<int:sector_id>/", views_calendar.sector_edit, name="sector_edit"),
    path("c/<slug:slug>/gestion/secteurs/<int:sector_id>/supprimer/", views_calendar.sector_delete,
         name="sector_delete"),
    # The participation dashboard (organisers), its public summary, an action's trace: views_participation.py.
    path("c/<slug:slug>/tableau-de-bord/participation/", views_participation.participation_organisers,
         name="participation"),
    path("c/<slug:slug>/participation/", views_participation.participation_public, name="participation_public"),
    path("c/<slug:slug>/actions/<int:action_id>/parcours/", views_participation.action_trace_view, name="action_trace"),
]
