from django.contrib.sitemaps.views import sitemap
from django.urls import path

from issues import views
from issues.feeds import IssueFeed
from issues.sitemaps import SITEMAPS

app_name = "issues"

urlpatterns = [
    path("", views.home, name="home"),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:year>/", views.archive, name="archive_year"),
    path("issues/<int:year>/<str:kind>/<int:number>/", views.issue_detail, name="issue"),
    path("issues/<int:year>/<str:kind>/<int:number>/pdf/", views.issue_pdf, name="issue_pdf"),
    path("articles/", views.pieces, name="pieces"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("briefs/<int:pk>/", views.brief_detail, name="brief"),
    path("search/", views.pieces, name="search"),
    path("feed/", views.cached_for_readers(IssueFeed()), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("preview/issues/<int:pk>/", views.preview_issue, name="preview"),
    path("preview/issues/<int:pk>/pdf/", views.preview_issue_pdf, name="preview_pdf"),
]
