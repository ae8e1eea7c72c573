-- The answers that count: per respondent, wave and element the latest submission wins
-- (a later file amends an earlier one). Ties on submitted_at are broken by input order.
CREATE OR REPLACE TABLE answers AS
SELECT municipality_id, wave, element_id, level, respondent_id, respondent_role,
       submitted_at, confidence, evidence, publish_consent, input_sha
FROM (
    SELECT *,
           row_number() OVER (
               PARTITION BY municipality_id, wave, element_id, respondent_id
               ORDER BY submitted_at DESC, input_order DESC
           ) AS rn
    FROM staged
)
WHERE rn = 1;
