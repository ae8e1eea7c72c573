-- API detail, once per build: every coverage row (dashboard/detail_index.py keeps them as
-- arrays, so one municipality's detail needs no query).
SELECT municipality_id, wave, n_respondents, roles, n_answered, n_known, n_disagree, last_submitted
FROM coverage;
