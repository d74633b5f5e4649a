"""The formal 政府信息公开申请答复书 as issued: one structure that the printable page and the PDF both render.

It is built by ``requests_app.letters.formal_letter`` from a replied case (or from a sample case for the template
preview) and carries plain strings only, so the renderers need no database and no template engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

TITLE = "政府信息公开申请答复书"


@dataclass(frozen=True)
class FormalLetter:
    issuer: str  # the organisation's full name, as it stood on the day of the reply (title and signature)
    number: str  # 文号, e.g. 甲城管依公开〔2025〕3号; empty only in a template preview
    addressee: str  # the applicant's name or the organisation's name, without the colon
    paragraphs: list[str]  # the body: facts and the article relied on, one string per paragraph
    remedy: str  # the 救济途径 paragraph: the named 行政复议机关 and court, with the time limits
    signed_on: dt.date
    tracking_code: str = ""
    attachments: list[str] = field(default_factory=list)  # file names provided with the reply
    title: str = TITLE

    @property
    def signed_on_text(self) -> str:
        return f"{self.signed_on.year}年{self.signed_on.month}月{self.signed_on.day}日"

    @property
    def heading(self) -> str:
        return f"{self.issuer}{self.title}" if self.issuer else self.title
