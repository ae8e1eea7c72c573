-- Who answered for one municipality in one wave: how many respondents, in which roles, and how
-- many elements got a known level. The roadmap flags thin coverage with it (the answers
-- themselves are not read here). Shown only where the municipality's results may be shown.
SELECT n_respondents, roles, n_answered, n_known
FROM coverage
WHERE municipality_id = $municipality AND wave = $wave;
