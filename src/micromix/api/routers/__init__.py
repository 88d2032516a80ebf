"""Routers of the service, one per capability; each is a thin layer over the library."""
