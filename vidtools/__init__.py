"""vidtools: count what drone / FPV footage actually shows."""

__version__ = "0.1.0"
