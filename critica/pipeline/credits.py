"""Credits: who plays whom and who made the work, read from set phrases in the review."""

from __future__ import annotations

import re
from collections.abc import Iterator

from critica.document import Credit, Entity, ReviewDoc
from critica.pipeline import BaseComponent, component

_UP = "A-ZÀ-ÖØ-Þ"
# Whitespace that may wrap a line but never crosses a paragraph break.
_SP = r"(?:[^\S\n]|\n(?![^\S\n]*\n))+"
_TOKEN = rf"(?:(?:[{_UP}]\.){{1,3}}|[{_UP}]\w*(?:['’\-]\w+)*)"
_PARTICLE = r"(?:de|da|di|del|della|van|von|der|den|le|la|du|dos|das|bin)"
_NAME = rf"{_TOKEN}(?:{_SP}(?:{_PARTICLE}{_SP})?{_TOKEN}){{0,4}}"
_SEP = rf"(?:(?:{_SP})?,{_SP}(?:and{_SP})?|{_SP}(?:and|&){_SP})"
_NAMES = rf"{_NAME}(?:{_SEP}{_NAME}){{0,7}}"  # bounded: no quadratic scans

_NAME_RE = re.compile(_NAME)
_PAREN_RE = re.compile(
    rf"(?P<c>{_NAMES})(?:{_SP})?\((?P<by>(?:played|portrayed|voiced){_SP}by{_SP})?"
    rf"(?P<a>{_NAMES})\s*\)"
)
# "director Greta Gerwig (Lady Bird)": a bare parenthesis after a maker names a past work.
_MAKER_BEFORE_RE = re.compile(
    r"(?i:director|creator|writer|showrunner|producer|filmmaker|star|actor|actress),?\s*$"
)
_AS_RE = re.compile(
    rf"(?P<a>{_NAME}){_SP}(?:(?:co-)?stars{_SP}|appears{_SP}|returns{_SP})?as{_SP}"
    rf"(?P<c>(?:the{_SP})?{_NAME})"
)
_PLAYS_RE = re.compile(
    rf"(?P<a>{_NAME})(?:,{_SP}who)?{_SP}(?:plays|played|portrays|portrayed|voices|voiced){_SP}"
    rf"(?P<c>(?:the{_SP})?{_NAME})"
)
_PLAYED_BY_RE = re.compile(
    rf"(?P<c>{_NAME}),{_SP}(?:played|portrayed|voiced){_SP}by{_SP}(?P<a>{_NAMES})"
)
_STARRING_RE = re.compile(rf"(?:\b[Ss]tarring|\bco-starring|\bstars){_SP}(?P<a>{_NAMES})")
_VERB = (
    r"(?:co-)?created|developed|directed|written|penned|produced|scored|"
    r"screenplay|teleplay|score|music"
)
_BY_RE = re.compile(
    rf"\b(?P<kw>(?i:{_VERB}))(?:{_SP}and{_SP}(?P<kw2>(?i:{_VERB})))?{_SP}by{_SP}(?P<p>{_NAMES})"
)
_NOUN = (
    r"(?:co-)?creator|writer-director|director|showrunner|writer|composer|"
    r"(?:executive )?producer|filmmaker"
)
_NOUN_RE = re.compile(rf"\b(?P<kw>(?i:{_NOUN}))s?{_SP}(?P<p>{_NAMES})")

_ROLES: dict[str, tuple[str, ...]] = {
    "created": ("creator",), "co-created": ("creator",), "developed": ("creator",),
    "creator": ("creator",), "co-creator": ("creator",),
    "directed": ("director",), "director": ("director",), "filmmaker": ("director",),
    "written": ("writer",), "penned": ("writer",), "screenplay": ("writer",),
    "teleplay": ("writer",), "writer": ("writer",), "writer-director": ("writer", "director"),
    "showrunner": ("showrunner",), "produced": ("producer",), "producer": ("producer",),
    "executive producer": ("producer",), "scored": ("composer",), "score": ("composer",),
    "music": ("composer",), "composer": ("composer",),
}  # fmt: skip
# Capitalised words that start sentences or describe people but are never part of a name.
_STOP = frozenset({
    "The", "A", "An", "When", "While", "But", "And", "Or", "In", "On", "At", "As", "Here",
    "There", "Then", "Later", "Meanwhile", "Even", "Also", "Yet", "So", "If", "After", "Before",
    "Now", "This", "That", "These", "Those", "His", "Her", "Their", "Its", "Our", "My", "Your",
    "It", "He", "She", "They", "We", "I", "You", "Who", "What", "Which", "With", "Without",
    "From", "For", "Of", "To", "By", "Although", "Though", "Because", "Since", "Unlike", "Like",
    "Despite", "Still", "Soon", "Once", "Only", "Both", "Every", "Each", "Such", "Sadly",
    "Unfortunately", "However", "Indeed", "Perhaps", "Newcomer", "Veteran", "Actor", "Actress",
    "Star", "Co-star", "Character", "Known"
})  # fmt: skip
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP", "LANGUAGE", "DATE", "TIME", "EVENT"})

Name = tuple[str, int, int]


