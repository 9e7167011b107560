"""Markers for strings that are translated later, where they are shown.

``N_`` marks a string for extraction into the catalogue without translating it
now: domain code stays free of any locale, and the caller translates the
string with the user's own translator when it renders it.
"""


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "no-op" markers
    """Return ``message`` unchanged; babel extracts it because of the name."""
    return message
