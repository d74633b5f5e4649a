"""Chinese word segmentation for the search index and for queries (R39).

The same jieba dictionary, with the same user dictionary of government terms, segments the documents when they are
indexed and the words a citizen types. Documents are cut "for search" (a long word also yields the shorter words
inside it: 政务公开 → 政务, 公开, 政务公开), so that both 政务公开 and 公开 find them; a query is cut precisely, so that
its words must all occur. Words never straddle a word boundary: 中华人民共和国政府信息公开条例 yields no 国政.
Both sides are first normalised, traditional characters included, so that 政務公開 finds 政务公开 and back.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba

USER_DICTIONARY = Path(__file__).with_name("userdict.txt")
MAX_TOKEN_LENGTH = 60
MAX_QUERY_LENGTH = 100
_lock = threading.Lock()


_tokenizer: jieba.Tokenizer | None = None


def _segmenter() -> jieba.Tokenizer:
    """The process's one tokenizer. Loading its dictionary takes about a second of CPU and a hundred megabytes: threads
    that search first at the same moment wait for the one load instead of each making its own after the other."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                tokenizer.load_userdict(str(USER_DICTIONARY))
                _tokenizer = tokenizer
    return _tokenizer


def dictionary_loaded() -> bool:
    """Whether this process has loaded the dictionary (the web server does so before its workers fork)."""
    return _tokenizer is not None


def warm_up() -> None:
    """Load the dictionaries before they are needed (the web server's start, before its workers fork)."""
    _segmenter()
    _traditional()


@lru_cache(maxsize=1)
def _traditional() -> tuple[frozenset[str], dict[int, str]]:
    """The letters zhconv turns into another simplified letter, and that mapping as a ``str.translate`` table (used
    only if a zhconv entry ever changed a text's length).

    zhconv's ``convert`` is pure Python, 4.4-6.3 ms for a body of 20,000 characters, far too slow for every document
    of a rebuild; checking that a text holds none of these letters costs 0.3-0.6 ms for the same body (beside 50 ms
    for segmenting it), so only a text that holds one is converted.
    """
    from zhconv import zhconv

    zhconv.getdict("zh-hans")  # the table and its prefixes, built once (before the web workers or a rebuild fork)
    mapping = {
        source: target
        for source, target in zhconv.zhcdicts["zh2Hans"].items()
        if len(source) == 1 and len(target) == 1 and source != target and unicodedata.category(source)[0] == "L"
    }
    return frozenset(mapping), str.maketrans(mapping)


def simplified(text: str) -> str:
    """Traditional letters as simplified ones (政務公開 → 政务公开, 批覆 → 批复, 乾隆 kept), keeping the text's length,
    so that a match found in the result can be marked in the original."""
    letters, table = _traditional()
    if letters.isdisjoint(text):  # the common case, a simplified text: checked, never copied
        return text
    from zhconv import zhconv

    converted = zhconv.convert(text, "zh-hans")  # phrase by phrase: every zh2Hans entry keeps its length
    return converted if len(converted) == len(text) else text.translate(table)


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width, lower case, one kind of space, simplified letters."""
    return simplified(unicodedata.normalize("NFKC", text or "").lower())


@lru_cache(maxsize=100_000)
def _is_word(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token) and len(token) <= MAX_TOKEN_LENGTH


def _sub_words(word: str, depth: int = 0) -> list[str]:
    """The words inside a long word: its best segmentation when the word itself is not allowed, recursively.

    jieba's own search mode emits every dictionary bigram inside a long word, which turns
    中华人民共和国政府信息公开条例 into …共和国 / 国政 / 政府…; splitting at real word boundaries does not.
    """
    if len(word) <= 2 or depth > 4:
        return []
    segmenter = _segmenter()
    dag = segmenter.get_DAG(word)
    dag[0] = [end for end in dag[0] if end != len(word) - 1] or [0]
    route: dict[int, tuple[float, int]] = {}
    segmenter.calc(word, dag, route)
    pieces, start = [], 0
    while start < len(word):
        end = route[start][1] + 1
        pieces.append(word[start:end])
        start = end
    if len(pieces) == 1 or all(len(p) == 1 for p in pieces):
        return []
    found = []
    for piece in pieces:
        if len(piece) > 1:
            found.append(piece)
            found += _sub_words(piece, depth + 1)
    return found


@lru_cache(maxsize=100_000)
def _inner_words(word: str) -> tuple[str, ...]:
    # Words recur across documents: their inner words are computed once per process (a rebuild indexes 1M documents).
    return tuple(w for w in _sub_words(word) if _is_word(w))


def index_tokens(text: str) -> list[str]:
    """Tokens of a document field, in order: each word, then the shorter words inside it (政务公开 → 政务, 公开)."""
    tokens: list[str] = []
    for word in _segmenter().cut(normalise(text), HMM=False):
        word = word.strip()
        if word and _is_word(word):
            tokens.append(word)
            tokens += _inner_words(word)
    return tokens


def query_tokens(text: str) -> list[str]:
    """The distinct words of a query, in order. Empty when the query holds no letter or digit."""
    words = _segmenter().cut(normalise(text)[:MAX_QUERY_LENGTH], HMM=False)
    seen: list[str] = []
    for word in (w.strip() for w in words):
        if word and _is_word(word) and word not in seen:
            seen.append(word)
    return seen


WHOLE_TERM = re.compile(r"\s+")


def whole_term(text: str) -> str:
    """A 文号 or 索引号 as one search term (spaces removed), so that it is also found as typed."""
    return WHOLE_TERM.sub("", normalise(text))[:MAX_TOKEN_LENGTH]
