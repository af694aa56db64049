"""How a company looks where it has no logo: an initials avatar in a colour of its own.

The colour comes from the company's name (a CRC, not Python's salted hash()), so the same company
has the same colour on every page, in every process and after every restart. Every colour in the
palette carries white initials at WCAG AA contrast (>= 4.5:1), in light and dark mode alike.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

# Dark enough for white text at >= 4.5:1 (tests/test_design.py checks each), distinct in hue.
AVATAR_COLOURS = (
    "#1d4ed8",  # blue
    "#7c3aed",  # violet
    "#be185d",  # pink
    "#b91c1c",  # red
    "#9a3412",  # orange-brown
    "#a16207",  # amber, darkened
    "#15803d",  # green
    "#0f766e",  # teal
    "#0e7490",  # cyan
    "#4338ca",  # indigo
    "#475569",  # slate
    "#86198f",  # fuchsia
)
AVATAR_TEXT = "#ffffff"

_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits in any script


@dataclass(frozen=True)
class Avatar:
    initials: str
    background: str
    foreground: str = AVATAR_TEXT


def company_initials(name: str) -> str:
    """Up to two letters: the first of the first two words ("Rocket Labs" -> "RL"), or the first
    two of a single word ("Acme" -> "AC"); "?" for a name with no letters at all."""
    words = _WORD.findall(name or "")
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[1][0]).upper()


def company_avatar(name: str) -> Avatar:
    """The fallback avatar for a company without a logo: its initials on a colour picked from its name."""
    key = (name or "").strip().casefold().encode()
    return Avatar(company_initials(name), AVATAR_COLOURS[zlib.crc32(key) % len(AVATAR_COLOURS)])


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio of two #rrggbb colours (1.0 to 21.0)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
