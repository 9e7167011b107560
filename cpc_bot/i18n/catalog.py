"""Compile the translation catalogues (.po -> .mo) at start, so stale binaries never ship.

Maintainers: ``python -m cpc_bot.i18n.catalog update`` re-extracts messages.pot from the
code, templates, dialogs and guides and merges it into every language;
``check`` fails when a language misses a translation or breaks a placeholder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po

DOMAIN = "messages"
SOURCE_LOCALE = "en"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w+\}")
TAG = re.compile(r"</?[a-z-]+")


class CatalogError(Exception):
    """A .po file cannot be read; the message names the file."""


def po_files(locales_dir: Path) -> list[Path]:
    return sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def available_locales(locales_dir: Path) -> list[str]:
    return [po.parent.parent.name for po in po_files(locales_dir)]


def compile_catalogs(locales_dir: Path) -> list[str]:
    """Write each .mo that is missing or older than its .po; returns the locales found."""
    for po in po_files(locales_dir):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as fh:
                catalog = read_po(fh, abort_invalid=True)
        except (PoFileError, ValueError) as exc:
            raise CatalogError(f"{po}: {exc}") from None
        tmp = mo.with_suffix(f".mo.{os.getpid()}.tmp")  # several processes may compile at once
        with tmp.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        tmp.replace(mo)  # atomic: a second process starting at once never reads half a file
    return available_locales(locales_dir)


def problems(locales_dir: Path) -> list[str]:
    """Missing translations, fuzzy entries, broken placeholders or tags, and translations far
    shorter than their English (a sentence left as one word), one line each."""
    with (locales_dir / f"{DOMAIN}.pot").open("rb") as fh:
        template = read_po(fh)
    wanted = {m.id for m in template if m.id}
    found: list[str] = []
    for po in po_files(locales_dir):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        lang = po.parent.parent.name
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                found.append(f"{lang}: fuzzy: {ids[0][:60]!r}")
            if not all(strings):
                found.append(f"{lang}: not translated: {ids[0][:60]!r}")
                continue
            for text in strings:
                if len(ids[0]) > 25 and len(text) < 0.4 * len(ids[0]):
                    # A sentence turned into one word ("Nie", "Dlaczego"): a slip when merging, not a translation.
                    found.append(f"{lang}: suspiciously short: {ids[0][:60]!r} -> {text!r}")
                if sorted(PLACEHOLDER.findall(ids[0])) != sorted(PLACEHOLDER.findall(text)):
                    found.append(f"{lang}: placeholders differ: {ids[0][:60]!r}")
                if sorted(TAG.findall(ids[0])) != sorted(TAG.findall(text)):
                    found.append(f"{lang}: HTML tags differ: {ids[0][:60]!r}")
        have = {m.id for m in catalog if m.id}
        found.extend(f"{lang}: missing: {(i if isinstance(i, str) else i[0])[:60]!r}" for i in sorted(wanted - have, key=str))
    return found


def _pybabel(*args: str) -> None:
    # pybabel names every file it reads; show its output only when something went wrong.
    done = subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], capture_output=True, text=True)
    if done.returncode != 0 or "warning" in done.stderr.lower():
        print(done.stdout + done.stderr, file=sys.stderr)  # noqa: T201 - a maintainer's command
    done.check_returncode()


def extract_template(root: Path, out: Path) -> None:
    """Every translatable string in the Python code, Jinja2 templates and YAML dialogs (babel.cfg)."""
    _pybabel("extract", "-F", str(root / "babel.cfg"), "-o", str(out),
             "--no-location", "--sort-output", "--add-comments=Translators:", "--project=cpc-bot",
             "-k", "__", "-k", "N_", "-k", "lazy_gettext", str(root))


def fill_source_catalog(po: Path) -> None:
    """English is the source language: its catalogue repeats every msgid (plural forms too)."""
    with po.open("rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with po.open("wb") as fh:
        write_po(fh, catalog, width=0)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(__file__).resolve().parents[2]
    locales = root / "locales"
    command = args[0] if args else "compile"
    if command == "update":
        extract_template(root, locales / f"{DOMAIN}.pot")
        _pybabel("update", "-i", str(locales / f"{DOMAIN}.pot"), "-d", str(locales), "-D", DOMAIN,
                 "--no-fuzzy-matching", "--ignore-obsolete")
        fill_source_catalog(locales / SOURCE_LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po")
    if command in ("update", "compile"):
        print("compiled:", ", ".join(compile_catalogs(locales)))  # noqa: T201 - a maintainer's command
        return 0
    if command == "check":
        found = problems(locales)
        for line in found:
            print(line)  # noqa: T201
        return 1 if found else 0
    print("usage: python -m cpc_bot.i18n.catalog [update|compile|check]")  # noqa: T201
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
