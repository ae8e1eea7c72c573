"""The funding what-if's fast paths give the same answers as the paths they replaced (kept
here as the references), on the Dutch demo build, for any selection (the whole EU, a region, a
size class, empty ones and ones too small to publish), package, rule, reach and budget, under
both visibility rules (hypothesis):

- its first phase after funding, computed only as far as it reports
  (`data_funding._first_phase_after`: from the stored sequencing state plus the raised
  elements, first phase only) = the roadmap engine's full run on the funded levels;
- the readiness after funding from the package elements' slots alone
  (`readiness_slots.after_change` in `funding.evaluate`) = the engine over every slot of the
  funded rows (the old `evaluate`, kept here);
- the selection's readiness taken only as far as the engine reads it (`data_funding._take`) =
  every per-row array taken; its totals kept per selection (`funding.selection_totals`) = counted
  by `funding.evaluate` each time;
- who is funded, from the first units of the rule's order only (`funding.choose_ranked`) =
  every unit ranked then chosen; per-unit sums without counting where each municipality is
  a unit, and unlock sums a package column at a time = the sums they replaced;
- the API's tables as plain rows (`texts_funding.laws_rows` ...) = the DataFrames' to_json
  records, byte for byte once serialised; the page's table of laws made from the rows = the
  markup made from the frame; the CSV's frames unchanged.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from dash import html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plotly.utils import PlotlyJSONEncoder

from dashboard.components.numbers import fmt_int
from dashboard.funding import answer as fa
from dashboard.funding.answer import answer_json
from dashboard.i18n import t
from dashboard.views.policy import data_funding as df
from dashboard.views.policy import funding
from dashboard.views.policy import texts_funding as tf
from dashboard.views.policy.selection import Selection
from dashboard.views.policy.tables import esc, table_markup, tag, th
from pipelines.maturity import funding as fe
from pipelines.maturity.readiness import PopulationReadiness, population_readiness
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


def old_take(res, rows):
    """data_funding._take as it was: every per-row array of the selection copied."""
    return PopulationReadiness(
        res.law_ids, res.element_ids, res.at, res.cutoff, res.status[rows], res.ready[rows],
        res.n_required[rows], res.n_gap[rows], res.n_unknown[rows], res.gap_total[rows],
        res.ambition_status[rows], res.ambition_ready[rows], res.ambition_n_gap[rows],
        res.ambition_n_unknown[rows], res.gap_counts, res.unknown_counts)


# funding.evaluate as it was: the readiness engine over every slot of the funded rows, twice
# (before and after for the laws that gain) instead of the package elements' slots alone
def old_evaluate(inputs, levels, table, funded, pkg, *, at, horizon_days=0, before=None,
                 groups=None, totals=None) -> fe.FundingResult:
    """The package funded in the `funded` rows (bool[S]) of `levels` int8[S, E] (the selection,
    rows as `table`); `before`: `population_readiness` of the same rows, when cached; `groups`:
    {field: (code int[S], number of codes)} for the breakdowns; `totals`:
    `fe.selection_totals(before, levels)`, when cached."""
    eids = tuple(inputs.element_ids)
    lv = np.asarray(levels)
    funded = np.asarray(funded, dtype=bool)
    if before is None:
        before = population_readiness(inputs, lv, table, at=at, horizon_days=horizon_days)
    rows = np.flatnonzero(funded)
    pos = pkg.positions(eids)
    need = fe.needs(lv[rows], pkg, eids)
    after_lv = fe.raise_levels(lv[rows], np.ones(len(rows), dtype=bool), pkg, eids)
    t_rows = table.take(rows)
    after = population_readiness(inputs, after_lv, t_rows, at=at, horizon_days=horizon_days)
    b_ready, a_ready = before.ready[rows], after.ready
    b_amb, a_amb = before.ambition_ready[rows], after.ambition_ready
    gain = a_ready.astype(np.int64) - b_ready
    gain_amb = a_amb.astype(np.int64) - b_amb
    out_groups = {}
    for field, (codes, size) in (groups or {}).items():
        c = np.asarray(codes, dtype=np.int64)
        n = np.bincount(c, minlength=size).astype(np.int64)
        cf = c[rows]

        def per(x, cf=cf, size=size):  # gains are sparse: count only the rows that change
            n_l = x.shape[1]
            r, law = np.nonzero(x)
            return np.bincount(cf[r] * n_l + law, weights=x[r, law],
                               minlength=size * n_l).astype(np.int64).reshape(size, n_l)
        out_groups[field] = (n, per(gain), per(gain_amb))
    # why: per law that gains, funded with a gap on a package element before and none after
    # (the readiness engine on the funded rows' own levels, for those laws only); and among the
    # funded that stay not ready, the elements still missing (legal gaps)
    n_laws = len(before.law_ids)
    closed = np.zeros((n_laws, len(pos)), dtype=np.int64)
    gaining = [li for li in range(n_laws) if gain[:, li].any()]
    if len(rows) and gaining:
        before_f = population_readiness(inputs, lv[rows], t_rows, at=at, horizon_days=horizon_days,
                                        laws=[before.law_ids[li] for li in gaining])
        closed[gaining] = before_f.gap_counts[:, pos] - after.gap_counts[gaining][:, pos]
    if totals is None:
        totals = fe.selection_totals(before, lv)
    mastered_b = totals["mastered"]
    delta = (after_lv >= fe.MASTERED).sum(axis=0).astype(np.int64) - \
        (lv[rows] >= fe.MASTERED).sum(axis=0).astype(np.int64)
    return fe.FundingResult(
        law_ids=tuple(before.law_ids), element_ids=eids, n=int(lv.shape[0]),
        funded=int(need.any(axis=1).sum()), raised=need.sum(axis=0).astype(np.int64),
        cost=float((need * pkg.costs()[None, :]).sum()),
        due=totals["due"], ready_before=totals["ready"],
        ready_after=totals["ready"] + gain.sum(axis=0),
        ambition_due=totals["ambition_due"], ambition_before=totals["ambition_ready"],
        ambition_after=totals["ambition_ready"] + gain_amb.sum(axis=0),
        mastered_before=mastered_b, mastered_after=mastered_b + delta, groups=out_groups,
        gaps_closed=closed, still_missing=after.gap_counts.astype(np.int64))


def old_choose_ranked(rule, need, cost, *, reach=None, budget=None, **values):
    """Every unit ranked, then chosen in that order (as the what-if did before)."""
    return fe.choose(fe.rank(rule, **values), need, cost, reach=reach, budget=budget)


def old_per_unit(units, x):
    return np.bincount(units.unit_of[units.keep],
                       weights=np.asarray(x, dtype=np.float64)[units.keep],
                       minlength=units.n_units)


def old_lev_row(units, base, pos):
    return base.unlock[units.s_rows][:, pos].sum(axis=1, dtype=np.float64)


def _same_answers(ctx, req):
    new = df.what_if(ctx, req)
    saved = df._first_phase_after, df._take, fe.evaluate, fe.choose_ranked
    saved_units = df._Units.per_unit, df._Units.lev_row

    def evaluate(inputs, lv, table, funded, pkg, *, before, before_rows, gaps, totals, **kw):
        # the selection's rows of the base taken and its totals counted each time
        return old_evaluate(inputs, lv, table.take(before_rows), funded, pkg,
                            before=old_take(before, before_rows), **kw)
    # the reference: the full run, every row taken, the totals counted by evaluate
    # every unit ranked; per-unit sums by counting even one unit per row; unlock sums of the
    # rows' every column
    df._first_phase_after, df._take, fe.evaluate, fe.choose_ranked = (
        reference, old_take, evaluate, old_choose_ranked)
    df._Units.per_unit, df._Units.lev_row = old_per_unit, old_lev_row
    try:
        old = df.what_if(ctx, req)
    finally:
        df._first_phase_after, df._take, fe.evaluate, fe.choose_ranked = saved
        df._Units.per_unit, df._Units.lev_row = saved_units
    assert new.status == old.status
    if new.status == "ok":
        assert np.array_equal(new.first_phase_after, old.first_phase_after)
        # the stored first phases of the selection, kept per selection: counted afresh
        base = df.funding_base(ctx, ctx.warehouse.snapshot())
        stored = base.first_phase[df._selection_rows(ctx, base, req.sel)]
        counted = np.bincount(stored[stored >= 0].astype(np.int64),
                              minlength=len(ctx.framework.element_ids))
        assert np.array_equal(new.first_phase_before, counted)
        assert np.array_equal(old.first_phase_before, counted)
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


# ------------------------------------------------------------------ the tables as rows


def old_laws_frame(ctx, ans, lang="en", *, all_laws=False):
    """texts_funding.laws_frame as it was: rows, a DataFrame sorted by pandas."""
    if ans.result is None:
        return pd.DataFrame(columns=tf.LAW_COLUMNS)
    r = ans.result
    cpr = r.cost_per_ready()
    rows = []
    for li, law in enumerate(r.law_ids):
        for duty, due, b, a in (("legal", r.due, r.ready_before, r.ready_after),
                                ("ambition", r.ambition_due, r.ambition_before, r.ambition_after)):
            if int(due[li]) == 0 or (not all_laws and int(a[li]) == int(b[li])):
                continue
            c = cpr[li] if duty == "legal" and np.isfinite(cpr[li]) else None
            rows.append({"law": law, "name": tf.law_name(ctx, law, lang), "duty": duty,
                         "due": int(due[li]), "ready_before": int(b[li]),
                         "ready_after": int(a[li]), "difference": int(a[li]) - int(b[li]),
                         "cost_per_ready": None if c is None else round(float(c), 2)})
    frame = pd.DataFrame(rows, columns=tf.LAW_COLUMNS)
    if len(frame):
        frame = frame.sort_values(["difference", "duty"], ascending=[False, False],
                                  kind="stable")
    return frame.reset_index(drop=True)


def old_elements_frame(ctx, ans, lang="en"):
    if ans.result is None:
        return pd.DataFrame(columns=tf.ELEMENT_COLUMNS)
    r = ans.result
    names = {e.id: e.name.get(lang) for e in ctx.framework.elements}
    n = max(r.n, 1)
    fb, fa_ = ans.first_phase_before, ans.first_phase_after
    rows = []
    for j, e in enumerate(r.element_ids):
        if r.mastered_before[j] == r.mastered_after[j] and fb[j] == fa_[j]:
            continue
        rows.append({"element_id": e, "element": names.get(e, e),
                     "at_3_before": int(r.mastered_before[j]),
                     "at_3_after": int(r.mastered_after[j]),
                     "share_before": round(r.mastered_before[j] / n, 4),
                     "share_after": round(r.mastered_after[j] / n, 4),
                     "first_phase_before": int(fb[j]), "first_phase_after": int(fa_[j])})
    return pd.DataFrame(rows, columns=tf.ELEMENT_COLUMNS)


def old_law_table(ctx, ans, name, lang):
    """views/policy/funding._law_table as it was: from the frame."""
    frame = old_laws_frame(ctx, ans, lang)
    if not len(frame):
        return html.P(t("funding.table.empty", lang), className="small mb-0")
    head = [th(t("funding.table.law", lang)), th(t("funding.table.before", lang), "text-end"),
            th(t("funding.table.after", lang), "text-end"),
            th(t("funding.table.difference", lang), "text-end"),
            th(t("funding.table.cost", lang), "text-end pol-wrap")]
    cost = frame["cost_per_ready"].to_numpy(dtype=np.float64, na_value=np.nan)
    cols = zip(frame["name"].tolist(), frame["duty"].tolist(), frame["ready_before"].tolist(),
               frame["due"].tolist(), frame["ready_after"].tolist(),
               frame["difference"].tolist(), cost.tolist(), strict=True)
    rows = [tag("tr", funding._duty(law, duty, lang)
                + tag("td", esc(f"{fmt_int(before, lang)} / {fmt_int(due, lang)}"),
                      "text-end text-nowrap")
                + tag("td", esc(fmt_int(after, lang)), "text-end")
                + tag("td", esc("+" + fmt_int(diff, lang)), "text-end fw-semibold")
                + tag("td", "–" if c != c else esc(tf.money(c, lang)), "text-end text-nowrap"))
            for law, duty, before, due, after, diff, c in cols]
    caption = t("funding.table.caption", lang, name=name)
    return funding._region(table_markup(caption, head, rows), caption)


def _markup(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder)


def records(frame):
    """What the API's JSON held: the frame's to_json records."""
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def old_package_json(ctx, name, a, lang):
    out = fa.package_json(ctx, name, a, lang)
    out["laws"] = records(old_laws_frame(ctx, a, lang, all_laws=True))
    out["by_group"] = records(pd.DataFrame(tf.groups_rows(ctx, a, lang),
                                           columns=tf.GROUP_COLUMNS))
    out["elements"] = records(old_elements_frame(ctx, a, lang))
    return out


def _same_tables(ctx, req, lang):
    a = df.what_if(ctx, req)
    for all_laws in (False, True):
        pd.testing.assert_frame_equal(tf.laws_frame(ctx, a, lang, all_laws=all_laws),
                                      old_laws_frame(ctx, a, lang, all_laws=all_laws))
    pd.testing.assert_frame_equal(pd.DataFrame(tf.elements_rows(ctx, a, lang), columns=tf.ELEMENT_COLUMNS),
                                  old_elements_frame(ctx, a, lang))
    # the page's table of laws, made from the rows: the same markup as from the frame
    assert _markup(funding._law_table(ctx, a, "A", lang)) == \
        _markup(old_law_table(ctx, a, "A", lang))
    new, old = fa.package_json(ctx, "A", a, lang), old_package_json(ctx, "A", a, lang)
    # byte for byte: the same values, ints stay ints, floats stay floats, the same order
    assert json.dumps(new, ensure_ascii=False) == json.dumps(old, ensure_ascii=False)
    if a.status == "ok":
        new_by_group = tf.groups_rows(ctx, a, lang)
        groups = pd.DataFrame(tf.groups_rows(ctx, a, lang), columns=tf.GROUP_COLUMNS)
        assert json.dumps(new_by_group) == json.dumps(records(groups))


@SETTINGS
@given(data=st.data(), lang=st.sampled_from(["en", "nl"]))
def test_consent_tables_as_rows_equal_the_frames_json(nl_ctx, data, lang):
    _same_tables(nl_ctx, data.draw(requests(nl_ctx)), lang)


@SETTINGS
@given(data=st.data(), lang=st.sampled_from(["en", "nl"]))
def test_open_tables_as_rows_equal_the_frames_json(nl_open_ctx, data, lang):
    _same_tables(nl_open_ctx, data.draw(requests(nl_open_ctx)), lang)


@settings(max_examples=300, deadline=None)
@given(cost=st.floats(0, 1e10 * 98_584), gained=st.integers(1, 98_584))
def test_a_cost_per_ready_reads_back_the_same_from_to_json(cost, gained):
    """The rows hold round(cost / made ready, 2); to_json wrote it with at most 10 decimals,
    which keeps every such value below 1e16 (the largest possible cost: 10 elements of 1e9 EUR
    in every EU municipality, ~1e15), so the rows' float is what the frame's JSON read back."""
    v = round(float(cost / gained), 2)
    assert records(pd.DataFrame({"c": [v, None]}))[0]["c"] == v


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(st.integers(0, 40), max_size=300), extra=st.integers(0, 5))
def test_units_by_counting_equal_np_unique(cells, extra):
    """The funded units (policy cells) of a selection, counted instead of sorted."""
    c = np.asarray(cells, dtype=np.int64)
    got_cells, got_inverse = df._units(c, (int(c.max()) + 1 if len(c) else 0) + extra)
    want_cells, want_inverse = np.unique(c, return_inverse=True)
    assert np.array_equal(got_cells, want_cells) and np.array_equal(got_inverse, want_inverse)
    assert got_cells.dtype == np.intp and got_inverse.shape == c.shape


def test_the_first_phase_in_a_thread_gives_the_inline_answer(nl_open_ctx, monkeypatch):
    """Large funded sets run the first phase in the pool beside the readiness engine, small ones
    inline: the same answer either way (the Dutch demo is small: the thread forced here)."""
    ctx = nl_open_ctx
    eids = list(ctx.framework.element_ids)
    req = df.Request(Selection("NL"), fe.make_package([(eids[0], 4), (eids[5], 3)], eids), "below")
    inline = df.what_if(ctx, req)
    monkeypatch.setattr(df, "THREAD_ROWS", 0)
    threaded = df.what_if(ctx, req)
    assert inline.result.funded > 0
    assert not np.array_equal(inline.first_phase_after, inline.first_phase_before)
    assert np.array_equal(threaded.first_phase_after, inline.first_phase_after)
    assert answer_json(ctx, [threaded], "en") == answer_json(ctx, [inline], "en")


def test_the_warm_up_keeps_each_published_selections_parts(nl_open_ctx):
    """The warm-up makes the EU's and each answering country's shared parts; a what-if for
    such a selection then makes none of its own (and answers as without the warm-up)."""
    ctx = nl_open_ctx
    base = df.funding_base(ctx, ctx.warehouse.snapshot())
    base.groups.clear()
    eids = list(ctx.framework.element_ids)
    req = df.Request(Selection("NL"), fe.make_package([(eids[1], 3)], eids), "below")
    cold = df.what_if(ctx, req)
    base.groups.clear()
    df.warm(ctx)
    kept = set(base.groups)
    for sel in (Selection(), Selection("NL")):
        assert {sel, ("totals", sel), ("first phase", sel)} <= kept
    before = dict(base.groups)
    warm = df.what_if(ctx, req)
    assert set(base.groups) == set(before)  # nothing new made for this selection
    assert all(base.groups[k] is v for k, v in before.items())
    assert answer_json(ctx, [warm], "en") == answer_json(ctx, [cold], "en")


@SETTINGS
@given(data=st.data(), visibility=st.sampled_from(["open", "consent"]))
def test_packages_sharing_a_selection_answer_as_alone(nl_ctx, nl_open_ctx, data, visibility):
    """The Policy tab's packages A and B share their selection's rows and units
    (`what_ifs`); each answers as it does alone, also beside a request of another selection."""
    ctx = nl_open_ctx if visibility == "open" else nl_ctx
    reqs = data.draw(st.lists(requests(ctx), min_size=1, max_size=3))
    a = data.draw(requests(ctx))
    reqs.append(df.Request(reqs[0].sel, a.package, a.rule, a.reach, a.budget, a.law))
    together = df.what_ifs(ctx, reqs)
    alone = [df.what_if(ctx, r) for r in reqs]
    assert [x.request for x in together] == reqs
    for t_, a_ in zip(together, alone, strict=True):
        assert answer_json(ctx, [t_], "en") == answer_json(ctx, [a_], "en")
        assert (t_.status, t_.n, t_.named, t_.chosen_areas) == (a_.status, a_.n, a_.named,
                                                                a_.chosen_areas)


def test_the_whole_eu_reads_the_bases_levels_without_a_copy(nl_open_ctx):
    """The whole selection's levels are the base's own (read-only) array, not a copy."""
    ctx = nl_open_ctx
    base = df.funding_base(ctx, ctx.warehouse.snapshot())
    units = df._units_of(ctx, ctx.warehouse.snapshot(), base, Selection())
    assert units.whole and units.lv is base.levels
    assert not base.levels.flags.writeable
    part = df._units_of(ctx, ctx.warehouse.snapshot(), base, Selection("NL", None, "lt5k"))
    assert part is None or (not part.whole and part.lv.base is None)
