"""Cameras (fixed and on patrol cars) and the device credentials they post reads with."""
