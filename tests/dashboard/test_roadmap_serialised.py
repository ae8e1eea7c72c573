"""The Roadmap callback's panels, written as the JSON data Dash sends (panels.node/alert), are
byte for byte what the component-built panels were (roadmap_panels_reference.py): Dash's
encoding of the whole callback answer compared for a few hundred varied inputs on the Dutch demo
build, under the consent and the open rule, in both languages."""

from __future__ import annotations

import json
import random

import numpy as np
import roadmap_panels_reference as old
from plotly.utils import PlotlyJSONEncoder

from dashboard.i18n import LANGS, normalise_lang
from dashboard.views.roadmap import callbacks, panels
from dashboard.views.roadmap.analysis import analyse
from pipelines.maturity.roadmap import DEFAULT_WEIGHTS


def _old_update(ctx, m, wave, weights, target, done, plan, focus, lang):
    """callbacks.update with the reference panels."""
    lang = normalise_lang(lang)
    a = analyse(ctx, m, wave, weights, target, done, plan)
    options, value = old.focus_options(ctx, a, focus, lang)
    return (old.status(ctx, a, lang), old.steps_panel(ctx, a, lang),
            old.whatif_panel(ctx, a, lang), old.passive_panel(ctx, a, lang),
            old.help_panel(ctx, a, lang), options, value)


def _encoded(out) -> str:
    return json.dumps(out, cls=PlotlyJSONEncoder)  # as Dash encodes a callback's answer


def _inputs(ctx, n: int, seed: int):
    snap = ctx.warehouse.snapshot()
    cube = snap.maturity
    mids = [str(x) for x in cube.municipality_ids]
    answered = [mids[r] for r in np.flatnonzero((cube.levels >= 0).any(axis=(0, 2)))]
    waves = [str(w) for w in snap.waves]
    elements = [e.id for e in ctx.framework.elements]
    rng = random.Random(seed)
    yield None, waves[-1], DEFAULT_WEIGHTS.raw(), 3, None, None, None, "en"
    for k in range(n):
        weights = ((0, 0, 0, 0) if k % 50 == 7 else
                   tuple(round(w * rng.uniform(0, 2), 2) for w in DEFAULT_WEIGHTS.raw()))
        wave = rng.choice(waves) if k % 4 == 0 else waves[-1]  # some with no answers in it
        yield (rng.choice(mids if k % 5 == 0 else answered), wave, weights,
               rng.choice([1, 2, 3, 3, 4, 5]), rng.sample(elements, rng.choice([0, 0, 1, 3])),
               rng.sample(elements, rng.choice([0, 0, 4, 12])), None, rng.choice(["en", "nl"]))


def test_serialised_panels_are_the_component_panels_byte_for_byte(nl_ctx, nl_open_ctx):
    seen = set()
    for ctx, seed in ((nl_ctx, 1), (nl_open_ctx, 2)):
        for args in _inputs(ctx, 150, seed):
            new = _encoded(callbacks.update(ctx, *args))
            assert new == _encoded(_old_update(ctx, *args)), args
            # which kinds of answer were compared (each must occur below)
            seen |= {kind for kind, mark in (
                ("hidden", "did not consent"), ("noanswer", "has no answers in"),
                ("never", "has not answered the survey yet"), ("thin", "rm-thin"),
                ("assess", "rm-assess-section"), ("steps", "roadmap-step-"),
                ("help", "rm-help"), ("whatif", "rm-effects"), ("plan", "rm-lacking"),
                ("weights", "Every weight is 0"), ("nl", "Fase 1"),
                ("pick", "Pick a municipality")) if mark in new}
    assert seen == {"hidden", "noanswer", "never", "thin", "assess", "steps", "help", "whatif",
                    "plan", "weights", "nl", "pick"}, seen


def test_the_warm_up_builds_every_kickstart_block_an_answer_reads(nl_ctx):
    """Each element's Kickstart block in each language is made before the first request; an
    answer then reads them (and makes none), and they are what an answer made them as."""
    fw = nl_ctx.framework
    panels._KICKSTART.clear()
    callbacks._warm(nl_ctx)
    keys = {(fw.checksum, e, lang) for e in fw.element_ids for lang in LANGS}
    assert keys <= set(panels._KICKSTART)
    warm = dict(panels._KICKSTART)
    for m, wave, weights, target, done, plan, focus, lang in _inputs(nl_ctx, 6, seed=3):
        callbacks.update(nl_ctx, m, wave, weights, target, done, plan, focus, lang)
    assert set(panels._KICKSTART) == set(warm)
    assert all(panels._KICKSTART[k] is v for k, v in warm.items())
    panels._KICKSTART.clear()  # made again as needed: the same blocks
    for e in list(fw.element_ids)[:3]:
        assert panels.kickstart(nl_ctx, e, "en") == warm[(fw.checksum, e, "en")]
