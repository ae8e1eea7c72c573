-- Element heatmap by region: per region (NUTS 2 or NUTS 3) and element, plus 'ALL' (overall
-- maturity, to sort by), the number of municipalities with a value, the median, the share at
-- level 3 or higher and the build's suppression flag, for one wave. $prefix is the country code
-- (NUTS 2 regions of a country) or a NUTS 2 id (its NUTS 3 regions). Block scores are left out.
SELECT area_id, measure, n, suppressed, median, share_ge3
FROM aggregates
WHERE wave = $wave
  AND area_type = $area_type
  AND starts_with(area_id, $prefix)
  AND (measure = 'ALL' OR contains(measure, '-'));
