"""What the distribution adds to every page: the public footer's 邮件订阅 link (templates/base.html shows the
`footer_links` it is given, and so needs no URL of this app: without it the link is simply not there)."""

from django.urls import reverse


def footer_links(request):
    return {"footer_links": [("邮件订阅", reverse("distribution:subscribe"))]}
