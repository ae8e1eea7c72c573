-- Open-data bundle: the consolidated level per element of every municipality that consented to
-- publication by name (its latest stated choice, as the app's consent rule), with its name.
WITH consent AS (
    SELECT municipality_id, bool_or(publish_consent) AS ok
    FROM read_parquet($coverage)
    GROUP BY municipality_id
)
SELECT l.municipality_id, r.name, r.country, l.wave, l.element_id, l.level, l.n_respondents,
       l.n_known, l.spread, l.disagree
FROM read_parquet($levels) l
JOIN consent c ON c.municipality_id = l.municipality_id AND c.ok
JOIN read_parquet($reference) r ON r.municipality_id = l.municipality_id
ORDER BY l.wave, l.municipality_id, l.element_id;
