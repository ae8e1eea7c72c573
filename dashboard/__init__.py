"""Everything a browser or API client touches: pages, components, the JSON API."""
