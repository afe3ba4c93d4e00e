"""Tokens for routing mixed English and Chinese text without a segmenter.

English (and any Latin-script word, code or host name) splits into lower-case words with a light
suffix stemmer; Chinese splits into single characters, so a Chinese term matches as a character
sequence and the similarity measure uses character bigrams. A segmenter such as jieba would cost
more to import than the whole server start-up is allowed to.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import pairwise

_CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[a-z0-9]+|[{_CJK_RANGES}]")
_APOSTROPHE = re.compile(r"(?<=[a-z])['’](?=[a-z])")
_CJK_CHAR = re.compile(rf"[{_CJK_RANGES}]")


def normalize(text: str) -> str:
    """Fold width and case (NFKC turns full-width Latin letters and digits into ASCII), join contractions."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return _APOSTROPHE.sub("", folded)


def is_cjk(token: str) -> bool:
    return bool(_CJK_CHAR.match(token))


def stem(word: str) -> str:
    """A light English stemmer: plural and -ing/-ed/-e endings, so 'blocked', 'blocks', 'blocking' meet."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Stemmed English words and single Chinese characters, in order."""
    return [tok if is_cjk(tok) else stem(tok) for tok in _TOKEN.findall(normalize(text))]


def term_parts(term: str) -> list[tuple[str, ...]]:
    """A routing term as token sequences: 'a + b' gives two parts that may appear anywhere."""
    parts = [tuple(tokens(part)) for part in term.split(" + ")]
    return [p for p in parts if p]


def features(toks: Iterable[str]) -> Iterator[str]:
    """Bag-of-words features: English words as they are, Chinese as character bigrams (or lone characters)."""
    run: list[str] = []
    for tok in toks:
        if is_cjk(tok):
            run.append(tok)
            continue
        yield from _bigrams(run)
        run = []
        yield tok
    yield from _bigrams(run)


def _bigrams(run: list[str]) -> Iterator[str]:
    if len(run) == 1:
        yield run[0]
    for a, b in pairwise(run):
        yield a + b


def deletions(word: str) -> set[str]:
    """Every string one character shorter: two words one edit apart share one of these (or are one)."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
