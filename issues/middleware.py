"""Readers' copies of the public pages, served before the session, authentication, CSRF and messages machinery
runs: a cached page costs about what a trivial view does.

A view opts in with `issues.views.cached_for_readers`; nothing else is looked up. A copy is served and stored only
for a GET without a session or messages cookie (editors, who also see drafts, and units always get a fresh page)
whose query parameters are all ones the view reads, and only a 200 answer that sets no cookie is stored. The key
holds the published state (`issues.views.published_state`), which changes when any published issue is published,
corrected or withdrawn: the next request renders afresh.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve

READER_PAGE_SECONDS = 5 * 60
#: Headers the outer middleware (security, CSP, the request log) add again on the way out.
_NOT_STORED = {"content-length", "content-security-policy", "content-security-policy-report-only"}


def _reader_key(request) -> str | None:
    """The cache key of this request's page, or None when it is not one readers share (or not a reader's)."""
    if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return None
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    if not getattr(match.func, "reader_cacheable", False):
        return None  # /health/, the admin, the portal: never looked up, never stored
    if not match.func.reader_params.issuperset(request.GET):
        return None  # a parameter the view does not read (see `cached_for_readers`)
    from issues.views import published_state

    address = f"{request.build_absolute_uri()}|{published_state()}"
    return "reader-page:" + hashlib.sha256(address.encode()).hexdigest()


class ReaderPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _reader_key(request)
        if key is not None and (cached := cache.get(key)) is not None:
            content, headers = cached
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if key is not None and response.status_code == 200 and not response.streaming and not response.cookies:
            headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_STORED]
            cache.set(key, (response.content, headers), READER_PAGE_SECONDS)
        return response
