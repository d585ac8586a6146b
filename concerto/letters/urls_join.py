"""Joining with a letter code and signing in with code + PIN (namespace "joining")."""

from django.urls import path

from . import join_views

app_name = "joining"
urlpatterns = [
    path("c/<slug:slug>/rejoindre/", join_views.join, name="join"),
    path("connexion/code/", join_views.pin_sign_in, name="pin_sign_in"),
]
