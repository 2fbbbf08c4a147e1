"""Explicit critic ratings: parse them, find them in review prose, normalise them to 0-100."""

from __future__ import annotations

import re

from critica.document import Rating, ReviewDoc
from critica.errors import RatingError
from critica.pipeline import BaseComponent, component

_FORMATS = (
    "accepted formats: fractions ('3/4', '7/10', '3.5 out of 5', '3 1/2 out of 4'), "
    "stars ('★★★½', '★★★☆☆', '***1/2 out of ****', '3.5 stars', 'half a star') "
    "or letter grades A+ to F ('B+', 'Grade: A-')"
)
_NORMALISE = str.maketrans(
    {"–": "-", "—": "-", "−": "-", "‐": "-", "‑": "-", "\u00a0": " ", "⭐": "★", "✩": "☆",
     "\ufe0f": None}
)  # fmt: skip
_UNICODE_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75}
_GRADE_STEPS = {"a": 12, "b": 9, "c": 6, "d": 3, "f": 0}  # 12 even steps from F to A

# --- parse_rating grammar (input already lower-cased and normalised) -------------------------
_PREFIX_RE = re.compile(
    r"(?:(?:my|our|final|overall)\s+)?(?:ratings?|grade|score|verdict)\s*[:=-]?\s*"
)
_GRADE_RE = re.compile(r"(?P<letter>[a-df])\s*(?P<mod>\+|-|plus|minus)?")
_HALF = r"(?:½|1/2|and\s+a\s+half)"
_SPACED_STARS_RE = re.compile(r"\*(?:\s+\*)+")
_RATING_RE = re.compile(
    rf"(?:(?P<glyph>★+|\*+)\s*(?P<ghalf>{_HALF})?\s*(?P<empty>☆*)"
    # "1/2" alone is a fraction; it is half a star only when stars or a scale follow
    r"|(?P<half>half(?:\s+an?)?|½|1/2(?=\s*(?:stars?|out\s+of)))"
    r"|(?P<num>\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s*(?P<uf>[½¼¾])|(?:\s+|-)(?P<fn>\d+)/(?P<fd>\d+)|\s+(?P<nhalf>and\s+a\s+half))?)"
    r"\s*(?P<unit>stars?)?"
    r"(?:\s*(?:/|out\s+of)\s*(?P<den>\d+(?:\.\d+)?|★+|\*+))?\s*(?P<unit2>stars?)?"
)


def _fail(why: str) -> RatingError:
    return RatingError(f"{why}; {_FORMATS}")


def parse_rating(raw: str) -> float:
    """Normalise an explicit rating ('3/4', '★★★½', 'B+', ...) to 0-100, rounded to 0.1."""
    s = raw.translate(_NORMALISE).strip().lower()
    s = re.sub(r"^[(\[]\s*(.*?)\s*[)\]]$", r"\1", s).rstrip(".! ")
    s = _SPACED_STARS_RE.sub(lambda m: "*" * m[0].count("*"), s)  # "* * * 1/2" is "***1/2"
    if m := _PREFIX_RE.match(s):
        s = s[m.end() :]
    if not s:
        raise _fail(f"cannot parse rating {raw!r}: it is empty")
    if g := _GRADE_RE.fullmatch(s):
        step = _GRADE_STEPS[g["letter"]] + {"+": 1, "plus": 1, "-": -1, "minus": -1}.get(
            g["mod"] or "", 0
        )
        return round(min(max(step, 0), 12) * 100 / 12, 1)
    m = _RATING_RE.fullmatch(s)
    if m is None:
        raise _fail(f"cannot parse rating {raw!r}")
    if m["glyph"]:
        value = len(m["glyph"]) + (0.5 if m["ghalf"] else 0.0)
    elif m["half"]:
        value = 0.5
    else:
        value = float(m["num"]) + _UNICODE_FRACTIONS.get(m["uf"] or "", 0.0)
        value += 0.5 if m["nhalf"] else 0.0
        if m["fn"]:
            fn, fd = int(m["fn"]), int(m["fd"])
            if not 0 < fn < fd:
                raise _fail(f"{fn}/{fd} in rating {raw!r} is not a proper fraction")
            value += fn / fd
    scale = _scale(raw, m, value)
    if scale <= 0:
        raise _fail(f"rating {raw!r} has a zero denominator")
    if value > scale:
        raise _fail(f"rating {raw!r} is above its scale ({value:g} > {scale:g})")
    return round(100 * value / scale, 1)


