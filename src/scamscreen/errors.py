"""Errors a user can act on: each carries a one-line message the CLI prints as it is."""

from __future__ import annotations


class ScamscreenError(Exception):
    """Base class: the message is meant for the user, on one line."""


class InputError(ScamscreenError, ValueError):
    """The advert or file given cannot be screened (empty, unreadable, not text)."""


class CatalogueError(ScamscreenError):
    """A flag file is malformed; raised when the catalogue loads."""


class ModelError(ScamscreenError):
    """A model file is missing, malformed, or not the one we shipped."""
