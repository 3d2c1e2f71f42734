"""Waystation: a static directory of services for survivors of human trafficking."""

__version__ = "0.1.0"
