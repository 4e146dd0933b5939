"""A faster `__init__` for the frozen, slotted dataclasses an assessment builds by the dozen (checks, results).

A frozen dataclass's own `__init__` stores each field through `object.__setattr__`, several times slower than a plain
one; this one stores each field through its slot's descriptor. Same parameters, same defaults, same frozen object.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any, TypeVar

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """Replace the `__init__` of a frozen dataclass made with `slots=True` (decorate above `@dataclass`)."""
    namespace: dict[str, Any] = {}
    params, body = [], []
    for field in fields(cls):  # type: ignore[arg-type]
        name = field.name
        if field.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{name}: default factories are not supported")
        if field.default is MISSING:
            params.append(name)
        else:
            namespace[f"_default_{name}"] = field.default
            params.append(f"{name}=_default_{name}")
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
        body.append(f"    _set_{name}(self, {name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n"
    exec(source, namespace)  # built from the dataclass's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
