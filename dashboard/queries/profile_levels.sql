-- Profile page: every element on which a municipality's respondents disagree by 2+ levels in a
-- wave (spread = highest - lowest known level; the build flags spread >= 2 as `disagree`).
-- About 57,000 rows for a wave at EU scale: the page reads them once per build and wave and
-- then looks a municipality up in memory, instead of scanning the levels mart per click.
SELECT municipality_id, element_id, level, level_min, level_max, spread, n_respondents, n_known
FROM levels
WHERE wave = $wave AND disagree
ORDER BY municipality_id, element_id;
