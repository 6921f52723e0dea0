from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from renda.health import health
from renda.views import favicon
from reports import views as report_views

admin.site.site_header = "杭州人大信息 编辑系统"
admin.site.site_title = "杭州人大信息"
admin.site.index_title = "编辑工作台"

urlpatterns = [
    path("health/", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("submit/stats/", report_views.unit_stats, name="unit_stats"),
    path("accounts/", include("reports.accounts_urls")),
    path("submit/", include("network.urls")),
    path("submit/", include("reports.urls")),
    path("subscribe/", include("distribution.urls")),
    path("", include("issues.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
