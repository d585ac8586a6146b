"""Selection pages under ``c/<slug>/`` (namespace "selection")."""

from django.urls import path

from . import views

app_name = "selection"
urlpatterns = [
    path("selections/", views.selection_list, name="list"),
    path("selections/nouvelle/", views.selection_create, name="create"),
    path("selections/reponse/", views.seat_answer, name="answer"),
    path("selections/<int:selection_id>/", views.selection_detail, name="detail"),
    path("selections/<int:selection_id>/selection.json", views.selection_json, name="audit_json"),
    path("selections/<int:selection_id>/verify.py", views.verify_script, name="verify_script"),
    path("selections/<int:selection_id>/gestion/", views.selection_manage, name="manage"),
    path("selections/<int:selection_id>/modifier/", views.selection_edit, name="edit"),
    path("selections/<int:selection_id>/calculer/", views.selection_compute, name="compute"),
    path("selections/<int:selection_id>/progression/", views.selection_progress, name="progress"),
    path("selections/<int:selection_id>/arreter/", views.selection_cancel, name="cancel"),
    path("selections/<int:selection_id>/assouplir/", views.selection_relax, name="relax"),
    path("selections/<int:selection_id>/publier/", views.selection_publish, name="publish"),
    path("selections/<int:selection_id>/annoncer/", views.selection_announce, name="announce"),
    path("selections/<int:selection_id>/tirer/", views.selection_draw, name="draw"),
    path("selections/<int:selection_id>/places/<int:seat_id>/remplacer/", views.seat_replace, name="replace"),
    path("selections/<int:selection_id>/prevenir/", views.selection_notify, name="notify"),
    path("selections/<int:selection_id>/courriers.pdf", views.letters_pdf, name="letters_pdf"),
    path("selections/<int:selection_id>/message/", views.selection_message, name="message"),
    path("selections/<int:selection_id>/panel-des-ateliers/", views.selection_workshop_panel, name="workshop_panel"),
    path("selections/<int:selection_id>/archiver/", views.selection_archive, name="archive"),
    path("selections/<int:selection_id>/supprimer/", views.selection_delete, name="delete"),
    path("selections/<int:selection_id>/suis-je-tire/", views.selection_lookup, name="lookup"),
]
