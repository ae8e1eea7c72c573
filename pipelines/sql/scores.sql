-- Block and overall maturity per municipality and wave: the mean of the known element levels.
-- A score needs at least half of the elements in scope known, otherwise it is NULL.
CREATE OR REPLACE TABLE scores AS
WITH scoped AS (
    SELECT l.municipality_id, l.wave, e.block AS scope, l.level, e.block_size AS scope_size
    FROM levels l JOIN elements e USING (element_id)
    UNION ALL
    SELECT l.municipality_id, l.wave, 'ALL' AS scope, l.level, $n_elements AS scope_size
    FROM levels l
)
SELECT municipality_id, wave, scope,
       CASE WHEN count(level) * 2 >= any_value(scope_size) THEN avg(level) END AS score,
       CAST(count(level) AS SMALLINT) AS n_known
FROM scoped
GROUP BY ALL;
