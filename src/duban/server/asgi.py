"""The ASGI entry point for uvicorn/gunicorn: `uvicorn duban.server.asgi:app`."""

from duban.server.app import create_app

app = create_app()
