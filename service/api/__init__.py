"""The HTTP service (``mangshen serve``): FastAPI app, routes, auth and error mapping.

The pipeline knows nothing of HTTP; this package calls it only through the job workers
(``service.jobs``) and translates its errors with ``service.errors`` (``http_status``).
"""
