"""Routes only parse and call: no route module runs SQL or reaches into a worker package.

The layer and cycle contracts are import-linter's (``make lint``); this one needs a
pattern (``routes*.py``) that its module expressions cannot say, so it reads the same
import graph (grimp, import-linter's own) here.
"""

from __future__ import annotations

import re

import grimp
import pytest

# Route modules: routes.py, routes_<topic>.py, in any service package.
ROUTE_MODULE = re.compile(r"^globus_local\.services\.[a-z_]+(\.[a-z_]+)*\.routes(_[a-z_]+)?$")
# What a route module may not import: the ORM and query API (logic modules run queries)
# and the job-side packages that do a service's work in the background.
FORBIDDEN = re.compile(r"^(sqlalchemy(\..*)?|globus_local\.services\..*\.mover(\..*)?)$")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("globus_local", include_external_packages=True)


def route_modules(graph: grimp.ImportGraph) -> list[str]:
    return sorted(m for m in graph.modules if ROUTE_MODULE.match(m))


def test_every_service_has_route_modules(graph: grimp.ImportGraph) -> None:
    services = {m.split(".")[2] for m in route_modules(graph)}
    assert {"auth", "groups", "search", "transfer"} <= services


def test_route_modules_import_no_orm_and_no_mover(graph: grimp.ImportGraph) -> None:
    offences = {
        module: sorted(
            i for i in graph.find_modules_directly_imported_by(module) if FORBIDDEN.match(i)
        )
        for module in route_modules(graph)
    }
    assert {m: found for m, found in offences.items() if found} == {}
