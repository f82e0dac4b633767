from tests.globus_sdk.services.auth.conftest import confidential_app, keyboard, native_app

__all__ = ["confidential_app", "keyboard", "native_app"]
