from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from reports.models import Contributor, Profile, Report


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "district", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["district", "is_active"]
    search_fields = ["name", "short_name"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "status", "created_at"]
    list_filter = ["status", "unit__district"]
    search_fields = ["title", "body", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["unit"]


admin.site.unregister(User)


@admin.register(User)
class RendaUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = [
        "username",
        "last_name",
        "first_name",
        "profile__role",
        "profile__unit",
        "is_staff",
        "is_active",
    ]
    list_filter = ["profile__role", "is_staff", "is_active"]
    list_select_related = ["profile__unit"]
