"""Guides: short pages of plain-language explanation (``guides/*.yaml``), checked at start.

Their ``title`` and ``text`` strings are English msgids, extracted for translation by
the same babel extractor as the questionnaires.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cpc_bot.engine.loader import DialogError
from cpc_bot.engine.schema import check_key

#: libyaml's parser where PyYAML has it: the same results as SafeLoader, several times faster at start-up.
_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class GuidePage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    title: str
    #: May name facts that depend on the reader, such as ``%(reports_rule)s`` (their area's rule),
    #: filled in when the page is shown.
    text: str
    #: Where each fact comes from: a seed file with a quote from it ('001_....txt: "..."'), or national
    #: guidance; one source or a list. For maintainers and reviewers; never shown, never translated.
    source: list[str] = Field(default_factory=list)
    #: A children's page for one age band only ("12plus": what the plan's categories mean);
    #: empty: for everyone the guide is for.
    ages: list[Literal["under12", "12plus"]] = Field(default_factory=list)

    def for_age(self, age: str | None) -> bool:
        """Shown to a child of this age band; a page for one band only when the band is known."""
        return not self.ages or age in self.ages

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_more(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        return check_key(v)

    @field_validator("text")
    @classmethod
    def _fits_a_message(cls, v: str) -> str:
        # Telegram shows at most 4096 characters; translations grow, so leave room.
        if len(v) > 3000:
            raise ValueError("a page must be under 3000 characters; split it in two")
        return v


class Guide(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    audience: Literal["parent", "child", "professional"]
    pages: list[GuidePage]

    def page(self, key: str, age: str | None = None) -> GuidePage | None:
        return next((p for p in self.pages if p.key == key and p.for_age(age)), None)

    def pages_for(self, age: str | None) -> list[GuidePage]:
        """The pages a reader of this age band sees (``None``: not known, only the pages for every age)."""
        return [p for p in self.pages if p.for_age(age)]


def load_guides(directory: Path) -> dict[str, Guide]:
    """Every guide by audience; a mistake names the file and the page."""
    guides: dict[str, Guide] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            guide = Guide.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML))
        except yaml.YAMLError as exc:
            raise DialogError(f"{path.name}: not valid YAML ({exc})") from None
        except ValidationError as exc:
            err = exc.errors()[0]
            where = " > ".join(str(p) for p in err["loc"])
            raise DialogError(f"{path.name}: {where}: {err['msg'].removeprefix('Value error, ')}") from None
        keys = [p.key for p in guide.pages]
        if len(keys) != len(set(keys)):
            raise DialogError(f"{path.name}: page keys must be unique")
        guides[guide.audience] = guide
    return guides
