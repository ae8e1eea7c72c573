"""Pure domain logic: cube statistics, peer groups, profiles, heatmaps, roadmap, readiness.

numpy only: nothing here imports Dash or DuckDB or touches the file system, so it is fast,
testable in isolation and usable from the pipelines, the API and the pages alike.
"""
