-- Per municipality and wave: who answered, how much, and whether it consents to publication.
-- Consent is the municipality's decision, not one respondent's: in the latest wave in which any
-- respondent stated a choice, every respondent's latest stated choice must be yes. One "no"
-- (a disagreement, or a withdrawal after an earlier yes) means no consent from the next build
-- on; default (nobody stated anything): not consenting. (pipelines/survey/team.py shows the
-- same decision to the team before the build.)
CREATE OR REPLACE TABLE coverage AS
WITH stated AS (
    SELECT municipality_id, wave, respondent_id, publish_consent, submitted_at
    FROM answers
    WHERE publish_consent IS NOT NULL
),
deciding_wave AS (
    SELECT municipality_id, arg_max(wave, submitted_at) AS wave
    FROM stated
    GROUP BY municipality_id
),
choices AS (
    SELECT s.municipality_id, s.respondent_id,
           arg_max(s.publish_consent, s.submitted_at) AS choice
    FROM stated s
    JOIN deciding_wave d USING (municipality_id, wave)
    GROUP BY s.municipality_id, s.respondent_id
),
consent AS (
    SELECT municipality_id, bool_and(choice) AS publish_consent
    FROM choices
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
