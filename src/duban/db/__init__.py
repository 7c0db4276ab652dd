"""The database: models, engine and sessions, repositories. The core's only door to SQL."""
