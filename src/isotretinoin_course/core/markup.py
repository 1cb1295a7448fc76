"""Tiny, safe text-to-HTML conversion for text written in question banks and widgets."""

from __future__ import annotations

import html
import re

from .inputs import read_text

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def inline_markup(text: str) -> str:
    """Escape ``text`` for HTML, then turn ``**bold**`` and ``*italic*`` into tags.

    Bank authors need italics for organism names (*Cutibacterium acnes*) and
    little else; anything that looks like HTML is shown literally, never run.
    """
    escaped = html.escape(read_text(text, "text"), quote=False)
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    return _ITALIC.sub(r"<em>\1</em>", escaped)


def paragraphs(text: str) -> str:
    """Inline markup plus paragraph breaks at blank lines."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", read_text(text, "text").strip()) if block.strip()]
    return "".join(f"<p>{inline_markup(' '.join(block.split()))}</p>" for block in blocks)
