-- Maps page: municipalities that answered against all municipalities, per country and EU-wide.
SELECT area_type, area_id, municipalities, responded, consenting
FROM coverage_areas
WHERE wave = $wave AND area_type IN ('eu', 'country')
ORDER BY area_type, area_id;
