-- Per municipality and wave: who answered, how much, and whether it consents to publication.
-- Consent is the municipality's latest stated choice over all waves (default: not consenting).
CREATE OR REPLACE TABLE coverage AS
WITH consent AS (
    SELECT municipality_id,
           arg_max(publish_consent, submitted_at) AS publish_consent
    FROM answers
    WHERE publish_consent IS NOT NULL
    GROUP BY municipality_id
),
per_wave AS (
    SELECT a.municipality_id, a.wave,
           CAST(count(DISTINCT a.respondent_id) AS SMALLINT) AS n_respondents,
           string_agg(DISTINCT a.respondent_role, ', ' ORDER BY a.respondent_role) AS roles,
           min(a.submitted_at) AS first_submitted,
           max(a.submitted_at) AS last_submitted
    FROM answers a
    GROUP BY ALL
),
per_wave_levels AS (
    SELECT municipality_id, wave,
           CAST(count(*) AS SMALLINT)            AS n_answered,
           CAST(count(level) AS SMALLINT)        AS n_known,
           CAST(sum(disagree::INT) AS SMALLINT)  AS n_disagree,
           avg(level)                            AS overall
    FROM levels
    GROUP BY ALL
)
SELECT p.municipality_id, p.wave, p.n_respondents, p.roles, l.n_answered, l.n_known,
       l.n_disagree, l.overall, coalesce(c.publish_consent, false) AS publish_consent,
       p.first_submitted, p.last_submitted
FROM per_wave p
JOIN per_wave_levels l USING (municipality_id, wave)
LEFT JOIN consent c USING (municipality_id);
