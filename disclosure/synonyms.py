"""检索同义词: words the disclosure office declares equivalent (噪声 噪音, 城管 城市管理), kept in the admin and
applied to each query (R39, issue 16 §6).

A query word, or a run of query words, that is a term of an active group becomes the alternatives of the group in
the one search statement: 噪音扰民 searches (噪音 | 噪声) & 扰民. Each term counts as the words a query of it is cut
into (城市管理 → 城市, 管理), so a term never needs to be a dictionary word. The groups are read once per process and
read again when the global publication version moves (a change of a group bumps it, which also retires the cached
search pages) or after ``RELOAD_SECONDS``, which bounds staleness when a bump was lost.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import actors, pubversion, workflow
from core.actors import StaffOrSystem
from core.records import save_checked
from disclosure import permissions
from disclosure.models import SearchSynonym, synonym_terms
from disclosure.search.backends import Term
from disclosure.search.segment import query_tokens

logger = logging.getLogger(__name__)

RELOAD_SECONDS = 300


class SynonymError(Exception):
    pass


@transaction.atomic
def search_synonym_save(*, group: SearchSynonym, actor: StaffOrSystem) -> SearchSynonym:
    """Create or change a group of synonyms, or switch it on or off. Searches use it once committed, and the cached
    search pages are retired after the commit."""
    if not workflow.permitted(lambda user: permissions.can_edit_search_synonyms(user, group), actor):
        raise SynonymError(_("您没有维护检索同义词的权限。"))
    group.changed_by = actors.staff_user(actor)
    group.changed_at = timezone.now()
    save_checked(group, actor=actor)
    pubversion.search_changed()
    return group


# --- Reading -------------------------------------------------------------------------------------------------------

Alternatives = tuple[tuple[tuple[str, ...], str], ...]  # each term of a group: its query words, and as entered


@dataclass(frozen=True)
class Groups:
    """The active groups by each of their terms' words: every term of every group the term belongs to."""

    by_words: dict[tuple[str, ...], Alternatives]
    longest: int  # the most words a term has


@dataclass
class Expansion:
    terms: list[Term]  # the query as the backends take it: words, and the alternatives of synonyms
    also: list[str] = field(default_factory=list)  # the synonyms searched besides what was typed, as entered
    marks: list[str] = field(default_factory=list)  # every word to mark in the results


def _load() -> Groups:
    by_words: dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]] = {}
    for text in SearchSynonym.objects.filter(is_active=True).values_list("terms", flat=True):
        alternatives: list[tuple[tuple[str, ...], str]] = []
        for term in synonym_terms(text):
            words = tuple(query_tokens(term))
            if words and words not in [w for w, _t in alternatives]:
                alternatives.append((words, term))
        if len(alternatives) < 2:
            continue
        for words, _term in alternatives:
            known = by_words.setdefault(words, [])
            known += [alternative for alternative in alternatives if alternative[0] not in [w for w, _t in known]]
    return Groups(
        by_words={words: tuple(alternatives) for words, alternatives in by_words.items()},
        longest=max((len(words) for words in by_words), default=0),
    )


_cached: tuple[tuple[int, int], float, Groups] | None = None


def active_groups() -> Groups:
    """The active groups, from this process's copy while the global publication version has not moved: no SQL for
    most searches, one small query after a change. With the cache down, read every time."""
    global _cached
    try:
        version = pubversion.versions(organisation_code=None)
    except Exception as exc:  # the cache is down: the groups are read, the search still answers
        logger.debug("synonyms: publication version unavailable (%s)", type(exc).__name__)
        return _load()
    cached = _cached
    if cached is not None and cached[0] == version and time.monotonic() - cached[1] < RELOAD_SECONDS:
        return cached[2]
    groups = _load()
    _cached = (version, time.monotonic(), groups)
    return groups


def expand(words: list[str], groups: Groups | None = None) -> Expansion:
    """The query ``words`` with each word, or run of words, that is a term of an active group replaced by the
    alternatives of its groups (the longest run first)."""
    groups = groups if groups is not None else active_groups()
    if not groups.by_words:
        return Expansion(terms=list(words), marks=list(words))
    terms: list[Term] = []
    also: list[str] = []
    marks: list[str] = []
    start = 0
    while start < len(words):
        for length in range(min(groups.longest, len(words) - start), 0, -1):
            typed = tuple(words[start : start + length])
            alternatives = groups.by_words.get(typed)
            if alternatives:
                terms.append(tuple(words for words, _text in alternatives))
                also += [text for words, text in alternatives if words != typed and text not in also]
                marks += [word for words, _text in alternatives for word in words if word not in marks]
                start += length
                break
        else:
            terms.append(words[start])
            marks.append(words[start])
            start += 1
    return Expansion(terms=terms, also=also, marks=marks)
