"""The browser check of the rendered book (``pytest -m browser``)."""
