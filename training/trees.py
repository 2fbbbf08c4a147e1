"""SST's labelled parse trees as prose sentences with labelled character spans.

Every node of a tree labels a phrase 0-4. Training pools the encoder's token
states over a phrase's span *inside its sentence* and asks the heads for the
phrase's label, so one encoder pass can later score any clause of a sentence
(the aspect that a clause names, say) without a second pass.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path

_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "``": '"', "''": '"'}
# Tokens written without a space before them.
_NO_SPACE_BEFORE = {",", ".", "!", "?", ";", ":", "%", ")", "]", "...", "n't", "'s", "'re"}
_NO_SPACE_BEFORE |= {"'ve", "'ll", "'d", "'m", "'", "-RRB-", "-RSB-"}
_NO_SPACE_AFTER = {"(", "[", "$", "-LRB-", "-LSB-"}


@dataclass
class Tree:
    """A sentence, its spans ``(start, end, label)`` in characters, root first."""

    text: str
    spans: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def label(self) -> int:
        return self.spans[0][2]


def parse_tree(line: str) -> Tree:
    """One PTB-bracketed line -> prose text with every node's character span and label."""
    words: list[tuple[int, int]] = []  # char span of each leaf in the prose
    parts: list[str] = []
    spans: list[tuple[int, int, int]] = []
    stack: list[tuple[int, int]] = []  # (label, index of first leaf)
    quote_open = False
    pos, n = 0, len(line)
    prev_token = ""
    while pos < n:
        ch = line[pos]
        if ch == "(":
            end = line.index(" ", pos)
            stack.append((int(line[pos + 1 : end]), len(words)))
            pos = end + 1
        elif ch == ")":
            label, first = stack.pop()
            if first < len(words):
                spans.append((words[first][0], words[-1][1], label))
            pos += 1
        elif ch == " ":
            pos += 1
        else:
            end = pos
            while end < n and line[end] not in "()":
                end += 1
            token = line[pos:end].strip()
            pos = end
            word = _PTB.get(token, token).replace("\\/", "/")
            glue = bool(parts) and (
                token in _NO_SPACE_BEFORE
                or prev_token in _NO_SPACE_AFTER
                or (token == "''" and quote_open)
                or (prev_token == "``")
            )
            if token == "``":
                quote_open = True
            elif token == "''":
                quote_open = False
            start = sum(len(p) for p in parts) + (0 if glue or not parts else 1)
            parts.append(word if glue or not parts else " " + word)
            words.append((start, start + len(word)))
            prev_token = token
    spans.reverse()  # the root closes last; put it first
    return Tree("".join(parts), spans)


def read_trees(path: Path) -> list[Tree]:
    """Every tree of a ``train_trees.txt.gz`` file."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [parse_tree(line.strip()) for line in fh if line.strip()]
