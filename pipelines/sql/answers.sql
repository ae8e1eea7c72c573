-- The answers that count: per respondent, wave and element the latest submission wins
-- (a later file amends an earlier one). Ties on submitted_at are broken by input order.
-- Only the columns the later marts read: confidence, evidence and the input's hash are not
-- published, and at EU scale they were most of the table's memory.
CREATE OR REPLACE TABLE answers AS
SELECT municipality_id, wave, element_id, level, respondent_id, respondent_role,
       submitted_at, publish_consent
FROM (
    SELECT municipality_id, wave, element_id, level, respondent_id, respondent_role,
           submitted_at, publish_consent,
           row_number() OVER (
               PARTITION BY municipality_id, wave, element_id, respondent_id
               ORDER BY submitted_at DESC, input_order DESC
           ) AS rn
    FROM staged
)
WHERE rn = 1;
