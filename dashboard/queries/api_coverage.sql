-- API detail: in which waves one municipality answered, by how many respondents.
SELECT wave, n_respondents, roles, n_answered, n_known, n_disagree, last_submitted
FROM coverage
WHERE municipality_id = $municipality_id
ORDER BY wave;
