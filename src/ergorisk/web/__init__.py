"""app stage (see ergorisk/__init__.py)."""
