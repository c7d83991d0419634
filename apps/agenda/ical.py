"""A small iCalendar (RFC 5545) writer: just what the calendar feed needs.

Lines end in CRLF (3.1), content lines longer than 75 octets are folded (3.1: a CRLF and one
space, never inside a UTF-8 character), TEXT values are escaped (3.3.11: backslash, semicolon,
comma, newline). Times are written in UTC ("Z", 3.3.5 form #2), so no VTIMEZONE is needed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
LINE_OCTETS = 75


def text_escape(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """One content line, folded at 75 octets (RFC 5545 3.1), without the final CRLF."""
    parts: list[str] = []
    current, size, limit = [], 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [" "], 1, LINE_OCTETS  # the space counts in the 75
        current.append(char)
        size += octets
    parts.append("".join(current))
    return CRLF.join(parts)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime  # aware
    end: datetime  # aware
    summary: str
    cancelled: bool = False


def calendar(events: Iterable[Event], *, name: str, stamp: datetime) -> str:
    """The whole VCALENDAR, CRLF-terminated lines, folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Care-case management//Agenda//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{text_escape(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{utc_stamp(stamp)}",
            f"DTSTART:{utc_stamp(event.start)}",
            f"DTEND:{utc_stamp(event.end)}",
            f"SUMMARY:{text_escape(event.summary)}",
            f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
