"""Flower with its login required on every route but a bare liveness answer.

Flower's basic auth guards its pages and its API, but not `/metrics` (Prometheus text naming the
workers' hosts, the task names and their counts) nor its static files (mher/flower issue 1342).
This runs Flower exactly as `celery flower` does, after wrapping every route Flower registers
(`flower.urls.handlers`, a route added by a later Flower included, and the static files Tornado
serves by itself) in a handler that asks for the basic-auth credentials first. Only `/healthcheck` stays open: its answer is a bare "OK", which
tells nothing about the fleet, and container health checks call it without credentials.

Run as `python -m worker.flower_server -A worker.app flower ...` (what `worker flower` does).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any

from tornado.routing import URLSpec
from tornado.web import RequestHandler, StaticFileHandler

OPEN_PATTERNS = frozenset({"/healthcheck"})  # routes answered without the login (liveness only)
REALM = 'Basic realm="flower"'


def credentials_ok(handler: RequestHandler) -> bool:
    """True when the request's `Authorization: Basic` header holds one of Flower's `--basic-auth`
    pairs (never when Flower has none: `worker flower` refuses to start without them)."""
    options = getattr(handler.application, "options", None)  # Flower's parsed command line
    allowed = [str(pair) for pair in (getattr(options, "basic_auth", None) or [])]
    scheme, _, token = handler.request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return any(hmac.compare_digest(given, pair.encode()) for pair in allowed)


def login_required(handler_class: type[RequestHandler]) -> type[RequestHandler]:
    """`handler_class` answering 401 (with a Basic challenge) until the request carries the login."""

    class LoginRequired(handler_class):  # type: ignore[valid-type,misc]
        def check_xsrf_cookie(self) -> None:
            # Tornado checks the XSRF cookie of a POST before `prepare`: without the login, the
            # answer is the 401 below, whatever the cookie.
            if credentials_ok(self):
                super().check_xsrf_cookie()

        def prepare(self) -> Any:
            if not credentials_ok(self):
                self.set_status(401)
                self.set_header("WWW-Authenticate", REALM)
                self.finish("Access denied")
                return None
            return super().prepare()

    LoginRequired.__name__ = LoginRequired.__qualname__ = f"LoginRequired{handler_class.__name__}"
    return LoginRequired


def guard_routes(handlers: list[Any], settings: dict[str, Any]) -> None:
    """Wrap every route of a Flower handler list (in place) but OPEN_PATTERNS in `login_required`,
    and the static-file route Tornado adds by itself for the `static_path` of `settings`."""
    static_class = settings.get("static_handler_class", StaticFileHandler)
    settings["static_handler_class"] = login_required(static_class)
    for index, route in enumerate(handlers):
        spec = route if isinstance(route, URLSpec) else URLSpec(*route)
        if spec.regex.pattern.rstrip("$") in OPEN_PATTERNS:
            continue
        handlers[index] = URLSpec(
            spec.regex.pattern, login_required(spec.handler_class), spec.kwargs, spec.name
        )


def main() -> None:
    """Guard Flower's routes, then run the `celery` command line (`-A worker.app flower ...`)."""
    import flower.urls
    from celery.__main__ import main as celery_main

    guard_routes(flower.urls.handlers, flower.urls.settings)
    celery_main()


if __name__ == "__main__":
    main()
