-- Distribution of element levels and of block/overall scores per area and wave.
-- Areas: the EU, each country, NUTS 2, NUTS 3, size class (EU-wide) and country × size class.
-- Groups with fewer than $min_group municipalities are suppressed: counts kept, statistics NULL.
-- One wave ($wave) per run, its rows appended to the aggregates table (pipelines/build.py): the
-- quartiles keep every value of a group in memory, and all waves at once did not fit the build's
-- memory limit at EU scale.
WITH facts AS (
    SELECT l.wave, l.element_id AS measure, CAST(l.level AS DOUBLE) AS value,
           r.country, r.nuts2, r.nuts3, r.size_class
    FROM levels l JOIN reference r USING (municipality_id)
    WHERE l.level IS NOT NULL AND l.wave = $wave
    UNION ALL
    SELECT s.wave, s.scope AS measure, s.score AS value, r.country, r.nuts2, r.nuts3, r.size_class
    FROM scores s JOIN reference r USING (municipality_id)
    WHERE s.score IS NOT NULL AND s.wave = $wave
),
grouped AS (
    SELECT wave, measure,
           CASE
               WHEN grouping(country) = 1 AND grouping(nuts2) = 1 AND grouping(nuts3) = 1
                    AND grouping(size_class) = 1 THEN 'eu'
               WHEN grouping(nuts3) = 0 THEN 'nuts3'
               WHEN grouping(nuts2) = 0 THEN 'nuts2'
               WHEN grouping(country) = 0 AND grouping(size_class) = 0 THEN 'country_size'
               WHEN grouping(country) = 0 THEN 'country'
               ELSE 'size_class'
           END AS area_type,
           CASE
               WHEN grouping(nuts3) = 0 THEN nuts3
               WHEN grouping(nuts2) = 0 THEN nuts2
               WHEN grouping(country) = 0 AND grouping(size_class) = 0
                    THEN country || ':' || size_class
               WHEN grouping(country) = 0 THEN country
               WHEN grouping(size_class) = 0 THEN size_class
               ELSE 'EU'
           END AS area_id,
           CAST(count(*) AS INTEGER) AS n,
           -- one sorted state for the three quartiles (the same values as three calls, at
           -- about half the time and a third of the memory)
           quantile_cont(value, [0.25, 0.5, 0.75]) AS quartiles,
           avg(value) AS mean,
           avg(CASE WHEN value >= 3 THEN 1.0 ELSE 0.0 END) AS share_ge3
    FROM facts
    GROUP BY GROUPING SETS (
        (wave, measure), (wave, measure, country), (wave, measure, nuts2),
        (wave, measure, nuts3), (wave, measure, size_class), (wave, measure, country, size_class)
    )
)
SELECT wave, measure, area_type, area_id, n,
       n < $min_group AS suppressed,
       CASE WHEN n >= $min_group THEN quartiles[1] END AS q1,
       CASE WHEN n >= $min_group THEN quartiles[2] END AS median,
       CASE WHEN n >= $min_group THEN quartiles[3] END AS q3,
       CASE WHEN n >= $min_group THEN mean END AS mean,
       CASE WHEN n >= $min_group THEN share_ge3 END AS share_ge3
FROM grouped;
