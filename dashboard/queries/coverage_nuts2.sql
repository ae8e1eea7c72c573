-- Share of municipalities that answered, per NUTS 2 region, for one wave.
SELECT area_id AS nuts2, municipalities, responded,
       responded::DOUBLE / nullif(municipalities, 0) AS share
FROM coverage_areas
WHERE area_type = 'nuts2' AND wave = $wave
ORDER BY area_id;
