"""Text that XML 1.0 can carry."""

from __future__ import annotations

import re

# XML 1.0 allows tab, line feed and carriage return, but no other C0 control
# character, no lone surrogate and not U+FFFE or U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 cannot hold with a visible escape such as ``\\u001b``."""
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
