from django.contrib.sitemaps import Sitemap

from issues.models import Issue, Piece


class IssueSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.8

    def items(self):
        return Issue.objects.published().order_by("-date")

    def lastmod(self, item):
        return item.updated_at


class ArticleSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.5

    def items(self):
        return Piece.objects.published().articles().only("pk", "kind", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"issues": IssueSitemap, "articles": ArticleSitemap}
