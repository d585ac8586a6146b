"""Volunteering pages (namespace "volunteering"), included under ``c/<slug:slug>/``."""

from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    path("volontaires/", views.volunteer_form, name="form"),
    path("volontaires/retrait/", views.volunteer_withdraw, name="withdraw"),
    path("volontaires/appel/", views.call_edit, name="call"),
    path("volontaires/liste/", views.volunteer_list, name="list"),
    path("volontaires/liste/volontaires.csv", views.volunteer_export, name="export"),
]
