"""The secret key, and the private data directory, read at start-up (called from settings.py, before Django runs).

Production takes SECRET_KEY from the environment (or the file SECRET_KEY_FILE names, for secrets mounted by the
orchestrator) and nothing else. Elsewhere, without SECRET_KEY, the key is kept in DATA_DIR/secret_key: 50+ random
characters made on the first start, readable by the server's user alone, so a fresh clone's `make run` needs no setup
and never runs on a key written in the repository. A weak key — the checks of Django's `security.W009` (fewer than 50
characters, fewer than 5 distinct ones, the `django-insecure-` prefix) or the development constant of earlier
versions — stops start-up in every environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# The key every development checkout shared before keys were generated: refused wherever it turns up.
OLD_DEVELOPMENT_KEY = "wrp-development-only-insecure-key-do-not-use-in-production-0123456789"
SECRET_KEY_FILE_NAME = "secret_key"
MIN_LENGTH = 50
MIN_UNIQUE = 5
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#%^&*(-_=+)"


def secret_key_problem(key: str) -> str | None:
    """Why the key is too weak to sign sessions and tokens, or None."""
    if key == OLD_DEVELOPMENT_KEY:
        return "it is the development key once written in the repository"
    if key.startswith("django-insecure-"):
        return "it starts with django-insecure- (a key made by startproject for local use)"
    if len(key) < MIN_LENGTH:
        return f"it has {len(key)} characters, fewer than {MIN_LENGTH}"
    if len(set(key)) < MIN_UNIQUE:
        return f"it has fewer than {MIN_UNIQUE} different characters"
    return None


def private_dir(path: Path) -> Path:
    """Create the data directory if needed, readable by the server's user alone (0700)."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except PermissionError:
        raise ImproperlyConfigured(
            f"WRP_DATA_DIR={str(path)!r} must be a directory the server's user owns, mode 0700"
        ) from None
    return path


def _generated_key(path: Path) -> str:
    """The key kept at `path`, written (0600, whole or not at all) on the first start."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = "".join(secrets.choice(_ALPHABET) for _ in range(64))
    private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    try:
        os.link(temporary, path)  # a second process starting at once keeps the first one's key
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()


def secret_key_from_env(*, value: str, file: str, production: bool, data_dir: Path) -> str:
    """SECRET_KEY from the environment, from SECRET_KEY_FILE, or (outside production) from DATA_DIR/secret_key."""
    if value and file:
        raise ImproperlyConfigured("set SECRET_KEY or SECRET_KEY_FILE, not both")
    if file:
        try:
            key = Path(file).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE={file!r} cannot be read: {error.strerror}") from None
        source = "SECRET_KEY_FILE"
    elif value:
        key, source = value, "SECRET_KEY"
    elif production:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of 50+ characters in production (or SECRET_KEY_FILE name a file "
            "holding it); generate one with `python -c 'import secrets; print(secrets.token_urlsafe(50))'`"
        )
    else:
        path = data_dir / SECRET_KEY_FILE_NAME
        key, source = _generated_key(path), str(path)
    problem = secret_key_problem(key)
    if problem:
        raise ImproperlyConfigured(
            f"SECRET_KEY from {source} is refused: {problem}. Use 50+ random characters, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`"
        )
    return key


def database_files_private(database: dict[str, object]) -> None:
    """Make an SQLite database file and its WAL companions readable by the server's user alone (0600)."""
    if database.get("ENGINE") != "django.db.backends.sqlite3":
        return
    name = str(database.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(name + suffix)
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except FileNotFoundError:
            continue
