"""Finishing touches on a page's HTML: site links, scrollable tables, MathML, headings and search text.

Maths written as ``$...$`` or ``$$...$$`` in Markdown becomes MathML at build time (latex2mathml), so a
page needs no MathJax from a CDN and no script: browsers render MathML Core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import latex2mathml.converter
from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from . import SiteError

# Pandoc's rule for inline TeX: no space just inside the dollars, no digit right after the
# closing one, so "costs $5 and $6" stays text.
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?![\d$])")
_NO_MATH_INSIDE = {"code", "pre", "script", "style", "math", "textarea", "kbd", "samp"}
_SKIP_FOR_SEARCH = {"script", "style", "math", "button", "noscript"}


@dataclass
class Section:
    """A stretch of a page under one heading, as the search box finds it."""

    anchor: str
    title: str
    text: list[str] = field(default_factory=list)


@dataclass
class PageContent:
    """A finished page body and what the navigation and search need from it."""

    body: str
    headings: list[tuple[int, str, str]]  # (level, id, text)
    sections: list[Section]


def _in(node, names: set[str]) -> bool:
    return any(getattr(parent, "name", None) in names for parent in node.parents)


def _mathml(tex: str, display: bool, where: str) -> str:
    try:
        return latex2mathml.converter.convert(tex.strip(), display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises many types; name the formula whatever it is
        raise SiteError(f"{where}: cannot turn the formula ${tex}$ into MathML: {error}") from None


def convert_math(soup: BeautifulSoup, where: str) -> int:
    """Replace ``$...$`` and ``$$...$$`` left in text by the Markdown renderer with MathML; return how many."""
    count = 0
    for text in list(soup.find_all(string=True)):
        if isinstance(text, Comment) or "$" not in text or _in(text, _NO_MATH_INSIDE):
            continue
        pieces: list[str] = []
        position = 0
        source = str(text)
        matches = sorted(
            [(m.start(), m.end(), m.group(1), True) for m in _DISPLAY_MATH.finditer(source)]
            + [(m.start(), m.end(), m.group(1), False) for m in _INLINE_MATH.finditer(_DISPLAY_MATH.sub(lambda m: " " * len(m.group(0)), source))]
        )
        if not matches:
            continue
        for start, end, tex, display in matches:
            pieces.append(_escape(source[position:start]))
            markup = _mathml(tex, display, where)
            pieces.append(f'<span class="math-block">{markup}</span>' if display else f'<span class="math-inline">{markup}</span>')
            position = end
            count += 1
        pieces.append(_escape(source[position:]))
        fragment = BeautifulSoup("".join(pieces), "html.parser")
        text.replace_with(*fragment.contents)
    return count


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def finish_page(html: str, where: str, resolve_link: Callable[[str], str | None]) -> PageContent:
    """Rewrite links between pages, wrap tables, render math, and collect headings and search text.

    ``resolve_link(href)`` gives what a relative link becomes: a site URL for a course page
    (``03_x.ipynb#frag``), a link into the repository for any other file, ``""`` to drop the link and
    keep its text (another file of the repository when no repository is configured), or ``None`` when
    the file does not exist, which is an error: the page would carry a broken link.
    """
    soup = BeautifulSoup(html, "html.parser")
    for link in soup.find_all("a", href=True):
        href = link["href"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I) or href.startswith("#"):
            continue
        target = resolve_link(href)
        if target is None:
            raise SiteError(f"{where}: the link to {href!r} points to a file that does not exist in the repository")
        if target:
            link["href"] = target
        else:
            link.name = "span"  # the text stays; the file is in the repository, not on the site
            link.attrs = {"class": "repository-file", "title": f"{href} in the course repository"}
    for image in soup.find_all("img", src=True):
        if not image["src"].startswith(("figures/", "../figures/", "data:")):
            raise SiteError(f"{where}: the image {image['src']!r} is not part of the site")
    for table in soup.find_all("table"):
        if not (table.parent and "table-wrap" in (table.parent.get("class") or [])):
            wrapper = soup.new_tag("div", attrs={"class": "table-wrap", "tabindex": "0", "role": "region",
                                                 "aria-label": "Table (scroll sideways on a narrow screen)"})
            table.wrap(wrapper)
    convert_math(soup, where)
    for anchor in soup.select("a.anchor-link"):
        anchor["aria-label"] = "Link to this section"

    headings: list[tuple[int, str, str]] = []
    sections = [Section("", "")]
    for node in soup.descendants:
        if isinstance(node, Tag) and node.name in ("h1", "h2", "h3", "h4"):
            title = " ".join(node.get_text(" ").replace("¶", "").split())
            if node.get("id"):
                headings.append((int(node.name[1]), node["id"], title))
                sections.append(Section(node["id"], title))
        elif isinstance(node, NavigableString) and not isinstance(node, Comment):
            if _in(node, {"h1", "h2", "h3", "h4"} | _SKIP_FOR_SEARCH) or any(
                "input_area" in (parent.get("class") or []) for parent in node.parents if isinstance(parent, Tag)
            ):
                continue
            if node.strip():
                sections[-1].text.append(node.strip())
    return PageContent(str(soup), headings, [section for section in sections if section.text or section.title])
