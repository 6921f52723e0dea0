from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from issues.models import Correction, Issue, Piece


class IssueFeed(Feed):
    """Atom feed of the published issues, newest first. Drafts never appear."""

    feed_type = Atom1Feed
    title = "杭州人大信息"
    subtitle = "杭州市人大常委会研究室编"
    link = reverse_lazy("issues:archive")
    author_name = "杭州市人大常委会研究室"

    def items(self):
        titles = Prefetch("piece_set", queryset=Piece.objects.articles().only("issue_id", "kind", "title", "position"))
        corrections = Prefetch("corrections", queryset=Correction.objects.order_by("made_at"))
        return Issue.objects.published().prefetch_related(titles, corrections).order_by("-date", "-published_at")[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        """The articles' titles, after the notices of any corrections. Atom carries a description as HTML
        (`<summary type="html">`): titles and notices are text, so they are escaped for it; a feed reader must show
        `<img …>` in a title as those characters."""
        titles = "；".join(article.title for article in item.articles())
        notices = [correction.notice for correction in item.corrections.all()]
        return escape("\n".join([*notices, titles]) if notices else titles)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        """Changed by a correction (its time) or any later edit of the issue."""
        made = [correction.made_at for correction in item.corrections.all()]
        return max([item.updated_at, *made])
