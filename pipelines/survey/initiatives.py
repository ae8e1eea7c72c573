"""Co-development initiatives: a municipality proposes to develop an element (or a component
under it) with partners, or offers what it built for reuse; others join as co-developer or
future adopter. Pure file I/O in the writable survey store (the state folder).

Layout: `<state>/survey/initiatives/events.jsonl`, one JSON event a line, only ever appended
(the immutable history); the current state of every initiative is the fold of its events
(`fold`). Writers take a file lock (as the waves' invitations do), so two workers cannot both
let a municipality join twice. A partly written last line (a crash mid-append) is skipped.

Who may act: creating, joining and leaving need a working survey link of a municipality (the
link's municipality acts; a replaced, revoked or expired link is refused with a message saying
so); hiding and unhiding need a wave's coordinator link. Every refusal is an `InitiativeError`
naming the field (`field`), a refused link a `LinkRefused` (the API's 403).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.survey.waves import Access, SurveyError, SurveyStore

KINDS = ("seeks_partners", "offers_reuse")
ROLES = ("co_developer", "adopter")
EVENTS = ("created", "joined", "left", "hidden", "unhidden")
MAX_DESCRIPTION = 500
MAX_COMPONENT = 120
MAX_REASON = 300
MAX_OPEN = 20  # shown initiatives one municipality may own at once (a flood stays small)
EARLIEST_START = dt.date(2000, 1, 1)
LATEST_START = dt.date(2100, 12, 31)
INITIATIVE_ID = re.compile(r"^I-[0-9a-f]{12}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class InitiativeError(SurveyError):
    """A request that cannot be carried out; `field` names the input at fault."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


class LinkRefused(InitiativeError):
    """The survey or coordinator link does not allow this (unknown, replaced, expired, or the
    wrong kind of link)."""


class UnknownInitiative(InitiativeError):
    """No initiative with this id (or it is hidden from whoever asks)."""


@dataclass(frozen=True)
class Initiative:
    """The current state of one initiative: the fold of its events."""

    id: str
    element: str
    component: str | None
    description: str
    start: dt.date
    kind: str
    owner: str
    created_at: str
    members: dict[str, str] = field(default_factory=dict)  # municipality -> role, join order
    hidden: bool = False
    hidden_reason: str | None = None
    history: tuple[dict, ...] = ()

    def count(self, role: str) -> int:
        return sum(1 for r in self.members.values() if r == role)

    def involves(self, municipality_id: str) -> bool:
        return municipality_id == self.owner or municipality_id in self.members


def fold(events: Iterable[dict]) -> dict[str, Initiative]:
    """The current state of every initiative from its events, in order. Robust to any order:
    an event for an unknown initiative, a second 'created', a join of a member or of the owner,
    and a leave of a non-member change nothing (the store never writes them), but every event of
    a known initiative stays in its history."""
    state: dict[str, dict] = {}
    for ev in events:
        iid, kind = ev.get("initiative"), ev.get("event")
        cur = state.get(iid)
        if kind == "created":
            if cur is None:
                state[iid] = {"ev": ev, "members": {}, "hidden": False, "reason": None,
                              "history": [ev]}
            else:
                cur["history"].append(ev)
            continue
        if cur is None:
            continue
        cur["history"].append(ev)
        who = ev.get("municipality_id")
        if kind == "joined":
            if who != cur["ev"]["municipality_id"] and who not in cur["members"] \
                    and ev.get("role") in ROLES:
                cur["members"][who] = ev["role"]
        elif kind == "left":
            cur["members"].pop(who, None)
        elif kind in ("hidden", "unhidden"):
            cur["hidden"] = kind == "hidden"
            cur["reason"] = ev.get("reason") if kind == "hidden" else None
    out = {}
    for iid, cur in state.items():
        c = cur["ev"]
        out[iid] = Initiative(iid, c["element"], c.get("component"), c["description"],
                              dt.date.fromisoformat(c["start"]), c["kind"], c["municipality_id"],
                              c["at"], dict(cur["members"]), cur["hidden"], cur["reason"],
                              tuple(cur["history"]))
    return out


