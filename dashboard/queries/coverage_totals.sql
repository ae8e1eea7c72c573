-- EU-wide coverage for every wave: the headline numbers of the Overview page.
SELECT wave, municipalities, responded, respondents, consenting
FROM coverage_areas
WHERE area_type = 'eu';
