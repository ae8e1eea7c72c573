-- Per wave the date (UTC epoch seconds) of the latest submission: the roadmap's evaluation
-- date, as pipelines/roadmap_build.py uses it (law deadlines are counted from it).
SELECT wave, CAST(epoch(max(last_submitted)) AS BIGINT) AS last_submitted
FROM coverage
GROUP BY wave
ORDER BY wave;
