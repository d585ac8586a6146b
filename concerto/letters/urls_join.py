"""Joining with a letter code and signing in with code + PIN (namespace "joining")."""

from django.urls import path  # noqa: F401

app_name = "joining"
urlpatterns: list = []
