"""`python -m pipelines survey ...`: the coordinator's commands for the in-app survey."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from pathlib import Path

import pandas as pd

from pipelines.csv_safe import neutralise, safe_frame
from pipelines.staging import DataPaths
from pipelines.survey.waves import SUGGESTED_ROLES, TEAM, SurveyError, SurveyStore


def state_dir(args) -> Path:
    """The survey's folder: --state-dir ($DS4E_STATE_DIR), else the data folder."""
    return getattr(args, "state_dir", None) or args.data_dir


def data_paths(args) -> DataPaths:
    """The data folder of a command line, with the survey's state folder."""
    return DataPaths(args.data_dir, getattr(args, "state_dir", None))


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _when(text: str, *, end_of_day: bool) -> dt.datetime:
    """'2027-01-31' (start or end of that day, UTC) or an ISO 8601 time."""
    try:
        if len(text) == 10:
            day = dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
            return day + dt.timedelta(days=1) if end_of_day else day
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD) or ISO time") \
            from None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _reference(args):
    from pipelines.reference import MUNICIPALITIES_FILE, REFERENCE_DIR, load_municipalities

    return load_municipalities(Path(args.reference_dir or REFERENCE_DIR) / MUNICIPALITIES_FILE)


def _targets(args, reference: pd.DataFrame) -> list[str]:
    """The municipality ids to invite, from --country, --municipalities and --from-file."""
    from pipelines.reference import UnknownMunicipality, resolve_many

    codes: list[str] = []
    if args.municipalities:
        codes += [c.strip() for c in args.municipalities.split(",") if c.strip()]
    if args.from_file:
        table = pd.read_csv(args.from_file, dtype=str, keep_default_na=False)
        column = next((c for c in table.columns if c.strip().lower() in
                       ("municipality_id", "municipality", "code", "national_code")), None)
        if column is None:
            raise SurveyError(f"{args.from_file}: needs a municipality_id (or code) column")
        codes += [c.strip() for c in table[column] if c.strip()]
    ids: list[str] = []
    if codes:
        try:
            ids += resolve_many(codes, args.country, table=reference).tolist()
        except UnknownMunicipality as exc:
            shown = ", ".join(f"{code} ({cc})" if cc else str(code)
                              for code, cc in exc.unknown[:10])
            raise SurveyError(f"unknown municipality: {shown}"
                              + ("" if args.country else " (national codes need --country)")
                              ) from None
    elif args.country:
        mask = reference["country"] == args.country.upper()
        if not mask.any():
            raise SurveyError(f"no municipality in country {args.country!r}")
        ids += reference.loc[mask, "municipality_id"].tolist()
    if not ids:
        raise SurveyError("say whom to invite: --country NL, --municipalities GM0363,GM0599 "
                          "(with --country) or --from-file list.csv")
    return list(dict.fromkeys(ids))


def cmd_create_wave(args) -> int:
    store = SurveyStore(state_dir(args))
    wave, token = store.create_wave(args.wave, closes_at=args.closes, opens_at=args.opens,
                                    title=args.title or "")
    print(f"survey wave {wave.wave} open from {wave.opens_at:%Y-%m-%d %H:%M} to "
          f"{wave.closes_at:%Y-%m-%d %H:%M} UTC; links work until "
          f"{wave.links_valid_until:%Y-%m-%d}")
    print(f"coordinator link (keep it private, it is shown only now): "
          f"{args.base_url.rstrip('/')}/survey/progress?token={token}")
    return 0


def cmd_invite(args) -> int:
    store = SurveyStore(state_dir(args))
    out = Path(args.out)
    if out.exists():
        raise SurveyError(f"{out} exists: links are secrets, write them to a new file")
    reference = _reference(args)
    ids = _targets(args, reference)
    roles = [r for r in (args.roles or TEAM).split(",") if r.strip()]
    issued = store.invite(args.wave, ids, roles)
    names = reference.set_index("municipality_id")["name"]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("x", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["municipality_id", "name", "role", "link", "valid_until"])
        for link in issued:  # a links file is opened in a spreadsheet to send the links
            writer.writerow([neutralise(v) for v in (
                link.municipality_id, names.get(link.municipality_id, ""), link.role,
                link.url(args.base_url), link.expires_at.date().isoformat())])
    print(f"{len(issued):,} links for {len(ids):,} municipalities ({', '.join(roles)}) written "
          f"to {out}. Send each municipality its own links; only hashes are stored, so a lost "
          "link can only be replaced (invite again).")
    return 0


