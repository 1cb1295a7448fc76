"""The course bibliography (CSL-JSON) and the references section of each notebook.

Notebooks cite by key with an ordinary Markdown link to the reference's
anchor, for example ``[Reynolds et al. 2024](#ref-reynolds2024)``: the link
text reads naturally in any viewer and the key is machine-checkable. The
``## References`` cell at the end of each notebook is generated from the keys
a notebook cites (``python3 course.py execute`` rewrites it); the lint tests
fail when a key is missing from the bibliography or the cell is out of date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.inputs import read_choice, read_instance, read_mapping, read_sequence, read_text
from ..core.resources import content_file
from .validation import ContentError, content_path, read_structured, refusal

BIBLIOGRAPHY_FILE = content_file("references.json")
CITATION = re.compile(r"\]\(#ref-([A-Za-z0-9_.:-]+)\)")
REFERENCES_HEADING = "## References"
GENERATED_NOTE = (
    "<!-- Generated from the course bibliography (src/isotretinoin_course/content/references.json)"
    " by `python3 course.py execute`. Edit the bibliography, not this cell. -->"
)


class BibliographyError(ContentError):
    """A bibliography entry or a citation that cannot be used."""


@dataclass(frozen=True)
class Bibliography:
    source: str
    entries: Mapping[str, Mapping]

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def entry(self, key: str) -> Mapping:
        """The entry with this id; an unknown id is refused with the closest suggested."""
        return self.entries[read_choice(key, "key", list(self.entries), what=f"entries of {self.source}", error=BibliographyError)]


_TEXT_FIELDS = ("id", "title", "type", "container-title", "publisher", "URL", "DOI", "note", "volume", "issue", "page", "citation-label")


def entry_problems(entry: Mapping) -> list[str]:
    """What makes an entry unusable: no id, title, year, or source to find it by; a field of the wrong kind."""
    if not isinstance(entry, Mapping):
        return [f"an entry must be an object with 'id', 'title' ..., not {type(entry).__name__}"]
    key = entry.get("id") if isinstance(entry.get("id"), str) else "?"
    problems = [f"entry {key!r}: field {name!r} must be text, not {type(entry[name]).__name__}" for name in _TEXT_FIELDS
                if name in entry and not isinstance(entry[name], str) and not (name in ("volume", "issue", "page") and type(entry[name]) is int)]
    for role in ("author", "editor"):
        people = entry.get(role, [])
        if not isinstance(people, list) or not all(isinstance(person, Mapping) and all(isinstance(part, str) for part in person.values())
                                                   for person in people):
            problems.append(f"entry {key!r}: field {role!r} must be a list of names (objects of text)")
    if problems:
        return problems
    if not entry.get("id"):
        problems.append("an entry has no 'id'")
    if not entry.get("title"):
        problems.append(f"entry {key!r} has no 'title'")
    if year_of(entry) is None:
        problems.append(f"entry {key!r} has no year ('issued' date-parts)")
    if not any(entry.get(name) for name in ("container-title", "publisher", "URL", "DOI")):
        problems.append(f"entry {key!r} has no source ('container-title', 'publisher', 'URL' or 'DOI')")
    if entry.get("type") == "article-journal" and not entry.get("author"):
        problems.append(f"entry {key!r} is a journal article without 'author'")
    return problems


def _usable(entry: object) -> Mapping:
    """An entry that :func:`format_entry` and :func:`short_citation` can use, or a refusal listing its problems."""
    entry = read_mapping(entry, "entry", what="a bibliography entry (a mapping)", error=BibliographyError)
    problems = entry_problems(entry)
    if problems:
        raise BibliographyError("entry", entry.get("id"), "a complete CSL-JSON entry", message="entry: " + "; ".join(problems))
    return entry


def year_of(entry: Mapping) -> int | None:
    if not isinstance(entry, Mapping):
        return None
    try:
        year = entry["issued"]["date-parts"][0][0]
    except (KeyError, IndexError, TypeError):
        return None
    return int(year) if str(year).isascii() and str(year).isdigit() else None


def load_bibliography(path: str | Path | Traversable | None = None) -> Bibliography:
    """Load the course bibliography (or the CSL-JSON file at ``path``) and refuse it if any entry is unusable."""
    if path is None:
        return _course_bibliography()
    path = content_path(path, "path", BibliographyError)
    data = read_structured(path, BibliographyError)
    if not isinstance(data, list):
        raise refusal(BibliographyError, path.name, type(data).__name__, "a list of entries", "CSL-JSON must be a list of entries")
    problems = [f"entry {number}: {problem}" for number, entry in enumerate(data, 1) for problem in entry_problems(entry)]
    keys = [entry.get("id") for entry in data if isinstance(entry, Mapping) and isinstance(entry.get("id"), str)]
    duplicates = sorted({key for key in keys if key and keys.count(key) > 1})
    problems += [f"id {key!r} is used twice" for key in duplicates]
    if problems:
        raise refusal(BibliographyError, path.name, None, "complete CSL-JSON entries", "; ".join(problems))
    return Bibliography(path.name, {entry["id"]: entry for entry in data})


@cache
def _course_bibliography() -> Bibliography:
    return load_bibliography(BIBLIOGRAPHY_FILE)


def _text_item(value: object, field: str) -> str:
    """One item of a list of texts (a citation key, a cell's text)."""
    return read_text(value, field, error=BibliographyError)


def cited_keys(texts: Iterable[str]) -> list[str]:
    """Citation keys in order of first appearance."""
    keys: list[str] = []
    for text in read_sequence(texts, "texts", _text_item, error=BibliographyError):
        for key in CITATION.findall(text):
            if key not in keys:
                keys.append(key)
    return keys


def _name(person: Mapping) -> str:
    if "literal" in person:
        return person["literal"]
    initials = "".join(part[0] for part in re.split(r"[\s.-]+", person.get("given", "")) if part)
    return f"{person.get('family', '')} {initials}".strip()


def _authors(entry: Mapping) -> str:
    people = entry.get("author") or entry.get("editor") or []
    names = [_name(person) for person in people]
    if len(names) > 6:  # Vancouver: the first six, then et al.
        names = names[:6] + ["et al"]
    return ", ".join(names)


def format_entry(entry: Mapping) -> str:
    """One entry in a compact Vancouver-like style, as Markdown."""
    entry = _usable(entry)
    parts = []
    authors = _authors(entry)
    if authors:
        parts.append(f"{authors.rstrip('.')}.")
    parts.append(f"{entry['title'].rstrip('.')}.")
    year = year_of(entry)
    if entry.get("container-title"):
        detail = f"*{entry['container-title']}*. {year}"
        if entry.get("volume"):
            detail += f";{entry['volume']}"
            if entry.get("issue"):
                detail += f"({entry['issue']})"
        if entry.get("page"):
            detail += f":{entry['page']}"
        parts.append(detail + ".")
    else:
        publisher = entry.get("publisher")
        parts.append(f"{publisher}; {year}." if publisher else f"{year}.")
    if entry.get("note"):
        parts.append(f"{entry['note'].rstrip('.')}.")
    if entry.get("DOI"):
        parts.append(f"doi:[{entry['DOI']}](https://doi.org/{entry['DOI']})")
    elif entry.get("URL"):
        parts.append(f"<{entry['URL']}>")
    return " ".join(parts)


def short_citation(entry: Mapping) -> str:
    """An author–year citation as a student reads it, e.g. "Titus and Hodge 2012", "Williams et al. 2012".

    An entry may carry its own CSL ``citation-label`` (for organisations whose full name is long, e.g.
    "MHRA 2026"); otherwise the label is built from the first authors' family names and the year.
    """
    entry = _usable(entry)
    if entry.get("citation-label"):
        return str(entry["citation-label"])
    people = [person for person in entry.get("author") or entry.get("editor") or [] if person.get("literal") != "et al"]
    names = [person.get("literal") or person.get("family", "") for person in people]
    et_al = any(person.get("literal") == "et al" for person in entry.get("author") or [])
    if not names:
        who = entry["title"]
    elif len(names) == 1:
        who = f"{names[0]} et al." if et_al else names[0]
    elif len(names) == 2 and not et_al:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    year = year_of(entry)
    return f"{who} {year}" if year else who


def entry_link(entry: Mapping) -> str | None:
    """Where a reader can find the entry: its DOI as a link, else its URL, else nothing."""
    entry = _usable(entry)
    if entry.get("DOI"):
        return f"https://doi.org/{entry['DOI']}"
    return entry.get("URL") or None


def _sort_key(entry: Mapping) -> tuple:
    return (_authors(entry).lower() or entry["title"].lower(), year_of(entry) or 0, entry["id"])


def references_markdown(keys: Sequence[str], bibliography: Bibliography) -> str:
    """The whole ``## References`` cell for these keys, sorted by author and year."""
    bibliography = read_instance(bibliography, "bibliography", Bibliography, "a Bibliography (load_bibliography())", error=BibliographyError)
    keys = read_sequence(keys, "keys", _text_item, unique=True, error=BibliographyError)
    missing = [key for key in keys if key not in bibliography]
    if missing:
        raise BibliographyError("keys", missing, f"keys of {bibliography.source}",
                                message=f"keys: cited but not in {bibliography.source}: {', '.join(missing)}")
    entries = sorted((bibliography.entry(key) for key in keys), key=_sort_key)
    lines = [REFERENCES_HEADING, "", GENERATED_NOTE, ""]
    lines += [f'- <a id="ref-{entry["id"]}"></a>{format_entry(entry)}' for entry in entries]
    return "\n".join(lines)
