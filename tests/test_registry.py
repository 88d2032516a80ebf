"""The shared Registry: one shape for every pluggable part."""

from __future__ import annotations

import doctest
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import pytest

import micromix.registry
from micromix.errors import ConfigError
from micromix.registry import Registry


@dataclass(frozen=True)
class Shape:
    lookup_name: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        return {"lookup_name": self.lookup_name, **asdict(self)}


@dataclass(frozen=True)
class Circle(Shape):
    lookup_name: ClassVar[str] = "circle"
    radius: float = 1.0


@dataclass(frozen=True)
class Square(Shape):
    lookup_name: ClassVar[str] = "square"
    side: float = 2.0


@pytest.fixture()
def shapes() -> Registry[Shape]:
    reg: Registry[Shape] = Registry("shape", base=Shape)
    reg.register(Square)
    reg.register(Circle)
    return reg


def test_doctests():
    res = doctest.testmod(micromix.registry, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 5 and res.failed == 0


def test_names_sorted_iteration_in_registration_order(shapes):
    assert shapes.names() == ["circle", "square"]
    assert list(shapes) == ["square", "circle"]
    assert len(shapes) == 2
    assert "Circle " in shapes and "triangle" not in shapes and 3 not in shapes
    assert shapes.as_dict() == {"square": Square, "circle": Circle}


def test_create_from_name_dict_and_instance(shapes):
    c = shapes.create("circle", radius=3.0)
    assert c == Circle(radius=3.0)
    assert shapes.create(c.to_dict()) == c
    assert shapes.create(" CIRCLE ") == Circle()
    assert shapes.create({"lookup_name": "square"}, side=5.0) == Square(side=5.0)
    assert shapes.create(c) is c
    assert shapes.get("square") is Square


def test_unknown_name_lists_the_known_ones(shapes):
    with pytest.raises(ConfigError, match=r"unknown shape 'hexagon'; use one of: circle, square"):
        shapes.create("hexagon")


def test_bad_parameters_and_specs_are_one_sentence(shapes):
    with pytest.raises(ConfigError, match="does not take these parameters"):
        shapes.create("circle", diameter=2)
    with pytest.raises(ConfigError, match="has no 'lookup_name'"):
        shapes.create({"radius": 1})
    with pytest.raises(ConfigError, match="not as int"):
        shapes.create(3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="cannot be applied to an existing shape"):
        shapes.create(Circle(), radius=2)


def test_registration_rules(shapes):
    class Nameless(Shape):
        pass

    class Upper(Shape):
        lookup_name = "Upper"

    class NotAShape:
        lookup_name = "other"

    with pytest.raises(ConfigError, match="non-empty string lookup_name"):
        shapes.register(Nameless)
    with pytest.raises(ConfigError, match="must be lower case"):
        shapes.register(Upper)
    with pytest.raises(ConfigError, match="is not a Shape"):
        shapes.register(NotAShape)  # type: ignore[arg-type]

    @dataclass(frozen=True)
    class BigCircle(Shape):
        lookup_name: ClassVar[str] = "circle"
        radius: float = 10.0

    sandbox = shapes.copy()
    sandbox.register(BigCircle)  # a plug-in may replace a default
    assert shapes.create("circle") == Circle() and sandbox.create("circle") == BigCircle()
    shapes.register(BigCircle)
    assert shapes.create("circle") == BigCircle()
    assert "circle" in repr(shapes)
