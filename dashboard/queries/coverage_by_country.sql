-- Coverage per country for one wave, with country names; countries without answers last.
SELECT c.area_id AS country, n.name_en, n.name_nl, c.municipalities, c.responded,
       c.respondents, c.consenting,
       c.responded::DOUBLE / nullif(c.municipalities, 0) AS share
FROM coverage_areas c
LEFT JOIN countries n ON n.code = c.area_id
WHERE c.area_type = 'country' AND c.wave = $wave
ORDER BY c.responded DESC, c.area_id;
