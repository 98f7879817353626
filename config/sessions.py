"""The `rituals.sessions` section of community.yaml: workshops, webinars, guest talks and the rota's sessions."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from config.base import Strict
from config.durations import Duration
from config.texts import text_with


class SessionTexts(Strict):
    """What the bot says about sessions; placeholders in braces are filled in."""

    announce: text_with("title", "when", "host", "link", "duration") = Field(  # type: ignore[valid-type]
        default="📅 *{title}*\n{when} ({duration}), hosted by {host}.\nJoin: {link}\nWill you be there?",
        description="the announcement, above the RSVP buttons",
    )
    reminder: text_with("title", "when", "link") = Field(  # type: ignore[valid-type]
        default="Starting soon: *{title}* at {when}. Join: {link}", description="the DM to those going"
    )
    thanks: text_with("title", "hosts") = Field(  # type: ignore[valid-type]
        default="Thank you {hosts} for *{title}*! Were you there? Tell us with the button.",
        description="after the session: the thanks, above the \"I was there\" button",
    )


class SessionsConfig(Strict):
    """Community sessions: announced with RSVP buttons and a calendar invite, reminded, attendance counted."""

    enabled: bool = Field(default=True, description="false pauses sessions (nothing is announced or reminded)")
    channel: str | None = Field(default=None, description="logical channel for announcements; default general")
    duration: Duration = Field(default=timedelta(hours=1), description="how long a session lasts unless told")
    link: str = Field(default="", description="where sessions happen (a video call link) unless told")
    remind_before: Duration = Field(
        default=timedelta(minutes=30),
        description="those who said they are going get a DM this long before (at the hourly check before that)",
    )
    attendance_for: Duration = Field(
        default=timedelta(days=2), description='how long after a session its "I was there" button counts'
    )
    from_rota: bool = Field(
        default=True,
        description="the facilitator rota's sessions become community sessions (RSVP, calendar, attendance) "
        "announced by this ritual instead of the rota's plain post",
    )
    rota_title: str = Field(default="Community session", description="the title of the rota's sessions")
    texts: SessionTexts = Field(default_factory=SessionTexts, description="what the bot says")
