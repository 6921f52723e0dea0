from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from network.models import Call, Circular, Instruction
from reports import uploads
from reports.models import District

DOCUMENT_KINDS = (uploads.PDF, uploads.DOCX)


class CallAdminForm(forms.ModelForm):
    """A call as the editor writes it: the districts asked as checkboxes, the 报送要点 file checked by content."""

    districts = forms.MultipleChoiceField(
        label="指定区县",
        required=False,
        choices=[(d.value, d.label) for d in District if d is not District.CITY],
        widget=forms.CheckboxSelectMultiple,
        help_text="约稿对象为指定时：所选区县的全部单位（含以后新增的单位）",
    )
    document_upload = forms.FileField(
        label="上传报送要点文件",
        required=False,
        help_text="可选，PDF 或 Word（.docx）；按文件内容检查，上传后替换原文件",
    )
    remove_document = forms.BooleanField(label="删除报送要点文件", required=False)

    class Meta:
        model = Call
        fields = [
            "topic",
            "guidance",
            "deadline",
            "section",
            "audience",
            "target_units",
            "quota_count",
            "quota_scope",
            "remind_days_before",
        ]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 6, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["districts"] = self.instance.district_codes()

    def clean_document_upload(self):
        upload = self.cleaned_data.get("document_upload")
        if upload:
            upload.checked_kind = uploads.check_upload(
                upload, allowed=DOCUMENT_KINDS, max_bytes=settings.REPORT_ATTACHMENT_MAX_BYTES
            )
        return upload

    def clean(self):
        data = super().clean()
        if (
            data.get("audience") == Call.Audience.SELECTED
            and not data.get("districts")
            and not data.get("target_units")
        ):
            raise ValidationError("约稿对象为“指定区县或单位”时，请至少选择一个区县或单位。")
        return data


SCAN_KINDS = (*uploads.IMAGES, uploads.PDF)
FEEDBACK_KINDS = (*uploads.IMAGES, uploads.PDF, uploads.DOCX)


def piece_label(piece) -> str:
    kind = "文章" if piece.kind == "article" else "摘登"
    title = piece.title or (piece.lead or "信息摘登")
    return f"{piece.issue.name} · {kind} · {title[:40]} · {piece.unit.name}"


class InstructionAdminForm(forms.ModelForm):
    """A 领导批示 as the editor records it: on a published piece, with an optional scan checked by content."""

    scan_upload = forms.FileField(
        label="上传批示扫描件",
        required=False,
        help_text="可选，图片（JPG/PNG）或 PDF；按文件内容检查，上传后替换原文件",
    )
    remove_scan = forms.BooleanField(label="删除扫描件", required=False)

    class Meta:
        model = Instruction
        fields = ["piece", "leader", "level", "date", "text", "feedback_required", "feedback_due"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5, "cols": 80})}

    def __init__(self, *args, **kwargs):
        from issues.models import Piece

        super().__init__(*args, **kwargs)
        field = self.fields["piece"]
        field.queryset = (
            Piece.objects.filter(issue__status="published")
            .select_related("issue", "unit")
            .defer("body", "search_text")
            .order_by("-issue__date", "issue_id", "kind", "position")
        )
        field.label_from_instance = piece_label
        field.help_text = "已出刊的文章或信息摘登"

    def clean_scan_upload(self):
        upload = self.cleaned_data.get("scan_upload")
        if upload:
            upload.checked_kind = uploads.check_upload(
                upload, allowed=SCAN_KINDS, max_bytes=settings.REPORT_ATTACHMENT_MAX_BYTES
            )
        return upload

    def clean(self):
        data = super().clean()
        if data.get("feedback_required") and not data.get("feedback_due"):
            self.add_error("feedback_due", "需要落实反馈时，请填写反馈期限。")
        if not data.get("feedback_required"):
            data["feedback_due"] = None
        return data


class FeedbackForm(forms.Form):
    """The unit's 落实反馈 on an instruction: what it did, and an optional file."""

    text = forms.CharField(label="落实情况", max_length=10000, widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(label="附件", required=False, help_text="可选，PDF、Word（.docx）或图片")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            upload.checked_kind = uploads.check_upload(
                upload, allowed=FEEDBACK_KINDS, max_bytes=settings.REPORT_ATTACHMENT_MAX_BYTES
            )
        return upload


class CircularAdminForm(forms.ModelForm):
    """A circular for a period: title and text may be left empty on creation (the default is written)."""

    class Meta:
        model = Circular
        fields = ["period_kind", "year", "period_index", "title", "text", "signed_by", "date"]
        widgets = {
            "title": forms.TextInput(attrs={"size": 60}),
            "text": forms.Textarea(attrs={"rows": 8, "cols": 90}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "text"):
            if name in self.fields:
                self.fields[name].required = bool(self.instance.pk)
                if not self.instance.pk:
                    self.fields[name].help_text = "留空则按期间自动生成"
