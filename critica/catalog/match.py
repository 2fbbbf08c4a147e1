"""Which catalog title a review means when its title's name is shared ("Offside" 2000 and
2006; "The Office" of 2001 and of 2005): the one whose people the review names.

A review's people (those its analysis credits, and any of a candidate's principal cast
and crew that its text names: "Panahi's film") are compared with each candidate's. The
candidate sharing the most people wins; with no one shared, or a tie, the most-voted
candidate is taken and the match is reported as uncertain. The review's date rules out
titles released after it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from critica.store.records import Title


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@dataclass(frozen=True)
class Match:
    title: Title
    shared: tuple[str, ...]  # the people the review and the title share
    certain: bool  # False: no one shared, or a tie; the most-voted candidate was taken


def by_credits(
    candidates: Sequence[Title],
    credited: Iterable[str],
    text: str = "",
    reviewed: int | None = None,
) -> Match:
    """The candidate the review's people point to (``candidates`` most voted first): those
    its analysis credits, and those of the candidate's people that the ``text`` names in
    full or by a last name of four letters or more, capitalised ("Panahi's film").

    ``reviewed`` (the year the review appeared) rules out titles released later than the
    year after it (festival reviews come early); when that leaves one, it is the one."""
    if reviewed is not None:
        possible = [t for t in candidates if t.year is None or t.year <= reviewed + 1]
        if len(possible) == 1:
            return Match(possible[0], (), certain=True)
        candidates = possible or candidates
    names = {_key(n) for n in credited if n.strip()}
    ranked = []
    for order, title in enumerate(candidates):
        people = {_key(str(c["person"])) for c in title.credits if c.get("person")}
        surnames = _surnames(people)
        shared = {n for n in names if n in people or (" " not in n and n in surnames)}
        shared |= {p for p in people if p and _named_in(str(p), text)}
        ranked.append((len(shared), -order, title, tuple(sorted(shared))))
    ranked.sort(key=lambda r: (r[0], r[1]), reverse=True)
    best = ranked[0]
    tied = len(ranked) > 1 and ranked[1][0] == best[0]
    return Match(best[2], best[3], certain=best[0] > 0 and not tied)


def _surnames(people: set[str]) -> set[str]:
    return {p.split()[-1] for p in people if p}


def _named_in(person: str, text: str) -> bool:
    """Whether ``text`` names ``person`` (a casefolded name): in full, any case, or by a
    capitalised last name of four letters or more."""
    if not text:
        return False
    if re.search(rf"(?<!\w){re.escape(person)}(?!\w)", text, re.IGNORECASE):
        return True
    last = person.split()[-1]
    if len(person.split()) < 2 or len(last) < 4:
        return False
    return re.search(rf"(?<!\w){re.escape(last.capitalize())}(?!\w)", text) is not None
