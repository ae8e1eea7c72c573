"""Snapshot.published: the binary-search lookup answers as the pattern's MultiIndex did."""

from __future__ import annotations

from dashboard.store import area_key


def published_by_at(snap, visibility, wave, area_type, area_id) -> bool:
    """The lookup as it was: `.at` on the pattern's (wave, area_type, area_id) index."""
    try:
        return bool(snap.pattern(visibility).at[(wave, area_type, area_id), "publish"])
    except KeyError:
        return False


def test_every_area_and_some_unknown_ones_answer_as_before(nl_ctx):
    snap = nl_ctx.warehouse.snapshot()
    for visibility in ("consent", "open"):
        keys = list(snap.pattern(visibility).index)
        unknown = [("2026", "country", "XX"), ("1999", "country", "NL"), ("2026", "nuts2", ""),
                   ("2026", "country_size", "NL:nope"), ("2026", "country", "NL\0")]
        shown = 0
        for key in keys + unknown:
            new = snap.published(*key, visibility=visibility)
            assert new == published_by_at(snap, visibility, *key), (visibility, key)
            shown += new
        assert shown > 0 and (visibility == "open" or shown < len(keys))  # both answers occur
    assert snap.published(*keys[0]) == snap.published(*keys[0], visibility=snap.visibility)


def test_area_key_keeps_the_three_parts_apart():
    assert area_key("2026", "country", "NL") != area_key("2026", "countr", "yNL")
