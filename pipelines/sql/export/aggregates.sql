-- Open-data bundle: every area statistic of the build as the API publishes it under the consent
-- rule. An area's statistics appear only where the disclosure pattern publishes the area and it
-- has at least $min_group municipalities; otherwise only the public count of answering
-- municipalities (the pattern's n) remains. Same rule as dashboard/store.py AGGREGATES_VIEW.
SELECT a.wave, a.area_type, a.area_id, a.measure,
       CASE WHEN p.publish_consent AND a.n >= $min_group THEN a.n
            ELSE coalesce(p.n, 0) END AS n,
       NOT (coalesce(p.publish_consent, false) AND a.n >= $min_group) AS suppressed,
       CASE WHEN p.publish_consent AND a.n >= $min_group THEN a.q1 END AS q1,
       CASE WHEN p.publish_consent AND a.n >= $min_group THEN a.median END AS median,
       CASE WHEN p.publish_consent AND a.n >= $min_group THEN a.q3 END AS q3,
       CASE WHEN p.publish_consent AND a.n >= $min_group THEN a.mean END AS mean,
       CASE WHEN p.publish_consent AND a.n >= $min_group THEN a.share_ge3 END AS share_ge3
FROM read_parquet($aggregates) a
LEFT JOIN read_parquet($disclosure) p
       ON p.wave = a.wave AND p.area_type = a.area_type AND p.area_id = a.area_id
ORDER BY a.wave, a.area_type, a.area_id, a.measure;
