"""The domain: plain functions over a session, no FastAPI here."""
