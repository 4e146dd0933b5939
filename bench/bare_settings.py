"""The platform's settings with bench/bare_urls.py as the URL map (bench/pages.py; bench/ on the path)."""

from wrp.config.settings import *  # noqa: F403

ROOT_URLCONF = "bare_urls"
