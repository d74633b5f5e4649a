"""Password validators of the settings profiles (GOVOPEN_PASSWORD_PROFILE), with messages in Chinese."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _classes(password: str) -> int:
    return sum(
        (
            any(char.isupper() for char in password),
            any(char.islower() for char in password),
            any(char.isdigit() for char in password),
            any(not char.isalnum() for char in password),
        )
    )


class CharacterClassesValidator:
    """等保 practice (GB/T 22239-2019 8.1.4.1 a, "口令具有复杂度要求"): at least ``min_classes`` of upper case, lower
    case, digits and symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if _classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(count)d 类。") % {"count": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(count)d 类。") % {"count": self.min_classes}


class PasswordChangeRecorder:
    """Rejects nothing; Django calls ``password_changed`` whenever a password is saved, which records the time the
    等保 profile's expiry counts from."""

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        return None

    def password_changed(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if user is not None and user.pk is not None:
            from accounts.services import password_set_record

            password_set_record(user=user)

    def get_help_text(self) -> str:
        days = settings.GOVOPEN_PASSWORD_MAX_AGE_DAYS
        if days:
            return _("密码自设置之日起 %(days)d 天后须更换。") % {"days": days}
        return _("密码无需定期更换；怀疑泄露时请立即修改。")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length check with a Chinese message: Django 5.2 changed the English text and its zh_Hans catalogue
    has not caught up, so the stock message would reach staff in English."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(count)d 个字符。") % {"count": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(count)d 个字符。") % {"count": self.min_length}
