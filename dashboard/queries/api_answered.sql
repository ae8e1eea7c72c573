-- API list: the municipalities that answered in one wave (the has_answers flag).
SELECT municipality_id
FROM coverage
WHERE wave = $wave;
