from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from network.models import Call
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