def _scale(raw: str, m: re.Match[str], value: float) -> float:
    """The denominator a rating is out of, stated or implied by its form."""
    if den := m["den"]:
        return float(den) if den[0].isdigit() else float(len(den))
    if m["empty"]:  # ★★½☆: the half star takes a slot of its own
        return len(m["glyph"]) + (1 if m["ghalf"] else 0) + len(m["empty"])
    if m["glyph"] and m["glyph"][0] == "*":
        # Asterisk ratings are traditionally out of four; five can only mean out of five.
        return 4.0 if value <= 4 else 5.0
    if m["glyph"] or m["unit"] or m["unit2"]:
        return 5.0
    raise _fail(f"rating {raw!r} has no scale, so it is ambiguous: write it as x/N")


# --- find_rating patterns (over the original text, case kept, single lines only) --------------
_H = r"[^\S\r\n]"  # whitespace that does not leave the line
_NUMV = rf"\d+(?:\.\d+)?(?:{_H}*[½¼¾]|(?:{_H}+|-)[1-9]/[2-9](?!\d))?"
_STARS = rf"\*(?:{_H}?\*){{0,4}}"  # "***" or, as some critics type them, "* * *"
_GLYPHS = rf"(?:[★⭐]\ufe0f?)+(?:{_H}?(?:½|1/2))?[☆✩]*|{_STARS}{_H}*(?:½|1/2)"
_STAR_WORD = rf"(?:{_H}*stars?\b)?"
_FRACTION = (
    rf"(?:{_NUMV}|{_GLYPHS}){_STAR_WORD}{_H}*(?:/|out{_H}+of){_H}*"
    rf"(?:\d+(?:\.\d+)?|\*{{1,5}}|[★⭐]{{1,5}}){_STAR_WORD}"
)
_STARRED = rf"{_GLYPHS}|(?:{_NUMV}|(?i:half){_H}+an?|1/2|½){_H}*stars?\b"
_LETTER = (
    rf"[A-DF](?:\+|[-–—−](?![-–—−\w])|{_H}(?i:plus|minus)\b)?(?![\w+])"
    # a grade ends its clause; "Rating: A solid film" is prose, not an A
    rf"(?={_H}*(?:$|[.,;:!?)\]])|{_H}+(?:[-–—]{_H}|(?i:for|from|overall|and|but)\b))"
)
_EXPR = rf"{_FRACTION}|{_STARRED}|{_LETTER}"
_LABELLED_RE = re.compile(
    r"(?i:\b(?:ratings?|grade|score|verdict)\b"
    r"|\b(?:i|i'd|i'll|we|we'd)\s+(?:would\s+|will\s+)?(?:give|gave)\s+(?:it|this|the\s+\w+))"
    rf"(?:{_H}*(?:[:=\-–—]|(?i:is|of|an?)(?!\w)))*{_H}*(?P<r>{_EXPR}|{_STARS}(?![*\w]))",
    re.M,
)
_FRACTION_RE = re.compile(rf"(?<![\w./*★⭐-])(?P<r>{_FRACTION})(?![\w*★⭐/]|\.\d)", re.M)
_STARRED_RE = re.compile(rf"(?<![\w./*★⭐])(?P<r>{_STARRED})(?![\w*★⭐/])", re.M)
_LINE_GRADE_RE = re.compile(rf"^{_H}*[(\[]?(?P<r>{_LETTER}){_H}*[)\]]?{_H}*[.!]?{_H}*$", re.M)

_KEYWORD_RE = re.compile(
    r"\b(?:rat(?:ing|ed|es?)|grade|score|verdict|stars?|give[sn]?|gave|giving"
    r"|earn(?:s|ed)?|deserve[sd]?|award(?:s|ed)?)\b",
    re.I,
)
_QUANTITY_RE = re.compile(rf"{_H}*(?:of\b|%|[-–:]\d)", re.I)  # "2/3 of ...", "3/4-5", "5/10:30"
_NEXT_WORD_RE = re.compile(rf"{_H}+([A-Za-z]+)")
_OK_NEXT = frozenset({"for", "from", "and", "but", "overall", "though", "so", "points", "pts"})
_SCALES = frozenset({4, 5, 10, 100})  # the only x/N forms worth trusting on a nearby keyword
_SLASH_DEN_RE = re.compile(r"/\s*(\d+)")


