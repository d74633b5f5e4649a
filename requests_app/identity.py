"""Identity documents of applicants (R20) and the masks that keep them private (R27).

居民身份证 numbers are checked with their ISO 7064 MOD 11-2 check digit and their date of birth; 统一社会信用代码
(GB 32100-2015) with its MOD 31 check character. Passports and other documents are accepted as typed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.utils.translation import gettext as _

from core.crypto import blind_index
from disclosure.personal_data import id_check_digit_valid
from requests_app.models import TRACKING_ALPHABET

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class IdentityInvalid(ValueError):
    """The number cannot be right; the message says why, in Chinese."""


def normalise(number: str) -> str:
    return re.sub(r"[\s\-]", "", number or "").upper()


def uscc_valid(code: str) -> bool:
    if len(code) != 18 or any(char not in USCC_ALPHABET for char in code):
        return False
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(code[:17], USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def resident_id_check(number: str, *, today: dt.date) -> None:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise IdentityInvalid(_("居民身份证号码应为 18 位，前 17 位为数字，最后一位为数字或 X。"))
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IdentityInvalid(_("居民身份证号码中的出生日期不存在，请核对。")) from exc
    if born > today or born.year < 1900:
        raise IdentityInvalid(_("居民身份证号码中的出生日期不合理，请核对。"))
    if not id_check_digit_valid(number):
        raise IdentityInvalid(_("居民身份证号码的校验位不正确，请核对是否输错。"))


def uscc_check(code: str) -> None:
    if len(code) != 18:
        raise IdentityInvalid(_("统一社会信用代码应为 18 位。"))
    if any(char not in USCC_ALPHABET for char in code):
        raise IdentityInvalid(_("统一社会信用代码只含数字和大写字母（不含 I、O、S、V、Z）。"))
    if not uscc_valid(code):
        raise IdentityInvalid(_("统一社会信用代码的校验码不正确，请核对是否输错。"))


def mask_identity(number: str) -> str:
    number = number or ""
    if len(number) <= 4:
        return "*" * len(number)
    keep_start = 4 if len(number) >= 15 else 1
    return number[:keep_start] + "*" * (len(number) - keep_start - 4) + number[-4:]


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_email(email: str) -> str:
    local, _at, domain = (email or "").partition("@")
    if not domain:
        return "*" * len(local)
    return (local[:1] + "***@" + domain) if local else "***@" + domain


def mask_text(text: str, *, keep: int = 6) -> str:
    """Addresses and similar free text: the first characters (province, city) and nothing more."""
    text = (text or "").strip()
    return text[:keep] + "****" if len(text) > keep else "****" if text else ""


def mask_name(name: str) -> str:
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1) if len(name) <= 4 else name[:2] + "****"


def applicant_name_shown(request: object, *, full: bool) -> str:
    """The applicant's name as a page may show it: a person's masked unless ``full``, an organisation's always in
    full (a company's name is not personal data)."""
    name = request.applicant_name
    return name if full or request.is_organisation else mask_name(name)


def secret_digest(secret: str) -> str:
    """The keyed digest kept instead of an applicant's secret (R27)."""
    return hmac.new(settings.SECRET_KEY.encode(), (secret or "").encode(), hashlib.sha256).hexdigest()


# The secret is copied by hand from a screen or a paper receipt: no 0/O, 1/I/l look-alikes, no lower case.
SECRET_ALPHABET = TRACKING_ALPHABET
SECRET_LENGTH = 12  # 32 symbols → 60 bits; guessing is hopeless within the rate limits


def new_secret() -> str:
    """A new secret as it is shown and printed: three groups of four, e.g. ``K7QM 3XWD P9HT``."""
    body = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    return " ".join(body[i : i + 4] for i in range(0, SECRET_LENGTH, 4))


def compact_secret(typed: str) -> str:
    """What is hashed for a secret of the current kind: typed in any case, with or without spaces and hyphens."""
    return _SECRET_SEPARATORS.sub("", typed or "").upper()


def secret_candidates(typed: str) -> tuple[str, str]:
    """The digests a typed secret may match: the compact form (current secrets), and the text exactly as typed
    without surrounding spaces, for case-sensitive secrets issued before the unambiguous alphabet
    (``secrets.token_urlsafe``, which may contain ``-``)."""
    return secret_digest(compact_secret(typed)), secret_digest((typed or "").strip())


_SECRET_SEPARATORS = re.compile(r"[\s\-]")


def id_blind_index(id_type: str, number: str) -> str:
    """The equality key of an applicant's identity document (the column ``id_blind_index``)."""
    return blind_index(id_type, normalise(number))
