-- Maps page: every area statistic of one measure (element, block or 'ALL') in one wave, from the
-- precomputed aggregates mart (sorted by wave, measure, area_type: a small pruned read).
SELECT area_type, area_id, n, suppressed, q1, median, q3, share_ge3
FROM aggregates
WHERE wave = $wave AND measure = $measure
ORDER BY area_type, area_id;
