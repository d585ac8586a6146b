from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("actions/", views.action_list, name="list"),
    path("actions/<int:action_id>/", views.action_detail, name="detail"),
    path("actions/<int:action_id>/soutien/", views.action_support, name="support"),
    path("actions/<int:action_id>/commentaires/", views.comment_create, name="comment"),
    path("commentaires/<int:comment_id>/signaler/", views.comment_report, name="report"),
    path("actions/<int:action_id>/retirer/", views.contribution_withdraw, name="withdraw"),
    path("proposer/", views.contribution_create, name="propose"),
    path("proposer/deja-propose/", views.contribution_similar, name="similar"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/actions/<int:action_id>/", views.moderate_action, name="moderate_action"),
    path("moderation/actions/<int:action_id>/fusion/", views.moderation_merge, name="moderation_merge"),
    path("moderation/actions/<int:action_id>/modifier/", views.moderation_edit, name="moderation_edit"),
    path("moderation/commentaires/<int:comment_id>/", views.moderate_comment, name="moderate_comment"),
]
