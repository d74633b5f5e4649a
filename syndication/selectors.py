"""Reads of the feeds that the public selectors do not already give."""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Topic
from disclosure.models import Document
from disclosure.selectors import public_document_rows


def public_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(is_active=True)


def topic_documents(topic: Topic) -> QuerySet[Document]:
    """Public documents of ``topic``, newest first. The planner walks the public-list index for a common topic and
    takes a rare one's rows from the topic's foreign-key index (measured at a million documents: for the
    newest 50 of a topic holding a tenth of them, 5–16 ms; 9 ms for an empty topic)."""
    return public_document_rows().filter(topic_id=topic.pk)
