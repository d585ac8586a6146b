from django.urls import path

from . import views

app_name = "residents"
urlpatterns = [
    path("connexion/", views.sign_in, name="sign_in"),
    path("connexion/mot-de-passe/", views.sign_in_password, name="sign_in_password"),
    path("connexion/lien/<str:secret>/", views.sign_in_link, name="link"),
    path("deconnexion/", views.sign_out, name="sign_out"),
    path("connexion/mot-de-passe/oublie/", views.password_reset, name="password_reset"),
    path("connexion/mot-de-passe/nouveau/<str:uidb64>/<str:reset_token>/", views.password_reset_confirm,
         name="password_reset_confirm"),
    path("moi/mot-de-passe/", views.password_change, name="password_change"),
    path("invitation/<str:invitation_token>/", views.team_accept, name="team_accept"),
    path("c/<slug:slug>/gestion/equipe/", views.team, name="team"),
    path("c/<slug:slug>/gestion/equipe/invitations/<int:invitation_id>/renvoyer/", views.team_resend,
         name="team_resend"),
    path("c/<slug:slug>/gestion/equipe/invitations/<int:invitation_id>/annuler/", views.team_revoke,
         name="team_revoke"),
    path("c/<slug:slug>/gestion/equipe/membres/<int:user_id>/retirer/", views.team_role_remove,
         name="team_role_remove"),
]
