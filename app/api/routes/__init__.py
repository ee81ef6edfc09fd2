"""One router per resource (FastAPI): each module's ``router``, included by ``app.main``."""
