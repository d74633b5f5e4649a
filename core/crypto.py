"""Field-level encryption of personal data at rest (PIPL Art 28: identity numbers are sensitive personal data).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under keys of their own, never ``SECRET_KEY``:
``GOVOPEN_FIELD_KEYS`` lists them newest first; a value is encrypted with the first and decrypted with any
(``MultiFernet``), so a new key can be put in front and the old ones removed after ``rotate_field_key``.

A stored value is ``""`` (an empty field: encrypting nothing would only hide that a form field was left blank) or
``TOKEN_PREFIX`` + the Fernet token. A value without the prefix is legacy plaintext from before encryption: it is
read as it is, and the data migration or ``rotate_field_key`` encrypts it.

Equality on an encrypted value (the same applicant's applications) goes through a blind index: an HMAC-SHA256 of
the normalised value under ``GOVOPEN_BLIND_INDEX_KEY``, stored in its own indexed column (``BlindIndexField``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull

TOKEN_PREFIX = "gv1:"  # version of the stored form; a later scheme gets its own prefix and reads both
KEY_FILE_NAME = "field-keys.env"
FIELD_KEYS_VAR = "GOVOPEN_FIELD_KEYS"
BLIND_INDEX_KEY_VAR = "GOVOPEN_BLIND_INDEX_KEY"
OPTIONAL_FIELDS = ("phone", "email", "address")  # the identity number is always encrypted


class FieldDecryptError(ImproperlyConfigured):
    """A stored token that none of the configured keys opens: a key was removed before ``rotate_field_key`` ran."""


# --- Keys (read by settings.py at start-up) ----------------------------------------------------------------------


def new_key() -> str:
    """32 random bytes, URL-safe base64: the format of both variables (a Fernet key)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _valid_key(raw: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(raw.encode())) == 32
    except (binascii.Error, ValueError):
        return False


def _debug_key_file(var_dir: Path) -> dict[str, str]:
    """The development keys under ``var_dir``, created once (mode 0600) so the SQLite demo runs with no setup."""
    path = var_dir / KEY_FILE_NAME
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: read theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(f"{FIELD_KEYS_VAR}={new_key()}\n{BLIND_INDEX_KEY_VAR}={new_key()}\n")
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        name, _sep, value = line.partition("=")
        values[name.strip()] = value.strip()
    return values


@dataclass(frozen=True)
class KeySettings:
    field_keys: list[str]
    blind_index_key: str
    encrypted_fields: list[str]


def load_key_settings(*, environ: Mapping[str, str], debug: bool, var_dir: Path) -> KeySettings:
    """The three settings of field encryption, refusing bad or missing values by name (``EnvError``).

    Without DEBUG both keys are required; in DEBUG a missing one comes from a key file under ``var_dir``.
    """
    from core.env import EnvError, env_list

    file_values: dict[str, str] | None = None
    found: dict[str, str] = {}
    for name in (FIELD_KEYS_VAR, BLIND_INDEX_KEY_VAR):
        raw = (environ.get(name) or "").strip()
        if not raw:
            if not debug:
                raise EnvError(
                    name, "关闭 DEBUG 时必须设置（32 字节随机数的 URL 安全 Base64 编码，与 SECRET_KEY 不同）"
                )
            file_values = file_values if file_values is not None else _debug_key_file(var_dir)
            raw = file_values.get(name, "")
        found[name] = raw
    field_keys = [key.strip() for key in found[FIELD_KEYS_VAR].split(",") if key.strip()]
    if not field_keys or not all(_valid_key(key) for key in field_keys):
        raise EnvError(
            FIELD_KEYS_VAR, "每个密钥应为 32 字节随机数的 URL 安全 Base64 编码，多个密钥以逗号分隔、最新的在前"
        )
    if not _valid_key(found[BLIND_INDEX_KEY_VAR]):
        raise EnvError(BLIND_INDEX_KEY_VAR, "应为 32 字节随机数的 URL 安全 Base64 编码")
    fields = env_list("GOVOPEN_ENCRYPTED_FIELDS", ["id_number", *OPTIONAL_FIELDS], environ=environ)
    unknown = [name for name in fields if name not in ("id_number", *OPTIONAL_FIELDS)]
    if unknown or "id_number" not in fields:
        raise EnvError(
            "GOVOPEN_ENCRYPTED_FIELDS",
            f"应包含 id_number，其余可选 {'、'.join(OPTIONAL_FIELDS)}（无法识别：{'、'.join(unknown) or '无'}）",
        )
    return KeySettings(field_keys=field_keys, blind_index_key=found[BLIND_INDEX_KEY_VAR], encrypted_fields=fields)


