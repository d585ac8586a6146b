"""Joining with a letter code and signing in with code + PIN (namespace "joining")."""

from django.urls import path

from . import views

app_name = "joining"
urlpatterns = [
    path("c/<slug:slug>/rejoindre/", views.join, name="join"),
    path("c/<slug:slug>/rejoindre/lien/<str:secret>/", views.join_link, name="join_link"),
    path("connexion/code/", views.pin_sign_in, name="pin_sign_in"),
    path("c/<slug:slug>/gestion/pin/", views.pin_reset, name="pin_reset"),
]
