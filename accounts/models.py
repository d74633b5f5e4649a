"""Records of the staff authentication work: when a password was last set, and one row per security change."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PasswordRecord(models.Model):
    """When the user's password was last set; the 等保 profile's expiry counts from here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="password_record",
        verbose_name=_("用户"),
    )
    changed_at = models.DateTimeField(_("密码设置时间"))

    class Meta:
        verbose_name = _("密码记录")
        verbose_name_plural = _("密码记录")


class SecurityEvent(models.Model):
    """One row per change to a staff member's sign-in security (who, when, what)."""

    class Kind(models.TextChoices):
        MFA_ENROLLED = "mfa_enrolled", _("启用双因素认证")
        MFA_RESET = "mfa_reset", _("重置双因素认证")
        RECOVERY_CODES = "recovery_codes", _("重新生成恢复码")
        PASSWORD_SET = "password_set", _("设置密码")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events", verbose_name=_("用户")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    kind = models.CharField(_("事项"), max_length=32, choices=Kind.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("账户安全记录")
        verbose_name_plural = _("账户安全记录")
        ordering = ["-at", "-pk"]


class StaffAccount(User):
    """The users as the office sees them in 员工账户: MFA state, password age, the reset action."""

    class Meta:
        proxy = True
        verbose_name = _("员工账户")
        verbose_name_plural = _("员工账户")
