"""Everything that turns inputs into published data: framework, reference data, surveys."""
