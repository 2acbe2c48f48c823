"""Sweep files and the model catalog, expanding a sweep into jobs, submitting them. The YAML
files beside this module are the packaged sweeps (`PACKAGED_SWEEPS_DIR`)."""
