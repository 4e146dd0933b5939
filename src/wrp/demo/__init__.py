"""The demo: a data set made through the services (`wrp.demo.dataset`) and its command, `wrp demo [--if-empty]`."""

from wrp.demo.people import DEMO_PASSWORD, resident_id

__all__ = ["DEMO_PASSWORD", "resident_id"]
