from django.http import HttpResponse
from django.urls import path

PAGE = "<!doctype html><html lang=fr><title>Concerto</title><p>Bonjour le quartier.</p></html>"


def hello(request):
    return HttpResponse(PAGE)


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [path("", hello), path("healthz", healthz)]
