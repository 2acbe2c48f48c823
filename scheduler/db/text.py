"""Text from outside (a model's answer, a server's message, a program's output) as PostgreSQL stores it.

A UTF-8 database's `text` and `jsonb` refuse code points a Python `str` can hold and a server can
send: U+0000 (NUL, refused by both) and the surrogates U+D800-U+DFFF (JSON's `"\\ud800"` escape
decodes to a lone one, which no UTF-8 text can hold). Every other code point is stored as it is.

- Answers (`generations.response_text` and `reasoning_text`) are stored losslessly: when either
  holds a refused code point, both are stored escaped (`escape`) and `generations.text_encoding`
  says `escaped`; `unescape` gives back exactly the text the server sent. Everything that reads an
  answer reads it through `answer_texts`, so a grader, a regrade and an export see the sent text.
- Diagnostics (errors, finish reasons, server info, timings, grade logs and check details) are
  stored readably (`storable`): a refused code point becomes its `\\uXXXX` spelling and a number
  JSON cannot hold (NaN, infinity) its name. They are for people, never graded, so this is lossy.

The escape: a backslash becomes two, a refused code point `\\u` and four lowercase hex digits.
Reading back turns exactly those two forms into what they stood for, left to right.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from scheduler.db.vocabulary import TextEncoding

_REFUSED = re.compile("[\x00\ud800-\udfff]")
_TO_ESCAPE = re.compile("[\\\\\x00\ud800-\udfff]")
_ESCAPED = re.compile(r"\\(\\|u[0-9a-f]{4})")


def refused(text: str) -> bool:
    """True when PostgreSQL text cannot hold `text` as it is (a NUL or a surrogate in it)."""
    return _REFUSED.search(text) is not None


def escape(text: str) -> str:
    """`text` in a form PostgreSQL text holds, reversible by `unescape`."""
    return _TO_ESCAPE.sub(lambda m: "\\\\" if m[0] == "\\" else f"\\u{ord(m[0]):04x}", text)


def unescape(text: str) -> str:
    """The text `escape` was given."""
    return _ESCAPED.sub(lambda m: "\\" if m[1] == "\\" else chr(int(m[1][1:], 16)), text)


def stored_answers(response_text: str, reasoning_text: str) -> tuple[TextEncoding, str, str]:
    """(encoding, response, reasoning) as the `generations` columns hold them."""
    if refused(response_text) or refused(reasoning_text):
        return TextEncoding.ESCAPED, escape(response_text), escape(reasoning_text)
    return TextEncoding.PLAIN, response_text, reasoning_text


def answer_texts(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row read from `generations` with its `response_text` and `reasoning_text` as they were
    sent; the row must carry `text_encoding`, which the result leaves out."""
    values = {k: v for k, v in row.items() if k != "text_encoding"}
    if row["text_encoding"] == TextEncoding.ESCAPED:
        for key in ("response_text", "reasoning_text"):
            if isinstance(values.get(key), str):
                values[key] = unescape(values[key])
    return values


def storable(value: Any) -> Any:
    """A diagnostic value (a string, or a JSON value of dicts, lists, strings and numbers) that
    PostgreSQL text and jsonb take: refused code points spelled `\\uXXXX`, NaN and infinities
    as their names."""
    if isinstance(value, str):
        return _REFUSED.sub(lambda m: f"\\u{ord(m[0]):04x}", value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Mapping):
        return {storable(str(k)): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value
