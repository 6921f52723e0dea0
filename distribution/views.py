from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from distribution import services
from distribution.forms import SubscribeForm
from distribution.models import Subscriber


@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.subscribe(form.cleaned_data["email"], form.cleaned_data["name"])
        # The same answer whatever the address's state: the page tells nobody who is on the list.
        return render(request, "distribution/subscribe_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "distribution/subscribe.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (a link scanner opening the mail confirms nobody: double opt-in); POST confirms."""
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        raise Http404
    if request.method == "POST":
        subscriber = services.confirm(token)
    elif subscriber.status == Subscriber.Status.PENDING:
        return render(request, "distribution/confirm.html", {"subscriber": subscriber})
    return render(request, "distribution/confirmed.html", {"subscriber": subscriber})


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` without a form of ours
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a button (link scanners must not unsubscribe anyone); POST, from it or a mail client, unsubscribes."""
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        raise Http404
    if request.method == "POST":
        services.unsubscribe(token)
        return render(request, "distribution/unsubscribed.html", {"subscriber": subscriber})
    return render(request, "distribution/unsubscribe.html", {"subscriber": subscriber})