def link_message(access: Access) -> str:
    if access.status == "revoked":
        return ("this survey link was replaced or revoked: ask your survey coordinator for the "
                "current link of your municipality")
    if access.status == "expired":
        when = access.expired_at.date().isoformat() if access.expired_at else "earlier"
        return f"this survey link expired on {when}: ask your survey coordinator for a new one"
    return "this survey link is not known: open the link your municipality received"


def _text(value: object, name: str, limit: int, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InitiativeError(name, f"{name}: empty; write a short text "
                                        f"(at most {limit} characters)")
        return None
    if not isinstance(value, str):
        raise InitiativeError(name, f"{name}: must be text")
    text = value.strip()
    if _CONTROL.search(text):
        raise InitiativeError(name, f"{name}: contains control characters")
    if len(text) > limit:
        raise InitiativeError(name, f"{name}: {len(text)} characters; at most {limit}")
    return text


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InitiativeError("start", f"start: {value!r} is not a date (YYYY-MM-DD)") from None
    if not isinstance(value, dt.date):
        raise InitiativeError("start", "start: give a date (YYYY-MM-DD)")
    if not EARLIEST_START <= value <= LATEST_START:
        raise InitiativeError("start", f"start: {value.isoformat()} is not between "
                                       f"{EARLIEST_START.isoformat()} and {LATEST_START.isoformat()}")
    return value


def _choice(value: object, name: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise InitiativeError(name, f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _utc_now(now: dt.datetime | None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    return now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC)


@dataclass
class InitiativeStore:
    """The initiatives in a survey store. `element_ids`: the framework's elements (an initiative
    names one of them)."""

    survey: SurveyStore
    element_ids: frozenset[str]
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.element_ids = frozenset(self.element_ids)

    @property
    def folder(self) -> Path:
        return self.survey.root / "initiatives"

    @property
    def path(self) -> Path:
        return self.folder / "events.jsonl"

    # ----------------------------------------------------------------- reading

    def events(self) -> list[dict]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                continue  # a partly written line (a crash while appending)
            if isinstance(ev, dict) and ev.get("event") in EVENTS:
                out.append(ev)
        return out

    def all(self) -> dict[str, Initiative]:
        """Every initiative (hidden ones too), cached until the file changes."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        key = (st.st_mtime_ns, st.st_size)
        hit = self._cache.get("all")
        if hit and hit[0] == key:
            return hit[1]
        out = fold(self.events())
        self._cache["all"] = (key, out)
        return out

    def get(self, initiative_id: object, *, coordinator: bool = False) -> Initiative:
        found = self.all().get(initiative_id) if isinstance(initiative_id, str) else None
        if found is None or (found.hidden and not coordinator):
            raise UnknownInitiative("initiative", f"initiative: no initiative {initiative_id!r}")
        return found

    # ----------------------------------------------------------------- links

    def municipality_of(self, token: object, *, now: dt.datetime | None = None) -> str:
        """The municipality a survey link acts for; LinkRefused otherwise."""
        if token is None or token == "":
            raise LinkRefused("token", "no survey link: open your municipality's survey link "
                                       "first (it is in the invitation of your survey "
                                       "coordinator)")
        access = self.survey.open_link(token, now=now)
        if not access.ok:
            raise LinkRefused("token", link_message(access))
        if access.coordinator or access.invitation is None:
            raise LinkRefused("token", "a coordinator link does not act for a municipality: "
                                       "open your municipality's survey link")
        return access.invitation.municipality_id

    def coordinator_of(self, token: object, *, now: dt.datetime | None = None) -> str:
        """The wave whose coordinator link this is; LinkRefused otherwise."""
        access = self.survey.open_link(token, now=now)
        if not access.ok:
            raise LinkRefused("token", link_message(access).replace("survey link",
                                                                    "coordinator link"))
        if not access.coordinator:
            raise LinkRefused("token", "only a survey coordinator's link may hide or unhide an "
                                       "initiative")
        return access.wave.wave

    # ----------------------------------------------------------------- writing

    def create(self, token: object, *, element: object, description: object, start: object,
               kind: object, component: object = None, now: dt.datetime | None = None
               ) -> Initiative:
        now = _utc_now(now)
        owner = self.municipality_of(token, now=now)
        if not isinstance(element, str) or element not in self.element_ids:
            raise InitiativeError("element", f"element: {element!r} is not an element of the "
                                             "framework")
        ev = {"event": "created", "element": element,
              "component": _text(component, "component", MAX_COMPONENT, required=False),
              "description": _text(description, "description", MAX_DESCRIPTION, required=True),
              "start": _date(start).isoformat(), "kind": _choice(kind, "kind", KINDS),
              "municipality_id": owner}
        with self._locked():
            known = self.all()
            mine = sum(1 for i in known.values() if i.owner == owner and not i.hidden)
            if mine >= MAX_OPEN:
                raise InitiativeError("owner", f"owner: your municipality owns {mine} shown "
                                               f"initiatives, the most at once ({MAX_OPEN}); a "
                                               "coordinator can hide ones that ended")
            iid = _new_id(known)
            self._append({"initiative": iid, "at": _iso(now), **ev})
        return self.all()[iid]

    def join(self, token: object, initiative_id: object, role: object, *,
             now: dt.datetime | None = None) -> Initiative:
        now = _utc_now(now)
        who = self.municipality_of(token, now=now)
        role = _choice(role, "role", ROLES)
        with self._locked():
            ini = self.get(initiative_id)
            if who == ini.owner:
                raise InitiativeError("initiative", "initiative: your municipality started it; "
                                                    "it cannot join its own initiative")
            if who in ini.members:
                raise InitiativeError("initiative", f"initiative: your municipality joined "
                                                    f"already (as {ini.members[who]})")
            self._append({"initiative": ini.id, "at": _iso(now), "event": "joined",
                          "municipality_id": who, "role": role})
        return self.all()[ini.id]

    def leave(self, token: object, initiative_id: object, *,
              now: dt.datetime | None = None) -> Initiative:
        now = _utc_now(now)
        who = self.municipality_of(token, now=now)
        with self._locked():
            ini = self.get(initiative_id)
            if who not in ini.members:
                raise InitiativeError("initiative", "initiative: your municipality is not a "
                                                    "member (an owner cannot leave its own)")
            self._append({"initiative": ini.id, "at": _iso(now), "event": "left",
                          "municipality_id": who})
        return self.all()[ini.id]

    def hide(self, token: object, initiative_id: object, reason: object, *,
             now: dt.datetime | None = None) -> Initiative:
        return self._visibility(token, initiative_id, reason, hidden=True, now=now)

    def unhide(self, token: object, initiative_id: object, reason: object = None, *,
               now: dt.datetime | None = None) -> Initiative:
        return self._visibility(token, initiative_id, reason, hidden=False, now=now)

    def _visibility(self, token, initiative_id, reason, *, hidden: bool, now) -> Initiative:
        now = _utc_now(now)
        wave = self.coordinator_of(token, now=now)
        text = _text(reason, "reason", MAX_REASON, required=hidden)
        with self._locked():
            ini = self.get(initiative_id, coordinator=True)
            if ini.hidden == hidden:
                raise InitiativeError("initiative", f"initiative: {ini.id} is "
                                                    f"{'hidden' if hidden else 'shown'} already")
            self._append({"initiative": ini.id, "at": _iso(now),
                          "event": "hidden" if hidden else "unhidden",
                          "coordinator_wave": wave, "reason": text})
        return self.all()[ini.id]

    def _append(self, event: dict) -> None:
        line = (json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # end a partly written line first: it stays skipped alone
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def _new_id(known: dict) -> str:
    while True:
        iid = "I-" + secrets.token_hex(6)
        if iid not in known:
            return iid
