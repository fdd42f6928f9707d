"""Bytes → text, for inputs that do not declare their encoding."""

from __future__ import annotations

import re

from ..errors import BinaryInput, DecodeFailed

# C0/C1 control characters other than tab and newline: article text is hostile, and an
# escape sequence (ESC [ …) printed by `storyline show` would drive the user's terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode_text(data: bytes, *, path: str) -> str:
    """UTF-8 (with or without BOM) first; otherwise the encoding charset-normalizer finds.

    Text that decodes but is mostly control characters is binary in disguise (E103).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check(data[len(bom):].decode(encoding), path)
            except UnicodeDecodeError as exc:
                raise DecodeFailed(path=path, reason=f"{encoding} BOM but {exc.reason}") from None
    try:
        return _check(data.decode("utf-8"), path)
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise DecodeFailed(path=path, reason="no text encoding fits these bytes")
    return _check(str(best), path)


def _check(text: str, path: str) -> str:
    sample = text[:4096]
    if sample:
        control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
        if control / len(sample) > 0.05:
            raise BinaryInput(path=path, reason=f"{control} control characters in the first {len(sample)}")
    return strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
