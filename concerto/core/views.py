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
