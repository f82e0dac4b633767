"""The service kit: what every service is built with.

- :mod:`.service` — ``Service``: a service's name, routers, error formatter and models.
- :mod:`.router` — ``ServiceRouter``, where routes are declared.
- :mod:`.errors` — ``ServiceError`` and the named errors logic raises.
- :mod:`.params` — request values parsed into 400s with the service's own error document.
- :mod:`.paging` — the offset/limit, marker and last-key page styles.
- :mod:`.tokens` — ``require_token``: the bearer-token and scope check.
- :mod:`.session` — ``DbSession``: the request's database session.
- :mod:`.documents` — timestamps and ids as Globus documents write them.
"""
