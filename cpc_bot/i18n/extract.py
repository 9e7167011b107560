"""A babel extractor for questionnaires and guides (``dialogs/*.yaml``, ``guides/*.yaml``).

Every string in a translatable field (see ``TRANSLATABLE_FIELDS``) becomes a msgid,
exactly as the loader reads it, with a comment naming the file, step and field so
translators see where it is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

from cpc_bot.engine.schema import TRANSLATABLE_FIELDS


def _walk(node: yaml.Node, where: list[str]) -> Iterator[tuple[int, str, str]]:
    if isinstance(node, yaml.MappingNode):
        key_name = next((v.value for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "key"
                         and isinstance(v, yaml.ScalarNode)), None)
        here = [*where, key_name] if key_name else where
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else ""
            if name in TRANSLATABLE_FIELDS and isinstance(value, yaml.ScalarNode) and value.value:
                yield value.start_mark.line + 1, value.value, " > ".join([*here, name])
            else:
                yield from _walk(value, here)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, where)


def extract_dialog_yaml(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel's extractor interface: (line, function, message, comments) per string."""
    text = fileobj.read().decode(options.get("encoding", "utf-8"))
    root = yaml.compose(text)
    if root is None:
        return
    top_id = ""
    if isinstance(root, yaml.MappingNode):
        top_id = next((v.value for k, v in root.value if k.value == "id" and isinstance(v, yaml.ScalarNode)), "")
    for line, message, where in _walk(root, [top_id] if top_id else []):
        # The loader applies no YAML tags to these fields, so the composed scalar is the loaded string.
        yield line, None, message, [where]
