from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import checks


@checks.register(checks.Tags.security)
def ckeditor_bundle_is_ours(app_configs, **kwargs):
    """The package's own CKEditor (47.5.0) has XSS advisories: refuse to run if our build does not override it."""
    found = finders.find("django_ckeditor_5/dist/bundle.js")
    ours = settings.BASE_DIR / "static" / "django_ckeditor_5" / "dist" / "bundle.js"
    if found and str(found) == str(ours):
        return []
    return [
        checks.Error(
            "The project's CKEditor build is missing; django-ckeditor-5's vulnerable bundle would be served.",
            hint="Run `make install` (npm ci + node ckeditor/build.mjs).",
            id="reports.E001",
        )
    ]
