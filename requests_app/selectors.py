"""Reads shared by the admin, the status page and the self-audit.

Art 44 clusters (R28): the same information asked for by several applicants within a window, found either through
the document the handlers linked to the cases or through near-identical descriptions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from requests_app.identity import secret_candidates
from requests_app.models import InformationRequest, Outcome

Status = InformationRequest.Status
# Outcomes whose information was, or may still be, disclosable: a cluster of refusals is no case for Art 44.
DISCLOSABLE_OUTCOMES = ("", Outcome.OPEN, Outcome.PARTIAL)
SIMILARITY = 0.8
PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass
class Cluster:
    organisation_id: int
    requests: list[InformationRequest] = field(default_factory=list)
    document: object | None = None

    @property
    def key(self) -> str:
        pks = ",".join(str(r.pk) for r in sorted(self.requests, key=lambda r: r.pk))
        return hashlib.sha256(pks.encode()).hexdigest()[:16]

    @property
    def organisation(self) -> object:
        return self.requests[0].organisation

    @property
    def applicants(self) -> int:
        return len({r.id_blind_index for r in self.requests})  # the identity number's equality key

    @property
    def summary(self) -> str:
        first = self.requests[0]
        return first.document_title or first.description[:80]


def _normalise(text: str) -> str:
    return PUNCTUATION.sub("", (text or "").lower())


def art44_candidates(requests: QuerySet[InformationRequest], *, today: dt.date, months: int) -> QuerySet:
    since = today - dt.timedelta(days=round(months * 30.44))
    return (
        requests.filter(Q(received_on__gte=since) | Q(received_on__isnull=True, submitted_at__date__gte=since))
        .exclude(status__in=(Status.WITHDRAWN, Status.ABANDONED))
        .filter(outcome__in=DISCLOSABLE_OUTCOMES)
        .select_related("organisation", "linked_document")
        .order_by("organisation_id", "pk")
    )


def art44_clusters(
    requests: QuerySet[InformationRequest],
    *,
    today: dt.date | None = None,
    threshold: int | None = None,
    months: int | None = None,
) -> list[Cluster]:
    """Groups of at least ``threshold`` applications (default from settings: 3 in 12 months) for the same
    information, within one organisation, largest first."""
    today = today or timezone.localdate()
    threshold = threshold or settings.GOVOPEN_ART44_THRESHOLD
    months = months or settings.GOVOPEN_ART44_MONTHS
    rows = list(art44_candidates(requests, today=today, months=months))
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    texts = [_normalise(r.document_title + r.document_number + r.description) for r in rows]
    for i, a in enumerate(rows):
        for j in range(i + 1, len(rows)):
            b = rows[j]
            if a.organisation_id != b.organisation_id:
                continue
            same_document = a.linked_document_id and a.linked_document_id == b.linked_document_id
            if same_document or SequenceMatcher(None, texts[i], texts[j]).ratio() >= SIMILARITY:
                parent[find(j)] = find(i)
    groups: dict[int, Cluster] = {}
    for index, row in enumerate(rows):
        cluster = groups.setdefault(find(index), Cluster(organisation_id=row.organisation_id))
        cluster.requests.append(row)
        if row.linked_document_id and cluster.document is None:
            cluster.document = row.linked_document
    clusters = [c for c in groups.values() if len(c.requests) >= threshold]
    return sorted(clusters, key=lambda c: (-len(c.requests), c.organisation_id))


def request_for_applicant(*, code: str, secret: str) -> InformationRequest | None:
    """The case whose tracking code and secret both match, else None. The digests are compared in constant time,
    and a missing code is compared against a dummy, so timing tells nothing about which part was wrong (R27).

    Both forms of the secret are always compared: current secrets in any case, with or without spaces and
    hyphens, and secrets issued before the unambiguous alphabet exactly as they were typed."""
    case = InformationRequest.objects.filter(tracking_code=normalise_code(code)).first()
    expected = case.secret_hash if case is not None else "0" * 64
    compact, as_typed = secret_candidates(secret)
    matches = hmac.compare_digest(expected, compact) | hmac.compare_digest(expected, as_typed)
    return case if case is not None and matches else None


def normalise_code(code: str) -> str:
    """A tracking code as stored (``YS2026-ABCD-EFGH``), whether typed in lower case, with spaces or without the
    hyphens."""
    compact = re.sub(r"[\s\-]", "", code or "").upper()
    if len(compact) == 14 and compact.startswith("YS"):
        return f"{compact[:6]}-{compact[6:10]}-{compact[10:]}"
    return compact
