-- How many municipalities answered, per area and wave, against all municipalities there.
-- Coverage counts are not suppressed: that a municipality took part is not its result.
CREATE OR REPLACE TABLE coverage_areas AS
WITH waves AS (SELECT DISTINCT wave FROM coverage),
grid AS (
    SELECT w.wave, r.municipality_id, r.country, r.nuts2, r.nuts3, r.size_class,
           c.municipality_id IS NOT NULL AS responded,
           coalesce(c.n_respondents, 0) AS n_respondents,
           coalesce(c.publish_consent, false) AS publish_consent
    FROM waves w CROSS JOIN reference r
    LEFT JOIN coverage c ON c.municipality_id = r.municipality_id AND c.wave = w.wave
)
SELECT wave,
       CASE WHEN grouping(nuts2) = 0 THEN 'nuts2'
            WHEN grouping(country) = 0 AND grouping(size_class) = 0 THEN 'country_size'
            WHEN grouping(country) = 0 THEN 'country'
            WHEN grouping(size_class) = 0 THEN 'size_class'
            ELSE 'eu' END AS area_type,
       CASE WHEN grouping(nuts2) = 0 THEN nuts2
            WHEN grouping(country) = 0 AND grouping(size_class) = 0 THEN country || ':' || size_class
            WHEN grouping(country) = 0 THEN country
            WHEN grouping(size_class) = 0 THEN size_class
            ELSE 'EU' END AS area_id,
       CAST(count(*) AS INTEGER) AS municipalities,
       CAST(sum(responded::INT) AS INTEGER) AS responded,
       CAST(sum(n_respondents) AS INTEGER) AS respondents,
       CAST(sum(publish_consent::INT) AS INTEGER) AS consenting
FROM grid
GROUP BY GROUPING SETS ((wave), (wave, country), (wave, nuts2), (wave, size_class),
                        (wave, country, size_class));
