"""The package version, in one place that nothing inside the package has to import the face for."""

__version__ = "0.1.0"
