-- Per municipality of one country: answered in this wave or not, and how many respondents.
-- Taking part is public; the answers themselves are not shown here.
SELECT m.municipality_id, m.national_code, m.name, m.population,
       c.municipality_id IS NOT NULL AS responded,
       coalesce(c.n_respondents, 0) AS respondents
FROM municipalities m
LEFT JOIN coverage c ON c.municipality_id = m.municipality_id AND c.wave = $wave
WHERE m.country = $country
ORDER BY m.municipality_id;
