from .sessions_factories import panel, workshop  # noqa: F401 - fixtures
