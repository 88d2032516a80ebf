"""Offline JavaScript for the report: Vega, Vega-Lite and vega-embed, inlined.

The bundle comes from ``vl-convert-python`` (a core dependency), so a report opens with no
network at all. Building the bundle takes a few seconds; it is cached per process.

Quickstart
----------
>>> from micromix.reports.assets import vega_bundle
>>> js = vega_bundle()
>>> "vegaEmbed" in js
True
"""

from __future__ import annotations

import functools
import re

import altair as alt

__all__ = ["VEGA_LITE_VERSION", "script_safe", "vega_bundle"]

_SCRIPT_CLOSE = re.compile(r"</(script)", re.IGNORECASE)

#: Vega-Lite version of the inlined bundle: the one Altair writes its specs for (``v6.4.1`` -> ``6.4``)
VEGA_LITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def script_safe(text: str) -> str:
    """Make ``text`` safe inside an HTML ``<script>`` element (no early ``</script>`` close)."""
    return _SCRIPT_CLOSE.sub(lambda m: "<\\/" + m.group(1), text).replace("<!--", "<\\!--")


@functools.lru_cache(maxsize=2)
def vega_bundle(vl_version: str | None = None) -> str:
    """The Vega + Vega-Lite + vega-embed JavaScript bundle as one ES module.

    It sets ``window.vegaEmbed``, ``window.vegaLite`` and ``window.vega``. Include it in a
    ``<script type="module">`` element.

    Parameters
    ----------
    vl_version : str, optional
        Vega-Lite version (``"6.4"``); default :data:`VEGA_LITE_VERSION`, falling back to the
        newest one vl-convert ships when that version is not bundled.
    """
    import vl_convert as vlc

    wanted = vl_version or VEGA_LITE_VERSION
    versions = list(vlc.get_vegalite_versions())
    version = wanted if wanted in versions else versions[-1]
    bundle: str = vlc.javascript_bundle(vl_version=version)  # type: ignore[call-arg]
    return script_safe(bundle)
