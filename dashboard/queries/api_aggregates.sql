-- API aggregates: area statistics for one wave and area type, for the given measures, optionally
-- within one country ($country NULL = all). NUTS ids start with their country code; a country ×
-- size-class area id is 'NL:20k-50k'. Suppression is applied again with the app's $min_group, so
-- a stricter setting than the build's still hides small groups.
WITH picked AS (
    SELECT *, suppressed OR n < $min_group AS hide
    FROM aggregates
    WHERE wave = $wave AND area_type = $area_type AND list_contains($measures, measure)
      AND ($country IS NULL
           OR CASE area_type
                  WHEN 'country' THEN area_id = $country
                  WHEN 'country_size' THEN starts_with(area_id, $country || ':')
                  ELSE starts_with(area_id, $country)
              END)
)
SELECT area_type, area_id,
       CASE WHEN area_type IN ('country', 'nuts2', 'nuts3', 'country_size')
            THEN left(area_id, 2) END AS country,
       wave, measure, n, hide AS suppressed,
       CASE WHEN NOT hide THEN median END AS median,
       CASE WHEN NOT hide THEN q1 END AS q1,
       CASE WHEN NOT hide THEN q3 END AS q3,
       CASE WHEN NOT hide THEN mean END AS mean,
       CASE WHEN NOT hide THEN share_ge3 END AS share_ge3
FROM picked
ORDER BY area_id, list_position($measures, measure);
