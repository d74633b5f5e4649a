"""The password profiles of GOVOPEN_PASSWORD_PROFILE, as AUTH_PASSWORD_VALIDATORS lists.

Imported by settings.py, so it imports nothing from Django.

- ``asvs`` (OWASP ASVS 4.0 V2.1, L2): at least 12 characters, no password from the common-password list, none made of
  digits only or close to the user's name; no composition rules and no forced rotation (V2.1.9, V2.1.10).
- ``dengbao`` (GB/T 22239-2019 三级 8.1.4.1 a "身份标识具有唯一性，身份鉴别信息具有复杂度要求并定期更换", as
  assessors usually read it): at least 8 characters from at least three of upper case, lower case, digits and
  symbols, plus the same list checks; the password expires after ``GOVOPEN_PASSWORD_MAX_AGE_DAYS`` (90 by default).
"""

from __future__ import annotations

PROFILES = ("asvs", "dengbao")


def password_validators(profile: str) -> list[dict]:
    if profile not in PROFILES:
        raise ValueError(profile)
    validators: list[dict] = [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {
            "NAME": "accounts.passwords.MinimumLengthValidator",
            "OPTIONS": {"min_length": 12 if profile == "asvs" else 8},
        },
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]
    if profile == "dengbao":
        validators.append({"NAME": "accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}})
    # Rejects nothing: Django calls its password_changed hook on every saved password, which records the time.
    validators.append({"NAME": "accounts.passwords.PasswordChangeRecorder"})
    return validators