# --- Encrypting and decrypting -----------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    fernets = [Fernet(key.encode()) for key in keys]
    return fernets[0], MultiFernet(fernets)


def _keys() -> tuple[Fernet, MultiFernet]:
    return _fernets(tuple(settings.GOVOPEN_FIELD_KEYS))


def is_token(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(TOKEN_PREFIX)


def encrypt(plaintext: str) -> str:
    if plaintext == "":
        return ""
    newest, _all = _keys()
    return TOKEN_PREFIX + newest.encrypt(plaintext.encode()).decode()


def decrypt(stored: str | None) -> str | None:
    """The plaintext of a stored value; legacy plaintext (no prefix) is returned as it is."""
    if not is_token(stored):
        return stored
    _newest, every = _keys()
    try:
        return every.decrypt(stored[len(TOKEN_PREFIX) :].encode()).decode()
    except InvalidToken:
        raise FieldDecryptError(
            f"加密字段无法用 {FIELD_KEYS_VAR} 中的任何密钥解密：请把加密它的旧密钥放回该变量（放在新密钥之后）。"
        ) from None


def is_current(stored: str) -> bool:
    """Whether a stored token was encrypted with the newest key (so rotation may skip it)."""
    newest, _all = _keys()
    try:
        newest.decrypt(stored[len(TOKEN_PREFIX) :].encode())
    except InvalidToken:
        return False
    return True


_SEPARATORS = re.compile(r"[\s\-]")


def blind_index(*parts: str) -> str:
    """Keyed hash of normalised parts (spaces and hyphens removed, upper case), for equality on encrypted values.

    The parts are joined with a unit separator, so ("ab", "c") and ("a", "bc") differ."""
    normalised = "\x1f".join(_SEPARATORS.sub("", part or "").upper() for part in parts)
    key = base64.urlsafe_b64decode(settings.GOVOPEN_BLIND_INDEX_KEY.encode())
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def field_encrypted(setting_key: str | None) -> bool:
    return setting_key is None or setting_key in settings.GOVOPEN_ENCRYPTED_FIELDS


def stored_form(plaintext: str, *, setting_key: str | None) -> str:
    """What the column holds for ``plaintext``: a token, or the plaintext when the setting leaves the field clear."""
    return encrypt(plaintext) if field_encrypted(setting_key) else plaintext


# --- Model fields ------------------------------------------------------------------------------------------------


class EncryptedExact(Exact):
    """``field=""`` still works (empty values are stored empty); any other value cannot match a random token,
    so it is refused instead of silently finding nothing."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} 是加密字段，不能按值查询；请使用盲索引字段（如 id_blind_index）。"
            )
        return super().get_prep_lookup()


class EncryptedMixin:
    """A text column holding a token; Python code sees plaintext. ``max_length`` limits the plaintext (forms,
    validation), while the column is ``text`` because a token is several times longer.

    ``setting_key``: the name in ``GOVOPEN_ENCRYPTED_FIELDS`` that decides whether new values are encrypted
    (None: always). The column type does not depend on it, so the setting needs no migration."""

    def __init__(self, *args: Any, setting_key: str | None = None, **kwargs: Any) -> None:
        self.setting_key = setting_key
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.setting_key is not None:
            kwargs["setting_key"] = self.setting_key
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return stored_form(str(value), setting_key=self.setting_key)

    def get_lookup(self, lookup_name: str) -> Any:
        # Only emptiness can be asked of an encrypted column; icontains and friends would compare tokens.
        return {"exact": EncryptedExact, "isnull": IsNull}.get(lookup_name)


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A short text (identity number, phone, address) kept as a token; ``max_length`` applies to the plain text."""


class EncryptedEmailField(EncryptedMixin, models.EmailField):
    """An e-mail address kept as a token; validated as an address before it is encrypted."""


class EncryptedJSONField(EncryptedMixin, models.TextField):
    """A JSON value (e.g. a list of addresses) stored as one token; Python code gets the decoded value."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        text = decrypt(value)
        return None if text is None else json.loads(text or "null")

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return stored_form(json.dumps(value, ensure_ascii=False), setting_key=self.setting_key)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


class BlindIndexField(models.CharField):
    """The keyed hash of ``sources`` (attribute names on the same row), computed whenever the row is saved, so it
    cannot drift from the encrypted values it stands for."""

    def __init__(self, *args: Any, sources: Iterable[str] = (), **kwargs: Any) -> None:
        self.sources = tuple(sources)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = list(self.sources)
        for key, default in (("max_length", 64), ("editable", False), ("default", "")):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = blind_index(*(str(getattr(model_instance, name) or "") for name in self.sources))
        setattr(model_instance, self.attname, value)
        return value


# --- Re-encrypting stored rows (data migration and key rotation) ------------------------------------------------


@dataclass
class TableCounts:
    rewritten: int = 0
    current: int = 0
    empty: int = 0
    reindexed: int = 0


def reencrypt_table(
    connection: Any,
    *,
    table: str,
    columns: Mapping[str, str | None],
    blind_index_column: str = "",
    blind_index_sources: tuple[str, ...] = (),
    batch_size: int = 500,
) -> TableCounts:
    """Bring every value of ``columns`` (column → its ``setting_key``) to the form the settings ask for: a token
    under the newest key, or plaintext where the setting leaves a field clear; recompute the blind index from
    ``blind_index_sources`` (plaintext columns, in order). Works on raw rows in primary-key batches, each batch
    its own transaction, so it can be stopped and run again: values already current are left untouched.
    """
    from django.db import transaction

    quote = connection.ops.quote_name
    names = list(columns)
    sources = list(blind_index_sources)
    select_columns = ["id", *names, *[s for s in sources if s not in names]]
    if blind_index_column:
        select_columns.append(blind_index_column)
    select = (
        f"SELECT {', '.join(quote(c) for c in select_columns)} FROM {quote(table)} "
        f"WHERE {quote('id')} > %s ORDER BY {quote('id')} LIMIT %s"
    )
    counts = TableCounts()
    last_id = 0
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(select, [last_id, batch_size])
            rows = cursor.fetchall()
            for row in rows:
                values = dict(zip(select_columns, row))
                last_id = values["id"]
                changes = _row_changes(values, columns, counts)
                if blind_index_column:
                    plain = [decrypt(values[s]) or "" for s in sources]
                    index = blind_index(*plain)
                    if values[blind_index_column] != index:
                        changes[blind_index_column] = index
                        counts.reindexed += 1
                if changes:
                    assignments = ", ".join(f"{quote(c)} = %s" for c in changes)
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {assignments} WHERE {quote('id')} = %s",
                        [*changes.values(), values["id"]],
                    )
        if len(rows) < batch_size:
            return counts


def _row_changes(values: Mapping[str, Any], columns: Mapping[str, str | None], counts: TableCounts) -> dict[str, str]:
    changes: dict[str, str] = {}
    for column, setting_key in columns.items():
        stored = values[column]
        if stored in ("", None):
            counts.empty += 1
            continue
        wanted_token = field_encrypted(setting_key)
        if is_token(stored) and wanted_token and is_current(stored):
            counts.current += 1
            continue
        if not is_token(stored) and not wanted_token:
            counts.current += 1
            continue
        changes[column] = stored_form(decrypt(stored), setting_key=setting_key)
        counts.rewritten += 1
    return changes


def decrypt_table(connection: Any, *, table: str, columns: Iterable[str]) -> int:
    """Write every token of ``columns`` back as plaintext (the reverse of the data migration)."""
    quote = connection.ops.quote_name
    names = list(columns)
    done = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('id')}, {', '.join(quote(c) for c in names)} FROM {quote(table)}")
        for row in cursor.fetchall():
            changes = {c: decrypt(v) for c, v in zip(names, row[1:]) if is_token(v)}
            if changes:
                assignments = ", ".join(f"{quote(c)} = %s" for c in changes)
                cursor.execute(
                    f"UPDATE {quote(table)} SET {assignments} WHERE {quote('id')} = %s", [*changes.values(), row[0]]
                )
                done += 1
    return done
