"""Turn raw input (HTML or text) into clean review text with paragraph offsets."""

from __future__ import annotations

import re
import unicodedata

import ftfy

from critica import config
from critica.document import ReviewDoc
from critica.inputs.sources import looks_like_html
from critica.pipeline import BaseComponent, component

_DROP_TAGS = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
_BLOCK_TAGS = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
    "article", "section", "blockquote", "pre", "header", "footer", "dd", "dt",
)  # fmt: skip
# Control characters go, except newline and tab; invisible joiners that break words go too.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff]")
# C0 controls (not tab/newline/return) and DEL: lxml refuses text holding them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace but newline (tabs, NBSP, em space ...)
_BLANK_LINE = re.compile(r"\n\s*\n")
_LINE_END = re.compile(r"[.!?:…\"”’)\]]$")
_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*\s")


def _html_fallback(raw: str) -> str:
    """All visible text of a page, one block element per line, scripts and styles left out."""
    import lxml.html
    from lxml import etree

    try:
        # huge_tree: libxml2 otherwise stops at 256 levels of nesting and keeps nothing below.
        parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
        root = lxml.html.fromstring(raw.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        return ""
    for el in list(root.iter(*_DROP_TAGS)):
        el.text = ""
        for child in list(el):
            el.remove(child)
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    return str(root.text_content())


_DROPPED_BLOCKS = re.compile(
    r"<(" + "|".join(_DROP_TAGS) + r")\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_BLOCK_TAG = re.compile(r"</?(?:" + "|".join(_BLOCK_TAGS) + r")\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
FLATTENED = (
    "the page's HTML is nested too deeply for a parser; its text was read without the "
    "page's structure, so check that it is the review"
)


def _strip_tags(raw: str) -> str:
    """The text of HTML no parser could build a tree of: tags removed, blocks as lines."""
    import html

    text = _BLOCK_TAG.sub("\n", _DROPPED_BLOCKS.sub("", raw))
    return html.unescape(_ANY_TAG.sub("", text))


def _html_to_text(raw: str, notes: list[str] | None = None) -> str:
    # Imported here: trafilatura costs ~0.4 s to import and plain text never needs it.
    import trafilatura

    raw = _NOT_XML.sub("", raw)
    text = trafilatura.extract(raw, include_comments=False, include_tables=False, favor_recall=True)
    # Extraction yields one paragraph per line.
    if text:
        return str(text)
    text = _html_fallback(raw)
    if text.strip():
        return text
    flat = _strip_tags(raw)
    if flat.strip() and notes is not None:
        notes.append(FLATTENED)
    return flat


def _normalize_chars(text: str, html: bool) -> str:
    # Removing a control character can complete a new mojibake pattern ("Â" + "\x80" + …),
    # so repeat until nothing changes: cleaning cleaned text must change nothing (found by
    # the property test). Ordinary text settles after the first pass.
    for _ in range(4):
        fixed = _normalize_once(text, html)
        if fixed == text:
            break
        text = fixed
    return text


def _normalize_once(text: str, html: bool) -> str:
    # Keep typographic quotes: quoted titles and pull quotes depend on them.
    text = ftfy.fix_text(text, uncurl_quotes=False, unescape_html=False if html else "auto")
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def _hard_wrapped(lines: list[str]) -> bool:
    """Whether lines without blank lines between them are wrapped prose, not paragraphs."""
    if len(lines) < 2:
        return False
    ended = sum(1 for line in lines[:-1] if _LINE_END.search(line))
    return ended < 0.5 * (len(lines) - 1)


def _paragraphs(text: str, html: bool) -> list[str]:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    if html or (not _BLANK_LINE.search(text) and not _hard_wrapped([x for x in lines if x])):
        # Single newlines separate paragraphs (extracted HTML, IMDb-style text).
        return [line for line in lines if line]
    blocks = _BLANK_LINE.split(text.strip())
    return [" ".join(block.split("\n")) for block in blocks if block.strip()]


def clean_text(raw: str, html: bool | None = None, notes: list[str] | None = None) -> str:
    """Clean raw review input to paragraphs separated by blank lines; what a user should
    know about how it was read (e.g. HTML too deep to parse) is appended to ``notes``."""
    if html is None:
        html = looks_like_html(raw)
    text = _html_to_text(raw, notes) if html else raw
    text = "\n\n".join(_paragraphs(_normalize_chars(text, html), html))
    # Stripping can expose what the character repair then reads as mojibake ("aÜ¿\xa0" ->
    # "aÜ¿" -> "aܿ"): repeat until nothing changes, so cleaning clean text is a no-op.
    for _ in range(3):
        again = "\n\n".join(_paragraphs(_normalize_chars(text, False), False))
        if again == text:
            break
        text = again
    return text


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the blank-line separated paragraphs of cleaned text."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text)]


def truncate(text: str, limit: int) -> str:
    """Cut text to at most ``limit`` characters at a paragraph, sentence or word boundary."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    for cut in (head.rfind("\n\n"), _last_sentence_end(head), head.rfind(" ")):
        if cut >= limit // 2:  # a boundary far back would throw away too much
            return text[:cut].rstrip()
    return text[:limit].rstrip()


def _last_sentence_end(head: str) -> int:
    ends = [m.end() - 1 for m in _SENTENCE_END.finditer(head, max(0, len(head) - 5000))]
    return ends[-1] if ends else -1


class Clean(BaseComponent):
    """Pipeline component: ``raw`` + ``meta`` -> ``text`` + ``paragraphs``."""

    name = "clean"

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        html = doc.meta.get("content_type") == "html" or looks_like_html(doc.raw)
        text = clean_text(doc.raw, html=html, notes=doc.warnings)
        limit = int(config.get("max_analyzed_chars"))
        if len(text) > limit:
            cut = truncate(text, limit)
            doc.warnings.append(
                f"the review text is {len(text):,} characters; only the first {len(cut):,} "
                f"were analysed (raise CRITICA_MAX_ANALYZED_CHARS to analyse more)"
            )
            text = cut
        # Decoding warnings from critica.inputs.sources travel in meta; surface them once.
        for warning in doc.meta.get("warnings", []):
            if warning not in doc.warnings:
                doc.warnings.append(warning)
        doc.text = text
        doc.paragraphs = paragraph_spans(text)
        return doc


@component(
    "clean",
    requires=("raw", "meta"),
    assigns=("text", "paragraphs"),
)
def make_clean() -> Clean:
    """Build the clean component."""
    return Clean()
