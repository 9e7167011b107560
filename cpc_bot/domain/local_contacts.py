"""Local contacts for families, per area, as data (``local_contacts.yaml``, each with its source)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

#: libyaml's parser where PyYAML has it: the same results as SafeLoader, several times faster at start-up.
_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FILE = Path(__file__).with_name("local_contacts.yaml")


@dataclass(frozen=True)
class Contact:
    key: str
    title: str  # English source string, translated where shown
    text: str  # English source string, translated where shown
    phone: str | None
    email: str | None
    source: str


@cache
def _all() -> dict[str, tuple[Contact, ...]]:
    raw = yaml.load(FILE.read_text(encoding="utf-8"), Loader=_YAML) or {}
    return {area: tuple(Contact(c["key"], c["title"], c["text"], c.get("phone"), c.get("email"), c["source"])
                        for c in entries)
            for area, entries in raw.items()}


def contacts_for(area: str) -> tuple[Contact, ...]:
    """The area's contacts from the seeds (none for an area the seeds give none for)."""
    return _all().get(area, ())


def areas_with_contacts() -> tuple[str, ...]:
    return tuple(_all())
