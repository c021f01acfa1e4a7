"""Services: the only code that queries the store. Each returns plain dataclasses."""
