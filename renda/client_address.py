"""The address a request came from, as the login lock-out (django-axes) keys it.

Behind nginx every request arrives from 127.0.0.1; the client's address is then the one the trusted proxies
appended to X-Forwarded-For. Each trusted proxy appends the address it received the request from, so with
TRUSTED_PROXY_COUNT = n the client is the n-th entry from the right: anything further left was written by the
client itself and is ignored. With 0 (the default, no proxy) the header is never read.
"""

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote  # not through the expected proxies: the header cannot be trusted
    return hops[-count]
