"""The funding what-if's one answer, for the API (dashboard/api_funding.py) and the CLI
(`python -m pipelines funding`, cli.py): the same request body, validated the same way, the
same JSON and CSV (answer.py). The numbers come from dashboard/views/policy/data_funding.py."""
