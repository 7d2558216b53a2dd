"""Student-controlled text made safe to quote: bounded, printable, encodable.

Anything a submission can choose (exception messages, printed values, names) may reach
a report. ``clip`` quotes at most ``limit`` characters of it, shows control characters,
bidirectional overrides and lone surrogates as escapes (``\\x1b``, ``\\u202e``,
``\\ud800``), and never raises, whatever it is given: the result is always valid UTF-8
and cannot redraw or reorder a terminal's lines.
"""
import re

MORE = "… ({n} more characters)"
UNPRINTABLE = "<unprintable {type}>"

# control characters (not tab or newline), bidirectional marks and overrides, which could
# redraw or reorder a terminal's lines, and surrogates, which no encoder accepts
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match):
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def as_text(value):
    """``value`` as a str, without raising: a str as it is, anything else str()'d."""
    if isinstance(value, str):
        return str.__str__(value)           # a plain str, even from a str subclass
    try:
        text = str(value)
        if isinstance(text, str):
            return str.__str__(text)
    except Exception:
        pass
    try:
        return UNPRINTABLE.format(type=type(value).__name__)
    except Exception:
        return UNPRINTABLE.format(type="object")


def safe(text):
    """The whole of ``text`` with control characters, bidi overrides and surrogates
    shown as escapes, e.g. \\x1b (no length limit: see ``clip``)."""
    return _UNSAFE.sub(_escape, as_text(text))


def clip(text, limit=200):
    """At most ``limit`` characters of ``text``, made safe (see ``safe``), followed by
    "… (N more characters)" when some were left out."""
    text = as_text(text)
    limit = max(int(limit), 0)
    if len(text) <= limit:
        return safe(text)
    return safe(text[:limit]) + MORE.format(n=len(text) - limit)


__all__ = ["MORE", "as_text", "clip", "safe"]