# Someone else's rating, reported by the critic: "my son, age 11, gave it * * 1/2",
# "he said he'd give it 0 stars". The giving verb, and who gives, in the same sentence.
_GIVER_RE = re.compile(r"\b(?:gave|give[sn]?|giving|rated|rates|awarded)\b", re.I)
_FIRST_PERSON_RE = re.compile(
    r"\b(?:i|i'd|i'll|we|we'd|we'll|my\s+(?:rating|grade|verdict))\b[^.!?\n]{0,20}$", re.I
)
_THIRD_PERSON_RE = re.compile(
    r"\b(?:he|she|they|he'd|she'd|they'd|son|daughter|friends?|wife|husband|kids?|children|"
    r"boy|girl|audiences?|critics?|age\s+\d+)\b",
    re.I,
)


def _someone_elses(text: str, start: int) -> bool:
    """Whether the rating at ``start`` is reported as another person's."""
    sentence = text[max(text.rfind(c, 0, start) for c in ".!?\n") + 1 : start]
    verbs = list(_GIVER_RE.finditer(sentence))
    if not verbs:
        return False
    before = sentence[: verbs[-1].start()]
    return not _FIRST_PERSON_RE.search(before) and bool(_THIRD_PERSON_RE.search(before))


def _line(text: str, start: int, end: int) -> tuple[int, int]:
    line_end = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if line_end < 0 else line_end


def _accept(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a candidate has the context that makes it a rating rather than a number."""
    raw = text[start:end]
    if _QUANTITY_RE.match(text, end) or _someone_elses(text, start):
        return False
    line_start, line_end = _line(text, start, end)
    standalone = text[line_start:line_end].strip(" \t\r()[].!") == raw
    near = _KEYWORD_RE.search(text[max(line_start, start - 60) : start]) or _KEYWORD_RE.search(
        text[end : min(line_end, end + 30)]
    )
    if kind == "labelled":
        return True
    if kind == "fraction":
        slash = _SLASH_DEN_RE.search(raw)
        if slash and "out" not in raw.lower():
            return int(slash[1]) in _SCALES and bool(near or standalone or "star" in raw)
        # "3 out of 4 doctors": a count, unless the next word belongs to a rating
        word = _NEXT_WORD_RE.match(text, end)
        return word is None or word[1].lower() in _OK_NEXT or bool(_KEYWORD_RE.fullmatch(word[1]))
    if kind == "starred":
        if raw[0] in "★⭐*":
            return True
        fractional = re.search(r"[.½¼¾/]", raw) is not None and "half" not in raw.lower()
        return bool(near or standalone or fractional)
    return standalone  # "grade" on a line of its own


_PATTERNS = (
    (_LABELLED_RE, "labelled"),
    (_FRACTION_RE, "fraction"),
    (_STARRED_RE, "starred"),
    (_LINE_GRADE_RE, "line"),
)


def find_rating(text: str) -> Rating | None:
    """Find the explicit rating a review states (the last one, as critics end with it)."""
    found: dict[tuple[int, int], float] = {}
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span("r")
            if (start, end) in found or not _accept(text, start, end, kind):
                continue
            try:
                found[(start, end)] = parse_rating(text[start:end])
            except RatingError:
                continue
    # "★★★½" inside "★★★½ out of 5" is the same rating, only shorter
    spans = [s for s in found if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in found)]
    if not spans:
        return None
    start, end = max(spans)
    return Rating(text[start:end], found[(start, end)], source="text", start=start, end=end)


_RATING_LABEL_RE = re.compile(
    r"^\W*(?:(?:our|my|the|final)\s+)?(?:ratings?|grade|score|verdict|stars?)?\W*$", re.I
)


def is_rating_line(text: str) -> bool:
    """Whether a sentence is only a stated rating ("Rating: 4/4", "★★★½", "Grade: B+")."""
    rating = find_rating(text)
    if rating is None:
        return False
    rest = text[: rating.start] + " " + text[rating.end :]
    return _RATING_LABEL_RE.match(rest) is not None


class RatingComponent(BaseComponent):
    """Pipeline step: the caller's rating if one was given, else one stated in the text."""

    name: str = "rating"

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        """Set ``doc.rating``; a bad given rating raises RatingError."""
        given = doc.meta.get("rating")
        if isinstance(given, str) and given.strip():
            doc.rating = Rating(given, parse_rating(given), source="given")
        else:
            doc.rating = find_rating(doc.text)
        return doc


@component(
    "rating",
    requires=("text", "meta"),
    assigns=("rating",),
)
def make_rating() -> RatingComponent:
    """Build the rating component."""
    return RatingComponent()
