"""Settings come from the environment only, with documented defaults."""

from __future__ import annotations

import pytest

from dashboard.config import ROOT, SETTINGS_DOC, Settings


def test_defaults():
    s = Settings.from_env({})
    assert s.port == 8050 and s.lang == "nl" and not s.debug
    assert s.framework_dir == ROOT / "data" / "framework"
    assert s.data_dir == ROOT / "data"


def test_overrides_and_relative_paths(tmp_path):
    s = Settings.from_env({"PORT": "9000", "DS4E_DATA_DIR": str(tmp_path), "DS4E_LANG": "EN",
                           "DS4E_REFERENCE_DIR": "elsewhere/ref", "DS4E_DEBUG": "1"})
    assert s.port == 9000 and s.lang == "en" and s.debug
    assert s.data_dir == tmp_path
    assert s.reference_dir == ROOT / "elsewhere" / "ref"


@pytest.mark.parametrize(("env", "word"), [({"DS4E_LANG": "fr"}, "DS4E_LANG"),
                                           ({"PORT": "eighty"}, "PORT")])
def test_bad_values_are_named(env, word):
    with pytest.raises(ValueError, match=word):
        Settings.from_env(env)


def test_the_state_folder_is_the_data_folder_unless_set(tmp_path):
    """Nothing moves for an existing installation: drafts and submissions stay under the data
    folder until DS4E_STATE_DIR names another one."""
    assert Settings.from_env({}).state_dir == ROOT / "data"
    assert Settings.from_env({"DS4E_DATA_DIR": str(tmp_path)}).state_dir == tmp_path
    assert Settings.from_env({"DS4E_DATA_DIR": str(tmp_path), "DS4E_STATE_DIR": ""}).state_dir \
        == tmp_path
    s = Settings.from_env({"DS4E_DATA_DIR": str(tmp_path), "DS4E_STATE_DIR": "var/state"})
    assert s.state_dir == ROOT / "var" / "state" and s.data_dir == tmp_path


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in SETTINGS_DOC:
        assert f"`{name}`" in readme, f"README does not document {name}"
