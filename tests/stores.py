"""Point the session's app at a store of a test's own, and put the old one back afterwards."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator


@contextmanager
def app_on_store(app, url: str, **settings) -> Iterator:
    """Swap `app`'s store for a fresh one at `url` (plus config `settings`); yields the store.

    The session-scoped app keeps its loaded models, so a test gets an empty store without
    paying for another model load.
    """
    from service.store import Store

    settings = {"DATABASE_URL": url, **settings}
    saved_config = {key: app.config.get(key) for key in settings}
    saved_store = app.extensions.get("newsroom.store")
    store = Store(url)
    app.config.update(settings)
    app.extensions["newsroom.store"] = store
    try:
        yield store
    finally:
        app.config.update(saved_config)
        app.extensions["newsroom.store"] = saved_store
        store.close()
