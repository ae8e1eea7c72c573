-- Open-data bundle: block and overall scores of the municipalities that consented.
WITH consent AS (
    SELECT municipality_id, bool_or(publish_consent) AS ok
    FROM read_parquet($coverage)
    GROUP BY municipality_id
)
SELECT s.municipality_id, s.wave, s.scope, s.score, s.n_known
FROM read_parquet($scores) s
JOIN consent c ON c.municipality_id = s.municipality_id AND c.ok
ORDER BY s.wave, s.municipality_id, s.scope;
