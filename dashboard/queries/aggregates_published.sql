-- Every published aggregate row of the build with the disclosure pattern applied (the view
-- `aggregates`, dashboard/store.py), for dashboard/aggregates_index.py to keep in memory. The
-- API's own minimum group is applied again per request, as api_aggregates.sql does.
SELECT wave, area_type, area_id, measure, n, suppressed, median, q1, q3, mean, share_ge3
FROM aggregates
ORDER BY wave, area_type, area_id, measure;
