"""The distribution list of 《杭州人大信息》 and the mailing of each published issue to it.

Subscribers are kept by the editor (imported from CSV, in groups) or subscribe themselves on the public site
(double opt-in: the worker mails the confirmation link, its outcome kept on the subscriber). A mailing is one issue
going out; a delivery is one address of it: the log of that send, its attempts and its last error.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from issues.models import Issue


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SubscriberGroup(models.Model):
    """A group of the list: 市人大常委会组成人员, 各区县人大常委会, …"""

    name = models.CharField("分组名称", max_length=50, unique=True)
    position = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "订阅分组"
        verbose_name_plural = "订阅分组"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Subscriber(models.Model):
    class Source(models.TextChoices):
        EDITOR = "editor", "编辑添加"
        SELF = "self", "读者自行订阅"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        ACTIVE = "active", "订阅中"
        UNSUBSCRIBED = "unsubscribed", "已退订"

    class ConfirmMail(models.TextChoices):
        """The double opt-in's confirmation mail, sent by the worker (never from the reader's request)."""

        NONE = "none", "无"
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    name = models.CharField("姓名", max_length=50, blank=True)
    email = models.EmailField("电子邮箱", max_length=254)
    group = models.ForeignKey(
        SubscriberGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subscribers",
        verbose_name="分组",
    )
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.EDITOR)
    status = models.CharField("状态", max_length=15, choices=Status.choices, default=Status.ACTIVE)
    token = models.CharField("链接令牌", max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField("加入时间", auto_now_add=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True, editable=False)
    unsubscribed_at = models.DateTimeField("退订时间", null=True, blank=True, editable=False)
    confirm_mail = models.CharField(
        "确认邮件", max_length=10, choices=ConfirmMail.choices, default=ConfirmMail.NONE, editable=False
    )
    confirm_mail_attempts = models.PositiveSmallIntegerField("确认邮件尝试次数", default=0, editable=False)
    confirm_mail_error = models.TextField("确认邮件错误", blank=True, editable=False)
    confirm_mail_claimed_at = models.DateTimeField("确认邮件开始发送", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "订阅者"
        verbose_name_plural = "订阅者"
        ordering = ["group__position", "group__name", "name", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="subscriber_unique_email", violation_error_message="该邮箱已在分发名单中。"
            )
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.name else self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Mailing(models.Model):
    """One published issue going out to the list (one per issue)."""

    class Status(models.TextChoices):
        WAITING_PDF = "waiting_pdf", "等待 PDF 生成"
        SENDING = "sending", "发送中"
        DONE = "done", "已发送完毕"

    issue = models.OneToOneField(Issue, on_delete=models.CASCADE, related_name="mailing", verbose_name="期")
    status = models.CharField("状态", max_length=15, choices=Status.choices, default=Status.WAITING_PDF)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始发送", null=True, blank=True)
    finished_at = models.DateTimeField("发送完毕", null=True, blank=True)
    pdf_waits = models.PositiveIntegerField("等待 PDF 次数", default=0)
    pdf_attached = models.BooleanField("附 PDF", null=True)

    class Meta:
        verbose_name = "邮件分发"
        verbose_name_plural = "邮件分发"
        ordering = ["-created_at"]

    def __str__(self):
        return str(self.issue)


class Delivery(models.Model):
    """One address of a mailing: sent, waiting (to be retried at `next_attempt_at`), failed for good, or dropped
    because the reader left the list before its mail went."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        SKIPPED = "skipped", "已退订，未发送"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries", verbose_name="分发")
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.SET_NULL, null=True, related_name="deliveries", verbose_name="订阅者"
    )
    email = models.EmailField("电子邮箱", max_length=254)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    last_error = models.TextField("错误", blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        ordering = ["mailing", "email"]
        constraints = [models.UniqueConstraint(fields=["mailing", "email"], name="delivery_unique_address")]
        indexes = [
            models.Index(fields=["mailing", "next_attempt_at"], name="delivery_due", condition=Q(status="pending"))
        ]

    def __str__(self):
        return f"{self.mailing} → {self.email}"
