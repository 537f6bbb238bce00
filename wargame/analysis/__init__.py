"""Analysis as functions over results: the results reader and its statistics, branch trees, drivers, and a
scenario's bargaining range."""
