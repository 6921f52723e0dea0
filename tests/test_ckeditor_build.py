"""The site must serve our CKEditor build, never the package's bundled 47.5.0 with its XSS advisories."""

from reports import checks


def test_check_passes_with_our_build():
    assert checks.ckeditor_bundle_is_ours(None) == []


def test_check_fails_when_the_package_bundle_would_be_served(monkeypatch):
    monkeypatch.setattr(
        checks.finders, "find", lambda path: "/site-packages/django_ckeditor_5/static/django_ckeditor_5/dist/bundle.js"
    )
    assert [error.id for error in checks.ckeditor_bundle_is_ours(None)] == ["reports.E001"]


def test_upload_view_and_types_are_the_portals(settings):
    assert settings.CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME == "reports:upload_image"
    config = settings.CKEDITOR_5_CONFIGS["default"]
    assert config["language"] == "zh-cn"
    assert not {"sourceEditing", "htmlEmbed", "style", "mediaEmbed"} & set(config["toolbar"]["items"])
