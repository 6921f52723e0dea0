from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def favicon(request):
    """/favicon.ico, which browsers and feed readers ask for whatever the page links: the static file."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
