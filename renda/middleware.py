import logging
import time

logger = logging.getLogger("renda.request")


class RequestLogMiddleware:
    """One line per request: method, path, status, user, duration in milliseconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user = getattr(request, "user", None)
        username = user.get_username() if user is not None and user.is_authenticated else "-"
        fields = {
            "event": "request",
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "user": username,
            "duration_ms": duration_ms,
        }
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s %s user=%s %.1fms",
            request.method,
            request.path,
            response.status_code,
            username,
            duration_ms,
            extra=fields,
        )
        return response
