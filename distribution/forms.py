from django import forms

from distribution.models import SubscriberGroup


class SubscribeForm(forms.Form):
    email = forms.EmailField(label="电子邮箱", max_length=254, error_messages={"invalid": "请输入有效的电子邮箱地址。"})
    name = forms.CharField(label="姓名（可不填）", max_length=50, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV 文件", help_text="每行：姓名,邮箱,分组（可有标题行；Excel 另存的 CSV 亦可）")
    group = forms.ModelChoiceField(
        SubscriberGroup.objects.all(), label="默认分组", required=False, help_text="行内未写分组时归入此组"
    )
