"""Calendar invites (iCalendar, RFC 5545) for adapters that share a file rather than keep a platform event.

Why in the core: Slack and the console both attach an ``.ics`` for a :class:`bot.actions.CalendarEvent`, and a
moved or cancelled session must replace the invite members already imported: the same ``UID`` with a higher
``SEQUENCE`` (and ``METHOD:CANCEL`` / ``STATUS:CANCELLED`` when it is off) is what calendar apps understand.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from bot.actions import CalendarEvent


def ics_bytes(event: CalendarEvent, *, stamp: datetime) -> bytes:
    """The invite as an iCalendar file (UTC times, so every member's calendar shows their own local time)."""
    calendar = Calendar()
    calendar.add("prodid", "-//copbot//community sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if event.cancelled else "PUBLISH")
    entry = Event()
    entry.add("uid", event.uid)
    entry.add("dtstamp", stamp.astimezone(UTC))
    entry.add("dtstart", datetime.fromisoformat(event.starts_at).astimezone(UTC))
    entry.add("dtend", datetime.fromisoformat(event.ends_at).astimezone(UTC))
    entry.add("summary", event.title)
    entry.add("sequence", event.sequence)
    entry.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.location:
        entry.add("location", event.location)
        entry.add("url", event.location)
    if event.text:
        entry.add("description", event.text)
    calendar.add_component(entry)
    return bytes(calendar.to_ical())


def ics_name(event: CalendarEvent) -> str:
    """A file name members recognise: the session's title, made safe."""
    safe = "".join(c if c.isalnum() else "-" for c in event.title.lower()).strip("-")[:40] or "session"
    return f"{safe}.ics"
