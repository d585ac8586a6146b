from django.urls import path

from . import views

app_name = "residents"
urlpatterns = [
    path("connexion/", views.sign_in, name="sign_in"),
    path("connexion/mot-de-passe/", views.sign_in_password, name="sign_in_password"),
    path("connexion/lien/<str:secret>/", views.sign_in_link, name="link"),
    path("deconnexion/", views.sign_out, name="sign_out"),
]
