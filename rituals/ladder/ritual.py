"""The member ladder: private suggestions to facilitators of who may be ready for a next step, and the invitation.

Weekly (``rituals.ladder.schedule``) the ladder reads what is stored (prompt replies, pairings met, kudos
received, newcomers buddied, sessions co-hosted and hosted) and :func:`rituals.ladder.decisions.suggest` picks
the members past every threshold of their next rung. Facilitators get each suggestion privately (their channel,
or DMs) with the figures and two buttons: *Invite* or *Not now*. An invitation goes to the member, who may
accept or decline. Nothing changes without both yeses. Accepting has real effects where copbot has them: a new
buddy joins the onboarding buddy pool; a new co-host or facilitator joins the facilitator rota's pool (where,
with ``cohost_for_newer_than_days``, they co-host first).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import Button, DirectMessage, Post
from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.events import ButtonClicked, Event
from bot.member_lookup import display_name, resolve
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec
from bot.text import mention
from config.ladder import LadderConfig
from rituals.ladder.decisions import LABELS, Candidate, Figures, explain, higher, suggest, thresholds_for
from storage import activity as activity_store
from storage import facilitator as rota_store
from storage import kudos as kudos_store
from storage import ladder as store
from storage import onboarding as onboarding_store
from storage import queries
from storage.times import utc

INVITE = "ladder.invite"
DISMISS = "ladder.dismiss"
ACCEPT = "ladder.accept"
DECLINE = "ladder.decline"
CLOSED = ("declined", "dismissed", "expired")


class LadderRitual(ConfiguredRitual[LadderConfig]):
    """Suggests, invites on a facilitator's yes, and applies a member's yes."""

    name = "ladder"
    section = "ladder"
    title = "The member ladder"

    def schedules(self) -> list[ScheduleSpec]:
        settings = self._on()
        return [ScheduleSpec("ladder", settings.schedule.cron, settings.schedule.grace)]

    # --- what is stored, as the decision needs it --------------------------------------------------

    def candidates(self, tx: Session, now: datetime) -> list[Candidate]:
        """Every member active within the window (storage/activity.py), with their current rung and figures.

        A member who did nothing in the window is nobody's candidate, whatever the thresholds ask (a rung that
        asks only for days in the community would otherwise suggest someone who was only ever welcomed).
        """
        settings = self._on()
        community = self.ctx.community
        since = now - timedelta(days=settings.window_days)
        counts: dict[str, Counter[str]] = {}
        for event in activity_store.activity(tx, community, since):
            bucket = counts.setdefault(event.member, Counter())
            if event.kind == "reply" and event.ritual == "prompts":
                bucket["prompt_replies"] += 1
            elif event.kind == "met":
                bucket["pairings_met"] += 1
            elif event.kind == "facilitated":
                bucket["sessions_hosted"] += 1
            elif event.kind == "co_hosted":
                bucket["sessions_co_hosted"] += 1
        kudos = kudos_store.received_counts(tx, community, since)
        buddied: Counter[str] = Counter(
            row.buddy for row in onboarding_store.sequences(tx, community)
            if row.buddy and row.buddy_at is not None and utc(row.buddy_at) >= since
        )
        confirmed = store.steps(tx, community)
        onboarding = self.ctx.config.rituals.onboarding
        buddies = set(onboarding_store.buddy_pool(tx, community, onboarding.buddies.volunteers if onboarding else []))
        pool = {v.member for v in rota_store.volunteers(tx, community) if not v.retired}
        roles = self.ctx.config.roles
        out = []
        for member in queries.members(tx, community):
            if member.key not in counts:
                continue
            c = counts[member.key]
            figures = Figures(
                days_member=max(0, (now - utc(member.joined_at)).days),
                prompt_replies=c["prompt_replies"],
                pairings_met=c["pairings_met"],
                kudos_received=kudos.get(member.key, 0),
                newcomers_buddied=buddied.get(member.key, 0),
                sessions_co_hosted=c["sessions_co_hosted"],
                sessions_hosted=c["sessions_hosted"],
            )
            current = confirmed.get(member.key, "newcomer")
            if member.key in buddies or figures.newcomers_buddied:
                current = higher(current, "buddy")
            if figures.sessions_co_hosted or member.key in pool:  # the rota's pool: newcomers to it co-host first
                current = higher(current, "co_host")
            if figures.sessions_hosted or member.key in roles.facilitators or member.key in roles.admins:
                current = higher(current, "facilitator")
            out.append(Candidate(member.key, current, figures))
        return out

    def _quiet(self, tx: Session, now: datetime) -> set[str]:
        """Members with an open suggestion, or a "not now"/decline/lapse more recent than ``quiet_after_no``."""
        quiet_for = self._on().quiet_after_no
        out = set()
        for row in store.suggestions(tx, self.ctx.community):
            if row.status in store.OPEN:
                out.add(row.member)
            elif row.status in CLOSED:
                when = row.answered_at or row.decided_at or row.suggested_at
                if utc(when) + quiet_for > now:
                    out.add(row.member)
        return out

    # --- the weekly pass ---------------------------------------------------------------------------

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        if not self.enabled():
            return []
        return self._expire(tx, slot) + self._suggest(tx, slot)

    def _suggest(self, tx: Session, now: datetime) -> list[Planned]:
        settings = self._on()
        community = self.ctx.community
        planned: list[Planned] = []
        for found in suggest(self.candidates(tx, now), settings.rungs, self._quiet(tx, now)):
            row = store.save(tx, store.LadderSuggestion(
                community=community, member=found.member, rung=found.rung,
                figures=json.dumps(found.figures.as_dict()), suggested_at=now))
            name = display_name(tx, community, found.member)
            text = (f"🪜 {name} may be ready to become a *{LABELS[found.rung]}*: "
                    f"{explain(found.figures.as_dict(), found.thresholds)}. "
                    "Invite them? They can say no, and nothing changes unless they say yes.")
            buttons = (Button("Invite", INVITE, str(row.id)), Button("Not now", DISMISS, str(row.id)))
            planned.extend(self._to_facilitators(text, buttons, f"ladder:{row.id}"))
        return planned

    def _expire(self, tx: Session, now: datetime) -> list[Planned]:
        planned: list[Planned] = []
        for row in store.suggestions(tx, self.ctx.community, ("invited",)):
            if row.expires_at is not None and utc(row.expires_at) <= now:
                row.status, row.answered_at = "expired", now
                store.save(tx, row)
                name = display_name(tx, self.ctx.community, row.member)
                planned.extend(self._to_facilitators(
                    f"{name} didn't answer the invitation to become a {LABELS[row.rung]}; it has lapsed.",
                    (), f"ladder:{row.id}"))
        return planned

    def _to_facilitators(self, text: str, buttons: tuple[Button, ...], subject: str) -> list[Planned]:
        config = self.ctx.config
        if config.community.channels.facilitators:
            return [Planned(Post(text=text, channel=config.community.channels.facilitators, buttons=buttons),
                            subject=subject)]
        return [Planned(DirectMessage(member=m, text=text, buttons=buttons), subject=subject)
                for m in sorted(set(config.roles.facilitators) | set(config.roles.admins))]

    # --- decisions by people -----------------------------------------------------------------------

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        if not isinstance(event, ButtonClicked) or event.action_id not in (INVITE, DISMISS, ACCEPT, DECLINE):
            return []
        if not self.enabled():
            return []
        row = store.suggestion(tx, self.ctx.community, int(event.value)) if event.value.isdigit() else None
        if row is None:
            return [Planned(DirectMessage(member=event.member, text="I can't find that suggestion any more."))]
        now = utc(event.at)
        try:
            if event.action_id in (INVITE, DISMISS):
                if self.ctx.role_of(event.member) < Role.FACILITATOR:
                    raise CommandError("Only facilitators can answer ladder suggestions.")
                if event.action_id == INVITE:
                    return self.invite(tx, row, event.member, now)[1]
                return self.dismiss(tx, row, event.member, now)[1]
            if event.member != row.member:
                raise CommandError("That invitation is for someone else.")
            return self.answer(tx, row, accepted=event.action_id == ACCEPT, now=now)
        except CommandError as exc:
            return [Planned(DirectMessage(member=event.member, text=str(exc)))]

    def invite(self, tx: Session, row: store.LadderSuggestion, by: str, now: datetime
               ) -> tuple[str, list[Planned]]:
        """A facilitator's yes: the member is invited (and may decline)."""
        name = display_name(tx, self.ctx.community, row.member)
        if row.status != "suggested":
            raise CommandError(f"The suggestion for {name} is already {row.status}.")
        row.status, row.decided_by, row.decided_at = "invited", by, now
        row.expires_at = now + self._on().invitation_expires
        store.save(tx, row)
        local = utc(row.expires_at).astimezone(ZoneInfo(self.ctx.config.community.timezone))
        text = (f"Hello! {mention(by)} and the facilitators of {self.ctx.config.community.name} noticed all you've "
                f"been giving, and would love you to become a {LABELS[row.rung]}. {self._what_it_means(row.rung)} "
                f"Would you like to? No pressure at all: saying no is fine, and you can answer until "
                f"{local:%A %d %B}.")
        buttons = (Button("Yes, I'd like that", ACCEPT, str(row.id)), Button("No, thank you", DECLINE, str(row.id)))
        planned = [Planned(DirectMessage(member=row.member, text=text, buttons=buttons), subject=f"ladder:{row.id}")]
        return f"Invited {name} to become a {LABELS[row.rung]}. I'll tell you what they say.", planned

    def dismiss(self, tx: Session, row: store.LadderSuggestion, by: str, now: datetime
                ) -> tuple[str, list[Planned]]:
        name = display_name(tx, self.ctx.community, row.member)
        if row.status != "suggested":
            raise CommandError(f"The suggestion for {name} is already {row.status}.")
        row.status, row.decided_by, row.decided_at = "dismissed", by, now
        store.save(tx, row)
        days = self._on().quiet_after_no.days
        return f"Noted: not now for {name}. I won't suggest them again for {days} days.", []

    def _what_it_means(self, rung: str) -> str:
        return {
            "regular": "It's a way of saying you're part of the furniture here, in the best sense.",
            "buddy": "Buddies welcome a newcomer or two and answer their questions in their first weeks.",
            "co_host": "Co-hosts run a community session beside an experienced host, who does the heavy lifting.",
            "facilitator": "Facilitators host community sessions on the rota and help run the rituals.",
        }.get(rung, "")

    def answer(self, tx: Session, row: store.LadderSuggestion, *, accepted: bool, now: datetime) -> list[Planned]:
        """The member's answer; only a yes changes their rung, with the effects copbot has for it."""
        community = self.ctx.community
        name = display_name(tx, community, row.member)
        if row.status != "invited":
            return [Planned(DirectMessage(member=row.member, text=(
                "That invitation has lapsed or was already answered; the facilitators can invite you again.")))]
        row.answered_at = now
        if not accepted:
            row.status = "declined"
            store.save(tx, row)
            return [Planned(DirectMessage(member=row.member, text=(
                "No problem at all, thank you for letting us know. Everything stays as it is.")),
                subject=f"ladder:{row.id}"),
                *self._to_facilitators(f"{name} said no, thank you, to becoming a {LABELS[row.rung]}. "
                                       "No change.", (), f"ladder:{row.id}")]
        row.status = "accepted"
        store.save(tx, row)
        store.set_step(tx, community, row.member, row.rung, row.decided_by or "", now)
        effects = self._apply(tx, row.member, row.rung, now)
        welcome = f"Wonderful, welcome aboard as a {LABELS[row.rung]}! " + " ".join(e[0] for e in effects)
        note = f"{name} accepted: they're now a {LABELS[row.rung]}. " + " ".join(e[1] for e in effects)
        return [Planned(DirectMessage(member=row.member, text=welcome.strip()), subject=f"ladder:{row.id}"),
                *self._to_facilitators(note.strip(), (), f"ladder:{row.id}")]

    def _apply(self, tx: Session, member: str, rung: str, now: datetime) -> list[tuple[str, str]]:
        """The real effects of a yes: (what the member is told, what the facilitators are told)."""
        community = self.ctx.community
        effects: list[tuple[str, str]] = []
        rituals = self.ctx.config.rituals
        if rung == "buddy" and rituals.onboarding is not None and rituals.onboarding.enabled:
            onboarding_store.set_volunteer(tx, community, member, True, now)
            effects.append(("You're in the buddy pool, so I'll introduce you to a newcomer soon "
                            "(`/cop buddy retire` any time).", "They joined the buddy pool."))
        if rung in ("co_host", "facilitator") and rituals.facilitator is not None and rituals.facilitator.enabled:
            day = utc(now).astimezone(ZoneInfo(self.ctx.config.community.timezone)).date()
            existing = rota_store.volunteer(tx, community, member)
            if existing is None or existing.retired:
                row = existing or rota_store.RotaVolunteer(community=community, member=member, volunteered_on=day,
                                                          updated_at=now)
                row.retired, row.away_until, row.volunteered_on, row.updated_at = False, None, day, now
                rota_store.save_volunteer(tx, row)
            cohost = rituals.facilitator.cohost_for_newer_than_days
            first = (f"you'll co-host beside an experienced host for your first {cohost} days"
                     if cohost else "`/cop facilitator next` shows when your turn comes")
            effects.append((f"You're in the facilitator rota's pool: {first}.", "They joined the facilitator pool."))
        if rung == "facilitator" and member not in self.ctx.config.roles.facilitators:
            effects.append(("", f"To give them the facilitator commands, add {member} under roles.facilitators "
                                "in community.yaml."))
        return effects

    # --- commands ----------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("ladder",), Role.FACILITATOR, "who may be ready for a next step, and open invitations",
                        self._list),
            CommandSpec(("ladder", "check"), Role.FACILITATOR, "look for new ladder suggestions now", self._check),
            CommandSpec(("ladder", "invite"), Role.FACILITATOR, "invite a suggested member to their next step",
                        self._invite, usage="@member", min_args=1, max_args=1),
            CommandSpec(("ladder", "dismiss"), Role.FACILITATOR, "not now for a suggested member", self._dismiss,
                        usage="@member", min_args=1, max_args=1),
        ]

    def _open_for(self, tx: Session, typed: str, status: str) -> store.LadderSuggestion:
        member = resolve(tx, self.ctx.community, typed, "/cop ladder invite @ana")
        for row in store.suggestions(tx, self.ctx.community, (status,)):
            if row.member == member.key:
                return row
        raise CommandError(f"There is no open ladder suggestion for {display_name(tx, self.ctx.community, member.key)}"
                           ". `/cop ladder` lists them; the ladder only suggests members past the thresholds in "
                           "community.yaml (rituals.ladder.rungs).")

    def _list(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        community = self.ctx.community
        lines = ["*Member ladder*"]
        for row in store.suggestions(call.tx, community, store.OPEN):
            name = display_name(call.tx, community, row.member)
            figures = explain(json.loads(row.figures), thresholds_for(settings.rungs, row.rung))
            state = "invited, waiting for their answer" if row.status == "invited" else "suggested"
            lines.append(f"• {name} → {LABELS[row.rung]} ({state}): {figures}")
        if len(lines) == 1:
            lines.append("No open suggestions. `/cop ladder check` looks again now.")
        return CommandResult("\n".join(lines))

    def _check(self, call: CommandCall) -> CommandResult:
        planned = self._suggest(call.tx, call.now)
        count = len({p.subject for p in planned})
        return CommandResult(f"{count} new suggestion{'s' if count != 1 else ''} sent to the facilitators."
                             if count else "No one new is past the thresholds right now.", planned)

    def _invite(self, call: CommandCall) -> CommandResult:
        self._on()
        row = self._open_for(call.tx, call.args[0], "suggested")
        reply, planned = self.invite(call.tx, row, call.event.member, call.now)
        return CommandResult(reply, planned)

    def _dismiss(self, call: CommandCall) -> CommandResult:
        self._on()
        row = self._open_for(call.tx, call.args[0], "suggested")
        reply, planned = self.dismiss(call.tx, row, call.event.member, call.now)
        return CommandResult(reply, planned)
