-- One consolidated level per municipality × wave × element.
-- Rule: the lower median of the respondents' known levels (don't-knows left out), so one
-- optimistic respondent cannot lift the municipality; NULL when nobody knew.
-- Agreement: spread = highest - lowest known level; disagree when the spread is 2 or more.
CREATE OR REPLACE TABLE levels AS
SELECT municipality_id, wave, element_id,
       CAST(quantile_disc(level, 0.5) AS TINYINT)      AS level,
       CAST(count(*) AS SMALLINT)                      AS n_respondents,
       CAST(count(level) AS SMALLINT)                  AS n_known,
       CAST(min(level) AS TINYINT)                     AS level_min,
       CAST(max(level) AS TINYINT)                     AS level_max,
       CAST(max(level) - min(level) AS TINYINT)        AS spread,
       coalesce(max(level) - min(level) >= 2, false)   AS disagree
FROM answers
GROUP BY ALL;
