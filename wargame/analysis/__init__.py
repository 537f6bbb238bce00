"""Analysis as functions over results: branch trees, drivers, and a scenario's bargaining range."""