def _clean(text: str, start: int, end: int, persons: list[Entity]) -> Name | None:
    """Trim a capitalised run to the name in it: drop lead-in words and a possessive."""
    for ent in persons:  # NER knows where a name starts better than capitalisation does
        if start < ent.start < end and ent.end == end and text[ent.start - 1].isspace():
            start = ent.start
    while (head := text[start:end].split(maxsplit=1)) and head[0] in _STOP:
        if len(head) == 1:
            return None
        start = end - len(head[1])
    name = text[start:end]
    if name.endswith(("’s", "'s")):
        name, end = name[:-2], end - 2
    if not name or name in _STOP or len(name) < 2:
        return None
    return name, start, end


def _names(text: str, start: int, end: int, persons: list[Entity]) -> list[Name]:
    """Split a list like ``A, B and C`` into cleaned names."""
    found = (_clean(text, m.start(), m.end(), persons) for m in _NAME_RE.finditer(text, start, end))
    return [n for n in found if n is not None]


def _share_surname(chars: list[Name]) -> list[Name]:
    """``Isaiah and Latrice Butler``: a surname after the last name applies to the bare ones."""
    if len(chars) < 2 or len(last := chars[-1][0].split()) < 2:
        return chars
    return [(f"{n} {last[-1]}" if " " not in n else n, s, e) for n, s, e in chars]


def _is_person(name: Name, ents: list[Entity]) -> bool:
    """A person per NER, or a multi-word capitalised name NER did not call a place or time."""
    _, start, end = name
    overlapping = [e for e in ents if e.start < end and start < e.end]
    if any(e.label == "PERSON" for e in overlapping):
        return True
    if any(e.label in _PLACE_LABELS for e in overlapping):
        return False
    return len(name[0].split()) >= 2


def _bare_paren_ok(text: str, start: int, actors: list[Name], ents: list[Entity]) -> bool:
    """A bare ``Character (Actor)`` counts only for people, and not after a maker's title."""
    if _MAKER_BEFORE_RE.search(text, max(0, start - 20), start):
        return False
    return all(_is_person(a, ents) for a in actors)


def _paren(text: str, ents: list[Entity], persons: list[Entity]) -> Iterator[Credit]:
    for m in _PAREN_RE.finditer(text):
        chars = _share_surname(_names(text, *m.span("c"), persons))
        actors = _names(text, *m.span("a"), persons)
        if not chars or not actors:
            continue
        if not m.group("by") and not _bare_paren_ok(text, chars[0][1], actors, ents):
            continue
        if len(chars) == 1:
            pairs = [(a, chars[0]) for a in actors]
        else:
            n = min(len(chars), len(actors))
            pairs = list(zip(actors[-n:], chars[-n:], strict=True))
        for actor, char in pairs:
            yield Credit(actor[0], "actor", char[0], chars[0][1], m.end())


def _actor_char(text: str, ents: list[Entity], persons: list[Entity]) -> Iterator[Credit]:
    for regex in (_AS_RE, _PLAYS_RE, _PLAYED_BY_RE):
        for m in regex.finditer(text):
            char = _clean(text, *m.span("c"), persons)
            actors = _names(text, *m.span("a"), persons)
            if char is None or not actors:
                continue
            if regex is not _PLAYED_BY_RE and not _is_person(actors[0], ents):
                continue
            start = min(char[1], actors[0][1])
            yield from (Credit(a[0], "actor", char[0], start, m.end()) for a in actors)


def _roles(text: str, persons: list[Entity]) -> Iterator[Credit]:
    for m in _STARRING_RE.finditer(text):
        for name in _names(text, *m.span("a"), persons):
            yield Credit(name[0], "actor", None, m.start(), m.end())
    for regex in (_BY_RE, _NOUN_RE):
        for m in regex.finditer(text):
            kws = (m.group(g) for g in ("kw", "kw2") if g in regex.groupindex and m.group(g))
            roles = [r for k in kws for r in _ROLES.get(re.sub(r"\s+", " ", k.lower()), ())]
            for name in _share_surname(_names(text, *m.span("p"), persons)):
                yield from (Credit(name[0], r, None, m.start(), m.end()) for r in roles)


def _dedupe(credits: list[Credit]) -> list[Credit]:
    """One credit per person and role, preferring one with a character; surnames to full names."""
    full = {c.person for c in credits if " " in c.person}
    kept: dict[tuple[str, str], Credit] = {}
    for c in sorted(credits, key=lambda c: c.start):
        longer = [p for p in full if p.endswith(" " + c.person)]
        if len(longer) == 1:
            c.person = longer[0]
        key = (c.person.lower(), c.role)
        if key not in kept or (kept[key].character is None and c.character is not None):
            kept[key] = c
    return sorted(kept.values(), key=lambda c: c.start)


def find_credits(text: str, ents: list[Entity]) -> list[Credit]:
    """All credits the text states, deduplicated, in text order."""
    persons = [e for e in ents if e.label == "PERSON"]
    found = [*_paren(text, ents, persons), *_actor_char(text, ents, persons)]
    found += _roles(text, persons)
    return _dedupe(found)


class CreditsComponent(BaseComponent):
    """Fills ``doc.credits`` from phrases such as ``X (played by Y)`` or ``created by Z``."""

    name = "credits"

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        if doc.unscored_reason is None and doc.text:
            doc.credits = find_credits(doc.text, doc.entities)
        return doc


@component(
    "credits",
    requires=("text", "entities"),
    assigns=("credits",),
    optional=True,
)
def make_credits() -> CreditsComponent:
    """Build the credits component (rules only, nothing to load)."""
    return CreditsComponent()
