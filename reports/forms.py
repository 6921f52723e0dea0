import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_ckeditor_5.widgets import CKEditor5Widget

from issues.models import Section
from reports import extensions, uploads
from reports.models import SECRECY_DECLARATION, Attachment, Comment, Report, StatusMoved, TransitionError
from reports.sanitize import body_has_content, clean_html


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content in `clean`."""

    widget = MultipleFileInput
    default_error_messages = {
        "empty": "所选的文件中有空文件（0 字节），请重新选择。其余内容已保留，请重新选择附件后再保存。"
    }

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class AlreadyCreated(Exception):
    """The same new-report form was sent twice (a double click): the report its first sending created."""

    def __init__(self, report: Report):
        super().__init__(report.pk)
        self.report = report


class ReportForm(forms.ModelForm):
    """A unit's report. The body is sanitised on the way in, and also before a bound form shows it again.

    Two hidden fields make a save safe to repeat and to race: the status the unit saw when the page was loaded
    (a save is refused if the report moved since), and, on a new report, a one-time token (the same form sent
    twice creates one report).
    """

    attachments = MultipleFileField(
        label="附件",
        required=False,
        help_text="可选多个：照片（JPG、PNG）、Word（.docx）或 PDF，单个不超过 {} MB。",
    )
    seen_status = forms.ChoiceField(choices=Report.Status.choices, required=False, widget=forms.HiddenInput)
    form_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    secrecy_declared = forms.BooleanField(
        label=SECRECY_DECLARATION,
        required=False,
        help_text="报送研究室时须确认；声明同样适用于所附文件。",
    )

    class Meta:
        model = Report
        fields = ["title", "body", "authors", "phone", "suggested_section"]
        widgets = {
            "body": CKEditor5Widget(config_name="default"),
            "title": forms.TextInput(attrs={"size": 60, "autocomplete": "off"}),
        }
        error_messages = {"title": {"required": "请填写标题。"}}
        help_texts = {
            "title": "如“上城区：……”，与刊物标题写法一致",
            "authors": "多位作者以空格分隔，如“蔡静 李兴军”",
            "phone": "便于编辑联系核实",
            "body": "可直接粘贴 Word 中的文字；图片用工具栏的“插入图片”按钮上传。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # CKEditor only ever loads sanitised HTML: what was stored, and what an invalid post shows again.
        self.initial["body"] = clean_html(self.initial.get("body") or "")
        if self.is_bound and "body" in self.data:
            self.data = self.data.copy()
            self.data["body"] = clean_html(self.data["body"])
        self.fields["suggested_section"].queryset = Section.objects.filter(is_active=True)
        self.fields["suggested_section"].empty_label = "（不指定）"
        self.fields["attachments"].help_text = self.fields["attachments"].help_text.format(
            settings.REPORT_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        )
        self.initial.setdefault("seen_status", self.instance.status)
        if self.instance.pk is None:
            self.initial.setdefault("form_token", uuid.uuid4())
        for extension in extensions.report_form:
            extension.contribute(self)

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_authors(self):
        return " ".join(self.cleaned_data["authors"].split())

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and not cleaned.get("seen_status"):
            # Every edit page sends the status it showed; without it a save could overwrite a decision unseen.
            raise ValidationError("页面已过期，请刷新后再保存（刷新前可先复制您填写的内容）。")
        return cleaned

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        existing = self.instance.attachments.count() if self.instance.pk else 0
        if existing + len(files) > settings.REPORT_MAX_ATTACHMENTS:
            raise ValidationError(f"每篇信息最多 {settings.REPORT_MAX_ATTACHMENTS} 个附件。")
        errors = []
        for upload in files:
            try:
                upload.checked_kind = uploads.check_upload(
                    upload, allowed=uploads.ATTACHMENT_KINDS, max_bytes=settings.REPORT_ATTACHMENT_MAX_BYTES
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError([*errors, "其余内容已保留，请重新选择附件后再保存。"])
        return files

    def save_checked(
        self, user, *, move_to: str | None = None, secrecy_declared: bool = False, word_file=None
    ) -> Report:
        """Save the fields this form owns and its attachments, and move it on (`move_to`: the unit's next step, or
        the 研究室) if asked, in one transaction. `word_file` (a stashed Word import, docx_import.unstash) is
        attached with the others, within the attachments limit.

        An existing report is saved under the row lock `Report.transition` takes, and only if its status is still
        the one the unit saw (StatusMoved otherwise) and still editable: a slow save cannot overwrite an editor's
        decision made meanwhile, and a second sending of the same form cannot submit twice.
        """
        report = self.instance
        with transaction.atomic():
            if report.pk is None:
                report.creation_token = self.cleaned_data.get("form_token")
                try:
                    with transaction.atomic():
                        report.save()
                except IntegrityError:
                    if report.creation_token is None:
                        raise
                    raise AlreadyCreated(
                        Report.objects.get(creation_token=report.creation_token, unit=report.unit)
                    ) from None
            else:
                status = Report.objects.select_for_update().values_list("status", flat=True).get(pk=report.pk)
                seen = self.cleaned_data["seen_status"]
                if status != seen:
                    raise StatusMoved(Report.Status(status), Report.Status(seen))
                if status not in Report.EDITABLE:
                    raise TransitionError(f"该信息当前为“{Report.Status(status).label}”，不能修改。")
                report.status = status
                report.save(update_fields=[*self._meta.fields, "updated_at"])
            for extension in extensions.report_form:
                extension.save(self, report)
            for upload in self.cleaned_data["attachments"]:
                Attachment.store(report, upload, user)
            if word_file is not None and report.attachments.count() < settings.REPORT_MAX_ATTACHMENTS:
                Attachment.store(report, word_file, user)
            if move_to:
                report.transition(
                    move_to, by=user, as_editor=False, expected=report.status, secrecy_declared=secrecy_declared
                )
        return report

    def check_ready_to_submit(self, *, needs_declaration: bool = False) -> bool:
        """Submitting needs a body with text or an image, and (when it goes to the 研究室) the 保密 declaration;
        adds form errors and returns False otherwise. Report.transition refuses the same on every path; checking
        here too shows it on the field, before anything is saved."""
        ready = True
        if not body_has_content(self.cleaned_data.get("body", "")):
            self.add_error("body", "报送前请填写正文。")
            ready = False
        if needs_declaration and not self.cleaned_data.get("secrecy_declared"):
            self.add_error("secrecy_declared", "报送研究室前请勾选保密声明。")
            ready = False
        return ready


class ReviewForm(forms.Form):
    """A reviewer's or the unit's 签发人's decision on a report waiting at their step."""

    DECISIONS = {"approve": "通过", "return": "退回修改"}
    STALE = "页面已过期，请刷新后再处理。"
    decision = forms.ChoiceField(choices=list(DECISIONS.items()), error_messages={"required": "请选择通过或退回。"})
    comment = forms.CharField(
        required=False, max_length=2000, error_messages={"max_length": "意见最多 2000 字，请精简后再提交。"}
    )
    secrecy_declared = forms.BooleanField(required=False)
    # What the page showed: the step, and the text and files reviewed (Report.content_signature).
    seen_status = forms.ChoiceField(choices=Report.Status.choices, error_messages={"required": STALE})
    seen_content = forms.CharField(max_length=64, error_messages={"required": STALE})

    def first_error(self) -> str:
        for name in ("decision", "seen_status", "seen_content", "comment"):
            if name in self.errors:
                return self.errors[name][0]
        return "请选择通过或退回。"


class DocxImportForm(forms.Form):
    use_required_attribute = False  # the same form also saves and submits, without a file
    docx = forms.FileField(
        label="从 Word 导入", help_text="选择 .docx 文件，标题和正文（含图片）将填入下方，请核对后再报送。"
    )

    def clean_docx(self):
        upload = self.cleaned_data["docx"]
        uploads.check_upload(upload, allowed=(uploads.DOCX,), max_bytes=settings.REPORT_DOCX_MAX_BYTES)
        return upload


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": "留言"}
        error_messages = {"body": {"required": "请填写留言内容。"}}
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "placeholder": "给编辑（或报送单位）的留言"})}

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError("请填写留言内容。")
        return body
