-- Each municipality's consent to publish its results by name (its latest stated choice).
SELECT municipality_id, bool_or(publish_consent) AS publish_consent
FROM coverage
GROUP BY municipality_id;
