"""Many runs: the in-memory batch, the Monte Carlo that writes a results folder, sweeps, and the Dask backend."""
