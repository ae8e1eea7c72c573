-- Maps page: country names (Eurostat codes, as in the municipality table) and ISO3 codes.
SELECT code, iso3, name_en, name_nl
FROM countries
ORDER BY code;
