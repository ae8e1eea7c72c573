-- Row counts of the open build, read from the data themselves (health check, consistency tests).
SELECT (SELECT count(*) FROM levels) AS levels,
       (SELECT count(*) FROM coverage) AS coverage,
       (SELECT count(*) FROM aggregates) AS aggregates;
