"""Settings: the only place that reads os.environ. Every setting is documented in README."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name -> (default, description); README's settings table is checked against this.
SETTINGS_DOC: dict[str, tuple[str, str]] = {
    "PORT": ("8050", "Port that `make run` (gunicorn) and `python app.py` serve on."),
    "HOST": ("127.0.0.1", "Interface that `make run` and `python app.py` bind to (0.0.0.0 in a "
             "container)."),
    "DS4E_WORKERS": ("", "gunicorn worker processes (`make run`); empty: one per CPU core."),
    "DS4E_THREADS": ("4", "Threads per gunicorn worker: requests one worker serves at once."),
    "DS4E_REHEARSE": ("1", "`1`: gunicorn's master opens every page once before forking, so the "
                      "workers share what a first render loads; `0` starts faster."),
    "DS4E_DATA_DIR": ("data", "Folder for survey inbox and built warehouse; tests point it elsewhere."),
    "DS4E_FRAMEWORK_DIR": ("data/framework", "Folder of the versioned framework content."),
    "DS4E_REFERENCE_DIR": ("data/reference", "Folder of the municipality reference data."),
    "DS4E_LANG": ("nl", "Default interface and content language (`nl` or `en`)."),
    "DS4E_DEBUG": ("0", "`1` runs Dash in debug mode (hot reload, error pop-ups)."),
    "DS4E_VISIBILITY": ("consent", "`consent`: other municipalities' individual results only where "
                        "they consented; `open`: everyone's (all participants agreed, or demo)."),
    "DS4E_MIN_GROUP": ("5", "Aggregates over fewer municipalities than this are not shown."),
    "DS4E_TRUSTED_PROXIES": ("0", "Number of reverse proxies in front of the app whose X-Forwarded-For "
                             "and X-Forwarded-Proto are believed (0: none, headers ignored)."),
    "DS4E_RATE_LIMITS": ("1", "`0` switches every rate limit off (a load test from one address)."),
    "DS4E_RATE_LIMIT_STORAGE": ("memory://", "Where limit counters live; `memory://` counts per "
                                "worker process, `redis://host:6379` or `memcached://host:11211` "
                                "shares them between workers and machines."),
    "DS4E_LIMIT_WHAT_IF": ("60/minute", "Draft-law what-ifs per client (API and Legislation page)."),
    "DS4E_LIMIT_HEAVY": ("60/minute", "Bundle, full municipality list and table downloads per client."),
    "DS4E_LIMIT_SURVEY_SAVE": ("120/minute", "Survey draft saves per survey link."),
    "DS4E_LIMIT_SURVEY_SUBMIT": ("10/minute", "Survey submissions per survey link."),
    "DS4E_STATE_DIR": ("", "The one folder the app writes to: survey waves, links, drafts and "
                       "submissions. Empty: the data folder (`survey/`, `inbox/survey/`)."),
}

# the settings that hold a rate limit, in flask-limiter's notation ("30/minute", "5/second;100/day")
LIMIT_SETTINGS = ("DS4E_LIMIT_WHAT_IF", "DS4E_LIMIT_HEAVY", "DS4E_LIMIT_SURVEY_SAVE",
                  "DS4E_LIMIT_SURVEY_SUBMIT")


def _limit(name: str, value: str) -> str:
    """A typo in a limit fails at start, not as a 500 on the first request it guards."""
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f"{name} must be a rate limit such as '30/minute' or "
                         f"'5/second;100/day', got {value!r}") from None
    return value


def cpu_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    port: int = 8050
    host: str = "127.0.0.1"
    data_dir: Path = ROOT / "data"
    framework_dir: Path = ROOT / "data" / "framework"
    reference_dir: Path = ROOT / "data" / "reference"
    lang: str = "nl"
    debug: bool = False
    visibility: str = "consent"
    min_group: int = 5
    trusted_proxies: int = 0  # proxy hops whose X-Forwarded-* headers are believed
    rate_limits: bool = True
    rate_limit_storage: str = "memory://"
    limit_what_if: str = "60/minute"
    limit_heavy: str = "60/minute"
    limit_survey_save: str = "120/minute"
    limit_survey_submit: str = "10/minute"
    # Serving needs write access here only: the published build and reference data are read.
    state_dir: Path = ROOT / "data"
    workers: int = field(default_factory=cpu_cores)  # gunicorn.conf.py
    threads: int = 4
    rehearse: bool = True  # gunicorn.conf.py

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def path(name: str) -> Path:
            p = Path(env.get(name, SETTINGS_DOC[name][0]))
            return p if p.is_absolute() else ROOT / p

        lang = env.get("DS4E_LANG", "nl").lower()
        if lang not in ("nl", "en"):
            raise ValueError(f"DS4E_LANG must be 'nl' or 'en', got {lang!r}")
        port = env.get("PORT", "8050")
        if not port.isdigit():
            raise ValueError(f"PORT must be a number, got {port!r}")
        visibility = env.get("DS4E_VISIBILITY", "consent").lower()
        if visibility not in ("consent", "open"):
            raise ValueError(f"DS4E_VISIBILITY must be 'consent' or 'open', got {visibility!r}")
        min_group = env.get("DS4E_MIN_GROUP", "5")
        if not min_group.isdigit() or int(min_group) < 1:
            raise ValueError(f"DS4E_MIN_GROUP must be a whole number >= 1, got {min_group!r}")
        proxies = env.get("DS4E_TRUSTED_PROXIES", "0")
        if not proxies.isdigit():
            raise ValueError(f"DS4E_TRUSTED_PROXIES must be a whole number >= 0, got {proxies!r}")
        limits = {name: _limit(name, env.get(name, SETTINGS_DOC[name][0])) for name in LIMIT_SETTINGS}
        data_dir = path("DS4E_DATA_DIR")
        # Empty means the data folder, where these files lived before the setting existed.
        state_dir = path("DS4E_STATE_DIR") if env.get("DS4E_STATE_DIR") else data_dir
        workers, threads = env.get("DS4E_WORKERS", ""), env.get("DS4E_THREADS", "4")
        for name, value in (("DS4E_WORKERS", workers or "1"), ("DS4E_THREADS", threads)):
            if not value.isdigit() or int(value) < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        return cls(
            port=int(port),
            host=env.get("HOST", "127.0.0.1"),
            data_dir=data_dir,
            framework_dir=path("DS4E_FRAMEWORK_DIR"),
            reference_dir=path("DS4E_REFERENCE_DIR"),
            lang=lang,
            debug=env.get("DS4E_DEBUG", "0") == "1",
            visibility=visibility,
            min_group=int(min_group),
            trusted_proxies=int(proxies),
            rate_limits=env.get("DS4E_RATE_LIMITS", "1") != "0",
            rate_limit_storage=env.get("DS4E_RATE_LIMIT_STORAGE", "memory://"),
            limit_what_if=limits["DS4E_LIMIT_WHAT_IF"],
            limit_heavy=limits["DS4E_LIMIT_HEAVY"],
            limit_survey_save=limits["DS4E_LIMIT_SURVEY_SAVE"],
            limit_survey_submit=limits["DS4E_LIMIT_SURVEY_SUBMIT"],
            state_dir=state_dir,
            workers=int(workers) if workers else cpu_cores(),
            threads=int(threads),
            rehearse=env.get("DS4E_REHEARSE", "1") != "0",
        )
