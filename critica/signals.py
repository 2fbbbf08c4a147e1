"""Per-review signals the audience guards read, computed once when a review is stored.

- ``fingerprint``: a 64-bit SimHash of the text's word 3-shingles. Two texts whose
  fingerprints differ in a few bits share most of their wording: a copy, or a copy
  with a word or two changed.
- ``off_topic``: why a review is about something other than its title (the delivery, the
  disc, the streaming service; or no film or series at all), or None.

Nothing here imports another critica module, so the store can call it on every write.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
SHINGLE = 3  # words per shingle
MIN_WORDS = 8  # a shorter text gets no fingerprint: "Great movie!" from two people is no copy

# Words that show a text is about a film or a series.
FILM_CUES = re.compile(
    r"\b(?:films?|movies?|flicks?|cinema|cinematic|series|shows?|episodes?|seasons?|pilot|"
    r"finale|scenes?|actors?|actress(?:es)?|cast|casting|acting|acted|plot|story|stories|"
    r"storyline|script|screenplay|writing|written|writers?|direct(?:or|ors|ed|ion|ing)|"
    r"characters?|ending|endings?|performances?|roles?|star(?:s|red|ring)?|screen|watch(?:ed|"
    r"ing)?|viewers?|audiences?|sequel|prequel|remake|trilogy|franchise|comedy|comedies|drama|"
    r"thriller|horror|documentary|animation|animated|cartoon|musical|western|cinematography|"
    r"soundtrack|score|music|dialogue|hollywood|tv|television|netflix|hbo|minutes|twists?|"
    r"villain|hero(?:ine)?|filmmakers?|producers?|effects|cgi|camera|shot|shots|editing)\b",
    re.IGNORECASE,
)
# Words of a complaint or a compliment about a product or service rather than the title.
SERVICE_CUES = re.compile(
    r"\b(?:deliver(?:y|ed)|shipp(?:ing|ed)|seller|vendor|packag(?:e|ing)|arrived|refund(?:ed)?|"
    r"customer\s+service|amazon|ordered|purchase[ds]?|price[ds]?|\$\d+|cheaper|"
    r"scratched|cracked|(?:case|box)\s+was|disc|discs|dvd|blu-?ray|region\s+(?:code|\d)|subscription|"
    r"subscribe[ds]?|app|login|log\s+in|buffer(?:ing|ed|s)?|stream\s+kept|download(?:ed)?|"
    r"billing|charged|warranty|returned\s+it|replacement)\b",
    re.IGNORECASE,
)
OFF_TOPIC_MIN_WORDS = 15  # "no film or series at all" needs this much text to be telling

SERVICE = "about the product or service (delivery, disc, streaming), not the title"
NOT_FILM = "says nothing about a film or series"


def _words(text: str) -> list[str]:
    return WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def fingerprint(text: str) -> int | None:
    """The text's 64-bit SimHash over word 3-shingles, as a signed 64-bit integer (how
    databases store BIGINT); None for a text under ``MIN_WORDS`` words."""
    words = _words(text)
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    digests = b"".join(
        hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in sorted(shingles)
    )
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8), axis=1)
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - bits.shape[0]  # +1 per set bit, -1 per clear
    value = int.from_bytes(np.packbits(votes > 0).tobytes(), "big")
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a: int, b: int) -> int:
    """Bits that differ between two fingerprints."""
    return ((a ^ b) & 0xFFFF_FFFF_FFFF_FFFF).bit_count()


def off_topic(text: str, aspect_mentions: int, credits: int) -> str | None:
    """Why the review discusses something other than its title, or None when it is on topic
    (or too short to tell). ``aspect_mentions`` and ``credits`` come from its analysis:
    a review that judges the acting or names the director is about the title."""
    film = len(FILM_CUES.findall(text)) + aspect_mentions + credits
    service = len(SERVICE_CUES.findall(text))
    if service >= 2 and service > film:
        return SERVICE
    if film == 0 and len(_words(text)) >= OFF_TOPIC_MIN_WORDS:
        return NOT_FILM
    return None