def cmd_revoke(args) -> int:
    store = SurveyStore(state_dir(args))
    if args.coordinator:
        if args.municipality or args.role:
            raise SurveyError("--coordinator renews the coordinator link only; revoke a "
                              "municipality's links in a separate command")
        token = store.renew_coordinator(args.wave)
        print(f"the old coordinator link of wave {args.wave} no longer works; the new one "
              f"(keep it private, it is shown only now): "
              f"{args.base_url.rstrip('/')}/survey/progress?token={token}")
        return 0
    if not args.municipality:
        raise SurveyError("say whose links to revoke: --municipality NL_GM0363 [--role cio], "
                          "or --coordinator for the coordinator link")
    mid = args.municipality.strip()
    if args.country and "_" not in mid:
        from pipelines.reference import UnknownMunicipality, resolve_many

        try:
            mid = resolve_many([mid], args.country, table=_reference(args)).tolist()[0]
        except UnknownMunicipality:
            raise SurveyError(f"unknown municipality {mid!r} in country {args.country!r}") \
                from None
    revoked = store.revoke(args.wave, mid, args.role)
    roles = ", ".join(sorted(i.role for i in revoked))
    print(f"revoked {len(revoked)} link(s) of {mid} in wave {args.wave} ({roles}); they no "
          "longer open anything. Answers given so far are kept; `survey invite` makes a new "
          "link for the same respondent.")
    return 0


def cmd_close(args) -> int:
    wave = SurveyStore(state_dir(args)).close_wave(args.wave)
    print(f"survey wave {wave.wave} closed at {wave.closes_at:%Y-%m-%d %H:%M} UTC")
    return 0


def cmd_status(args) -> int:
    from pipelines.survey.progress import municipality_status, rates, respondents, totals

    store = SurveyStore(state_dir(args))
    wave = store.wave(args.wave)
    status = municipality_status(respondents(store, wave.wave), _reference(args))
    t = totals(status)
    print(f"wave {wave.wave}: {t['invited']:,} municipalities invited, {t['started']:,} started, "
          f"{t['submitted']:,} submitted ({t['respondents_submitted']:,} of "
          f"{t['respondents_invited']:,} respondents)")
    for _, r in rates(status, "country").iterrows():
        print(f"  {r['country']}: {r['submitted']:,}/{r['invited']:,} submitted "
              f"({r['response_rate']:.0%}), {r['started']:,} started")
    return 0


def cmd_non_responders(args) -> int:
    from pipelines.survey.progress import municipality_status, non_responders, respondents

    store = SurveyStore(state_dir(args))
    wave = store.wave(args.wave)
    table = non_responders(municipality_status(respondents(store, wave.wave), _reference(args)))
    # names come from the reference data, but a reminders list is opened in a spreadsheet
    table = safe_frame(table)
    if args.out:
        table.to_csv(args.out, index=False)
        print(f"{len(table):,} municipalities have not submitted; written to {args.out}")
    else:
        table.to_csv(sys.stdout, index=False)
    return 0


def cmd_ingest(args) -> int:
    from pipelines.survey.pending import ingest_pending

    reports = ingest_pending(data_paths(args), progress=True)
    bad = [r for r in reports if not r.ok]
    print(f"{len(reports) - len(bad)} new survey submissions staged"
          + (f", {len(bad)} rejected" if bad else ""))
    for r in bad:
        _say(r.summary())
    return 1 if bad else 0


def _coordinator_token() -> str:
    """The coordinator link's token: $DS4E_COORDINATOR_TOKEN, else asked for (never an argument,
    which would land in the shell's history)."""
    import getpass
    import os

    token = os.environ.get("DS4E_COORDINATOR_TOKEN") or getpass.getpass(
        "coordinator link or its token (not shown): ")
    token = token.strip()
    return token.split("token=", 1)[1].split("&", 1)[0] if "token=" in token else token


def cmd_initiatives(args) -> int:
    """Every co-development initiative, hidden ones too (the coordinator's view)."""
    from pipelines.survey.initiatives import InitiativeStore

    rows = [{"id": i.id, "element": i.element, "component": i.component or "",
             "description": i.description, "start": i.start.isoformat(), "kind": i.kind,
             "owner": i.owner, "co_developers": i.count("co_developer"),
             "adopters": i.count("adopter"), "created": i.created_at,
             "hidden": "yes" if i.hidden else "no", "hidden_reason": i.hidden_reason or ""}
            for i in InitiativeStore(SurveyStore(state_dir(args)), ()).all().values()]
    table = safe_frame(pd.DataFrame(rows, columns=[
        "id", "element", "component", "description", "start", "kind", "owner", "co_developers",
        "adopters", "created", "hidden", "hidden_reason"]))
    if args.out:
        table.to_csv(args.out, index=False)
        print(f"{len(table)} initiatives written to {args.out}")
    else:
        print(table.to_csv(index=False), end="")
    return 0


