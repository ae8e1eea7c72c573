"""The funding what-if on the Dutch demo build gives the same answers with its first phase
after funding computed only as far as it reports (`data_funding._first_phase_after`: from the
stored sequencing state plus the raised elements, first phase only) as with the roadmap
engine's full run on the funded levels (`reference` below: what it ran before), for any
selection (the whole EU, a region, a size class, empty ones and ones too small to publish),
package, rule, reach and budget, under both visibility rules (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.funding.answer import answer_json
from dashboard.views.policy import data_funding as df
from dashboard.views.policy.selection import Selection
from pipelines.maturity import funding as fe
from pipelines.maturity.roadmap import Peers
from pipelines.reference import SIZE_CLASS_KEYS


def reference(base: df.FundingBase, f_rows: np.ndarray, pkg: fe.Package):
    """The first phase after funding as the what-if made it before: the engine's population
    run (scores and components included) on the raised levels with the full peer proof."""
    data, rm = base.data, base.data.roadmaps
    eids = data.model.element_ids
    after_lv = fe.raise_levels(base.levels[f_rows], np.ones(len(f_rows), dtype=bool), pkg, eids)
    p = base.peers
    peers = Peers(p.share[f_rows], p.count[f_rows], p.known[f_rows], p.suppressed[f_rows],
                  p.at_least)
    seq, _ = fe.first_phase_counts(
        data.model, after_lv, requirements=base.laws.requirements,
        profile=base.laws.index[base.rows[f_rows]], peers=peers, per_phase=rm.per_phase,
        targets=rm.target)
    return fe.first_phase_shift(base.first_phase[f_rows], seq, len(eids))


@st.composite
def requests(draw, ctx):
    attrs = ctx.attributes
    nuts2 = sorted(str(x) for x in attrs.nuts2_labels)
    sel = draw(st.sampled_from([
        Selection(), Selection("NL"),
        Selection("NL", draw(st.sampled_from(nuts2))),
        Selection("NL", None, draw(st.sampled_from(SIZE_CLASS_KEYS))),
        # a region and a size class: often too small to publish, or nobody at all
        Selection("NL", draw(st.sampled_from(nuts2)), draw(st.sampled_from(SIZE_CLASS_KEYS)))]))
    eids = list(ctx.framework.element_ids)
    items = draw(st.lists(st.tuples(st.sampled_from(eids), st.integers(1, 4)), min_size=1,
                          max_size=3, unique_by=lambda x: x[0]))
    pkg = fe.make_package(items, eids)
    rule = draw(st.sampled_from(["leverage", "smallest", "below", "readiness"]))
    law = draw(st.sampled_from([x.id for x in ctx.framework.all_laws])) \
        if rule == "readiness" else None
    cap = draw(st.sampled_from(["reach", "budget", "none"]))
    reach = draw(st.sampled_from([0, 1, 7, 40, 1000])) if cap == "reach" else None
    budget = draw(st.sampled_from([0.0, 3e4, 1e6, 1e9])) if cap == "budget" else None
    if rule != "below" and reach is None and budget is None:
        reach = 25
    return df.Request(sel, pkg, rule, reach, budget, law)


def _same_answers(ctx, req):
    new = df.what_if(ctx, req)
    saved = df._first_phase_after
    df._first_phase_after = reference
    try:
        old = df.what_if(ctx, req)
    finally:
        df._first_phase_after = saved
    assert new.status == old.status
    if new.status == "ok":
        assert np.array_equal(new.first_phase_after, old.first_phase_after)
        assert np.array_equal(new.first_phase_before, old.first_phase_before)
    assert answer_json(ctx, [new], "en") == answer_json(ctx, [old], "en")
    return new


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(data=st.data())
def test_consent_answers_equal_the_engines_full_run(nl_ctx, data):
    _same_answers(nl_ctx, data.draw(requests(nl_ctx)))


@SETTINGS
@given(data=st.data())
def test_open_answers_equal_the_engines_full_run(nl_open_ctx, data):
    _same_answers(nl_open_ctx, data.draw(requests(nl_open_ctx)))


def test_the_stored_state_is_kept_and_used(nl_open_ctx):
    """The base keeps the stored levels' sequencing state (whole weights): a what-if that funds
    every municipality below target changes the first phase and still equals the full run."""
    ctx = nl_open_ctx
    base = df.funding_base(ctx, ctx.warehouse.snapshot())
    assert base.state is not None and base.state.shape == (len(base.rows),
                                                           2 * len(ctx.framework.element_ids))
    a = _same_answers(ctx, df.Request(Selection("NL"), fe.parse_package(
        "SEC-02:4,GOV-02:4", ctx.framework.element_ids), "below"))
    assert a.result.funded > 100
    assert not np.array_equal(a.first_phase_after, a.first_phase_before)
