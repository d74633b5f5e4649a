"""The staff side of the disclosure app, one module per aggregate; importing them registers their admins."""

from disclosure.admin import documents, interpretations, reposts, synonyms  # noqa: F401
