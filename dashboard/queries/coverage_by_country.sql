-- Coverage per country for one wave; countries without answers last. Names: components/places.
SELECT area_id AS country, municipalities, responded, respondents, consenting,
       responded::DOUBLE / nullif(municipalities, 0) AS share
FROM coverage_areas
WHERE area_type = 'country' AND wave = $wave
ORDER BY responded DESC, area_id;
