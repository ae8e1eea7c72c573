-- API detail: one municipality's consolidated levels in one wave, with respondent agreement.
-- (The level itself also comes from the cube; these columns are what the cube does not hold.)
SELECT element_id, level, n_respondents, n_known, spread, disagree
FROM levels
WHERE municipality_id = $municipality_id AND wave = $wave;
