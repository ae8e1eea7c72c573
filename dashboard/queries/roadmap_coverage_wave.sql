-- Who answered for each municipality in one wave (roadmap_coverage.sql for every municipality
-- at once): read once per build and wave, so a roadmap does not query per request.
SELECT municipality_id, n_respondents, roles
FROM coverage
WHERE wave = $wave;
