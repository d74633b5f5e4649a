"""A last line of defence for the server log: personal data that slipped into a message is masked before it is
written. The code logs tracking codes, never applicants' data; this filter catches what a library or an exception
message might still carry (an identity number in a database error, an address in a mail error)."""

from __future__ import annotations

import logging
import re

# 18-digit resident identity numbers, mainland mobile numbers and e-mail addresses, not inside longer digit runs.
PATTERNS = (
    (re.compile(r"(?<![0-9])([1-9][0-9]{5})(?:19|20)[0-9]{9}[0-9Xx](?![0-9])"), r"\1********####"),
    (re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])"), r"\1****\2"),
    (re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})"), r"\1***@\2"),
)


def mask_personal_data(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's to report
            return True
        masked = mask_personal_data(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if masked != message:
            record.msg, record.args = masked, None
        return True
