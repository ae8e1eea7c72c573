"""Settings: the only place that reads os.environ. Every setting is documented in README."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name -> (default, description); README's settings table is checked against this.
SETTINGS_DOC: dict[str, tuple[str, str]] = {
    "PORT": ("8050", "Port that `python app.py` serves on."),
    "HOST": ("127.0.0.1", "Interface that `python app.py` binds to (0.0.0.0 in a container)."),
    "DS4E_DATA_DIR": ("data", "Folder for survey inbox and built warehouse; tests point it elsewhere."),
    "DS4E_FRAMEWORK_DIR": ("data/framework", "Folder of the versioned framework content."),
    "DS4E_REFERENCE_DIR": ("data/reference", "Folder of the municipality reference data."),
    "DS4E_LANG": ("nl", "Default interface and content language (`nl` or `en`)."),
    "DS4E_DEBUG": ("0", "`1` runs Dash in debug mode (hot reload, error pop-ups)."),
    "DS4E_VISIBILITY": ("consent", "`consent`: other municipalities' individual results only where "
                        "they consented; `open`: everyone's (all participants agreed, or demo)."),
    "DS4E_MIN_GROUP": ("5", "Aggregates over fewer municipalities than this are not shown."),
}


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
        return cls(
            port=int(port),
            host=env.get("HOST", "127.0.0.1"),
            data_dir=path("DS4E_DATA_DIR"),
            framework_dir=path("DS4E_FRAMEWORK_DIR"),
            reference_dir=path("DS4E_REFERENCE_DIR"),
            lang=lang,
            debug=env.get("DS4E_DEBUG", "0") == "1",
            visibility=visibility,
            min_group=int(min_group),
        )
