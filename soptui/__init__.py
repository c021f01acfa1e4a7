"""soptui: the social-services centre's SOPs as a terminal application."""

__version__ = "0.1.0"
