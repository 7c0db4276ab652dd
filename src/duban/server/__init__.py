"""The HTTP edge shared by the web pages and the REST API: app factory, auth, CSRF, errors, templates."""
