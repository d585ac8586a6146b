from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Liveness and database reachability, for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db_ok = True
    except Exception:  # noqa: BLE001 - any failure means "database does not answer"
        db_ok = False
    return JsonResponse({"status": "ok" if db_ok else "degraded", "database": db_ok}, status=200)


def not_found(request, exception=None):
    from django.shortcuts import render

    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    from django.shortcuts import render

    return render(request, "errors/403.html", status=403)


def set_language(request):
    """Switch the interface language with a plain link (no form, so public pages carry no CSRF token)."""
    from django.conf import settings
    from django.http import HttpResponseRedirect

    from .http import safe_next

    language = request.GET.get("language", "")
    response = HttpResponseRedirect(safe_next(request, request.GET.get("next"), "/"))
    if language in {code for code, _name in settings.LANGUAGES}:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax",
            secure=request.is_secure(), httponly=True,
        )
    return response
