from django.contrib import admin
from django.db.models import Count
from django.utils.html import strip_tags

from issues.models import Article, Brief, Issue, Section


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active", "article_count"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="文章数", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


class ArticleInline(admin.TabularInline):
    model = Article
    fields = ["position", "section", "title", "unit", "authors"]
    autocomplete_fields = ["unit"]
    extra = 0
    show_change_link = True


class BriefInline(admin.TabularInline):
    model = Brief
    fields = ["position", "unit", "authors"]
    autocomplete_fields = ["unit"]
    extra = 0
    show_change_link = True


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "year", "number", "total_number", "date", "status", "article_count"]
    list_filter = ["status", "kind", "year"]
    search_fields = ["articles__title", "responsible_editor"]
    date_hierarchy = "date"
    inlines = [ArticleInline, BriefInline]
    fieldsets = [
        (None, {"fields": ["kind", "year", "number", "total_number", "date", "status", "published_at"]}),
        ("版记", {"fields": ["send_to", "recipients", "responsible_editor", "phone", "submission_url"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles", distinct=True))

    @admin.display(description="文章数", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


class PieceAdmin(admin.ModelAdmin):
    """What the article and brief lists share: who wrote it, where it appeared, full-text search."""

    list_filter = ["issue__kind", "issue__year", "unit__district", "issue__status"]
    search_fields = ["body", "unit__name", "authors"]
    list_select_related = ["issue", "unit"]
    autocomplete_fields = ["unit"]
    raw_id_fields = ["issue", "report"]

    @admin.display(description="摘要")
    def excerpt(self, obj):
        text = strip_tags(obj.body)
        return text[:40] + ("…" if len(text) > 40 else "")


@admin.register(Article)
class ArticleAdmin(PieceAdmin):
    list_display = ["title", "issue", "section", "unit", "authors", "position"]
    list_filter = ["section", *PieceAdmin.list_filter]
    search_fields = ["title", *PieceAdmin.search_fields]
    list_select_related = [*PieceAdmin.list_select_related, "section"]
    fields = ["issue", "section", "position", "title", "body", "unit", "authors", "report"]


@admin.register(Brief)
class BriefAdmin(PieceAdmin):
    list_display = ["excerpt", "issue", "unit", "authors", "position"]
    fields = ["issue", "position", "body", "unit", "authors", "report"]
