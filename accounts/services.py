"""Every write of the staff authentication work: one function per state change, each with its event row."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import PasswordRecord, SecurityEvent
from accounts.permissions import can_reset_mfa
from auditlog.models import AuditEvent
from auditlog.services import audit_record
from core.errors import Problems

DEVICE_NAME = "默认"
_TOTP_SHAPE = re.compile(r"^\d{6}$")


class AccountSecurityError(Problems):
    """A refused security change (core.errors); ``message`` is shown to the staff member as it is."""


def _security_event(*, user_id: int, actor: AbstractBaseUser | None, kind: str, note: str = "") -> SecurityEvent:
    """The account's own record of the change, and its row in the tamper-evident audit log (never a code or a
    password: only what happened to whom)."""
    event = SecurityEvent.objects.create(user_id=user_id, actor=actor, kind=kind, note=note)
    audit_record(
        kind=AuditEvent.Kind.STATE_CHANGED,
        actor=actor,
        object_type="auth.user",
        object_pk=user_id,
        object_label=str(event.user),
        change=AuditEvent.Change.CHANGED,
        summary=f"{event.get_kind_display()}{'：' + note if note else ''}",
    )
    return event


def _normalise(token: str) -> str:
    # People copy codes with spaces or hyphens ("123 456", "abcd-efgh"); recovery codes are lower case.
    return re.sub(r"[\s-]", "", token or "").lower()


def mfa_token_check(*, user: AbstractBaseUser, token: str) -> Device | None:
    """The confirmed device that accepts ``token`` (a 6-digit TOTP code, or a recovery code, which is used up),
    or None. Only the device of the token's shape is tried, so a typo in one kind never throttles the other."""
    token = _normalise(token)
    if not token:
        return None
    model = TOTPDevice if _TOTP_SHAPE.match(token) else StaticDevice
    for device in model.objects.devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


def _new_recovery_codes(device: StaticDevice) -> list[str]:
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.GOVOPEN_MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def mfa_enrolment_begin(*, user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed TOTP device being set up (created on first call, the same one on reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def mfa_enrolment_confirm(*, user: AbstractBaseUser, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator app with a code it shows; returns the recovery codes, to be shown once."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
    if device is None:
        raise AccountSecurityError(_("设置已失效，请重新打开本页面扫码。"))
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        raise AccountSecurityError(_("您已启用双因素认证；如需更换设备，请先重置。"))
    if not _TOTP_SHAPE.match(_normalise(token)) or not device.verify_token(_normalise(token)):
        raise AccountSecurityError(_("验证码不正确，请输入验证器应用当前显示的 6 位数字。"))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = _new_recovery_codes(recovery)
    _security_event(user_id=user.pk, actor=user, kind=SecurityEvent.Kind.MFA_ENROLLED)
    return codes


@transaction.atomic
def mfa_recovery_codes_regenerate(*, user: AbstractBaseUser, token: str) -> list[str]:
    """Replace the recovery codes after the user proves possession again; the old codes stop working at once."""
    if mfa_token_check(user=user, token=token) is None:
        raise AccountSecurityError(_("验证码不正确或已使用。"))
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is None:
        recovery = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = _new_recovery_codes(recovery)
    _security_event(user_id=user.pk, actor=user, kind=SecurityEvent.Kind.RECOVERY_CODES)
    return codes


@transaction.atomic
def mfa_reset(*, user: AbstractBaseUser, actor: AbstractBaseUser, token: str | None = None) -> None:
    """Remove all of ``user``'s devices. The user themself must give a current code; otherwise only the 政务公开办
    may do it (a lost phone). If the user's role requires MFA they are sent to enrol again at their next page."""
    if actor.pk == user.pk:
        if mfa_token_check(user=user, token=token or "") is None:
            raise AccountSecurityError(_("验证码不正确或已使用。"))
        note = ""
    elif can_reset_mfa(actor, user):
        note = _("由政务公开办重置")
    else:
        raise AccountSecurityError(_("只有政务公开办可以重置其他人的双因素认证。"))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _security_event(user_id=user.pk, actor=actor, kind=SecurityEvent.Kind.MFA_RESET, note=note)


@transaction.atomic
def password_set_record(*, user: AbstractBaseUser) -> None:
    """Record that ``user``'s password was just set (called by Django through the validators' hook)."""
    PasswordRecord.objects.update_or_create(user_id=user.pk, defaults={"changed_at": timezone.now()})
    _security_event(user_id=user.pk, actor=None, kind=SecurityEvent.Kind.PASSWORD_SET)


def login_failures_reset(*, username: str) -> int:
    """Forget the account's failed logins after a successful one; the address's failures against other accounts
    stay, so owning one account does not reset the brake on guessing others."""
    from axes.models import AccessAttempt

    deleted, _counts = AccessAttempt.objects.filter(username=username).delete()
    return deleted
