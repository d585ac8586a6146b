"""The organiser's pages for households and letters (namespace "letters", under ``c/<slug>/``)."""

from django.urls import path

from . import views

app_name = "letters"
urlpatterns = [
    path("courriers/", views.tracking, name="tracking"),
    path("courriers/texte/", views.letter_settings, name="settings"),
    path("courriers/texte/apercu.pdf", views.letter_preview, name="preview"),
    path("courriers/lots/", views.batch_list, name="batches"),
    path("courriers/lots/<int:batch_id>/", views.batch_detail, name="batch"),
    path("courriers/lots/<int:batch_id>/progression/", views.batch_progress, name="batch_progress"),
    path("courriers/lots/<int:batch_id>/telecharger/", views.batch_download, name="batch_download"),
    path("courriers/lots/<int:batch_id>/poste/", views.batch_sent, name="batch_sent"),
    path("courriers/lots/<int:batch_id>/relancer/", views.batch_retry, name="batch_retry"),
    path("foyers/", views.household_list, name="households"),
    path("foyers/<int:household_id>/", views.household_detail, name="household"),
    path("foyers/<int:household_id>/reemettre/", views.household_reissue, name="household_reissue"),
    path("foyers/importer/", views.import_upload, name="import"),
    path("foyers/importer/<int:import_id>/", views.import_preview, name="import_preview"),
    path("foyers/importer/<int:import_id>/confirmer/", views.import_confirm, name="import_confirm"),
    path("foyers/<int:household_id>/modifier/", views.household_edit, name="household_edit"),
    path("foyers/<int:household_id>/secteur/", views.household_sector, name="household_sector"),
    path("foyers/<int:household_id>/supprimer/", views.household_delete, name="household_delete"),
    path("foyers/importer/<int:import_id>/annuler-l-import/", views.import_undo, name="import_undo"),
    path("foyers/importer/<int:import_id>/lignes-rejetees.csv", views.import_rejected, name="import_rejected"),
    path("foyers/exporter/", views.households_export, name="households_export"),
    path("foyers/rues/", views.street_rules, name="street_rules"),
    path("foyers/rues/<int:rule_id>/supprimer/", views.street_rule_delete, name="street_rule_delete"),
    path("foyers/rues/appliquer/", views.street_rules_apply, name="street_rules_apply"),
]