def cmd_hide_initiative(args) -> int:
    from pipelines.survey.initiatives import InitiativeStore

    store = InitiativeStore(SurveyStore(state_dir(args)), ())
    token = _coordinator_token()
    if args.unhide:
        ini = store.unhide(token, args.id, args.reason)
        print(f"initiative {ini.id} is shown again")
    else:
        ini = store.hide(token, args.id, args.reason)
        print(f"initiative {ini.id} is hidden: it appears nowhere but in `survey initiatives`")
    return 0


def register(sub, add) -> None:
    s = add("survey", None, "run the in-app survey: waves, invitation links, progress",
            "Coordinator commands for the in-app survey. Submissions land in inbox/survey/ "
            "and are staged by `survey ingest` or automatically by `build`.")
    s.add_argument("--reference-dir", type=Path, default=None, help=argparse.SUPPRESS)
    ss = s.add_subparsers(dest="survey_command", required=True, metavar="SURVEY_COMMAND")

    def sadd(name, func, help_text):
        sp = ss.add_parser(name, help=help_text, description=help_text)
        sp.set_defaults(func=_guarded(func))
        return sp

    base = "http://localhost:8050"
    c = sadd("create-wave", cmd_create_wave, "open a survey wave; prints the coordinator link")
    c.add_argument("--wave", required=True, help="wave id, e.g. 2026 (also the build's wave)")
    c.add_argument("--closes", required=True, type=lambda v: _when(v, end_of_day=True),
                   help="closing date YYYY-MM-DD (open until the end of that day, UTC)")
    c.add_argument("--opens", type=lambda v: _when(v, end_of_day=False), default=None,
                   help="opening date YYYY-MM-DD (start of day, UTC) or time (default: now)")
    c.add_argument("--title", help="a title shown on the survey page")
    c.add_argument("--base-url", default=base, help=f"the app's address (default {base})")

    i = sadd("invite", cmd_invite, "make one secret link per municipality (and role)")
    i.add_argument("--wave", required=True)
    i.add_argument("--country", help="every municipality of this country, or the country of "
                                     "national codes in --municipalities")
    i.add_argument("--municipalities", help="comma-separated ids or national codes (GM0363,...)")
    i.add_argument("--from-file", help="CSV with a municipality_id (or code) column")
    i.add_argument("--roles", help=f"comma-separated respondent roles, e.g. "
                                   f"{','.join(SUGGESTED_ROLES)} (default: one link, '{TEAM}')")
    i.add_argument("--out", required=True, help="CSV to write the links to (must not exist)")
    i.add_argument("--base-url", default=base, help=f"the app's address (default {base})")

    r = sadd("revoke", cmd_revoke, "withdraw links: a municipality's (or one role's), or the "
                                   "coordinator link")
    r.add_argument("--wave", required=True)
    r.add_argument("--municipality", help="municipality id (NL_GM0363), or a national code "
                                          "with --country")
    r.add_argument("--country", help="the country of a national code in --municipality")
    r.add_argument("--role", help="only the link of this role (default: all its links)")
    r.add_argument("--coordinator", action="store_true",
                   help="renew the coordinator link instead: the old one stops working and the "
                        "new one is printed once")
    r.add_argument("--base-url", default=base, help=f"the app's address (default {base})")

    cl = sadd("close", cmd_close, "close a wave now: no more answers; links still open own views")
    cl.add_argument("--wave", required=True)

    st = sadd("status", cmd_status, "invited / started / submitted per country")
    st.add_argument("--wave", required=True)

    n = sadd("non-responders", cmd_non_responders, "invited municipalities that did not submit")
    n.add_argument("--wave", required=True)
    n.add_argument("--out", help="CSV file (default: print)")

    sadd("ingest", cmd_ingest, "stage the submissions that are not staged yet")

    ini = sadd("initiatives", cmd_initiatives, "every co-development initiative, hidden ones "
                                               "too (CSV)")
    ini.add_argument("--out", help="CSV file (default: print)")
    h = sadd("hide-initiative", cmd_hide_initiative,
             "hide a co-development initiative (or show it again with --unhide); needs a "
             "coordinator link: $DS4E_COORDINATOR_TOKEN, else asked for")
    h.add_argument("--id", required=True, help="initiative id (I-...)")
    h.add_argument("--reason", help="why (required to hide; kept in the history)")
    h.add_argument("--unhide", action="store_true", help="show a hidden initiative again")


def _guarded(func):
    def run(args) -> int:
        try:
            return func(args)
        except SurveyError as exc:
            _say(f"survey: {exc}")
            return 2
    return run
