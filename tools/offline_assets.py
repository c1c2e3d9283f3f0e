"""Serve the book's rendering assets from the book itself, so it renders with no internet.

A Sphinx extension (loaded by ``_config.yml`` → ``sphinx.local_extensions``). By default a
Jupyter Book 1 page loads MathJax, require.js and the ipywidgets HTML manager from public CDNs,
and the HTML manager then fetches each widget's front end (here ``anywidget``) from a CDN too.
``_config.yml`` points ``mathjax_path`` and myst-nb's ``nb_ipywidgets_js`` at files under
``_static/offline/`` instead, and this extension puts those files there:

- at ``builder-inited`` it copies them from ``node_modules/`` (installed by ``npm ci`` from the
  committed ``package.json`` and ``package-lock.json``, pinned versions) into
  ``<outdir>/_static/offline/``. They are copied there directly, not through
  ``html_static_path``, because Jupyter Book 1 adds a ``<script>`` tag to every page for every
  ``.js`` file it finds in a static folder (MathJax alone has hundreds);
- ``tools/widgets-setup.js`` (copied there too) maps the require.js module ``anywidget`` to the
  local copy, so the HTML manager never needs its CDN fallback for it, and lets the manager's
  MathJax 2 call run on MathJax 3;
- when ``node_modules/`` is missing (no npm on the build machine), it rewrites those settings to
  the same pinned versions on a CDN and says so in one line: the book still builds, but then
  needs the internet to show maths and widgets.

A ``node_modules/`` whose versions differ from ``package.json`` is a warning (an error under
``-W``): run ``npm ci``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
#: Where the assets go inside the built book (``_config.yml`` refers to ``offline/...``).
VENDOR = "offline"
CDN = "https://cdn.jsdelivr.net/npm"


@dataclass(frozen=True)
class Asset:
    """One npm package's files served under ``_static/offline/<dest>``.

    ``files`` are glob patterns inside the package (files or whole folders; the package's
    ``package.json`` and licence files are copied too); ``entry`` is the file a page loads,
    relative to ``dest``, and ``cdn_entry`` the same file inside the npm package (for the CDN
    fallback).
    """

    package: str
    dest: str
    files: tuple[str, ...]
    entry: str
    cdn_entry: str


ASSETS = (
    Asset(
        "mathjax",
        "mathjax",
        # The combined TeX/MathML → CommonHTML component, its fonts, and the parts it loads
        # on demand (TeX extensions through autoload, the menu's accessibility tools).
        ("es5/tex-mml-chtml.js", "es5/output/chtml", "es5/input", "es5/a11y", "es5/ui",
         "es5/sre"),
        "tex-mml-chtml.js",
        "es5/tex-mml-chtml.js",
    ),
    Asset("requirejs", "require", ("require.js",), "require.js", "require.js"),
    Asset(
        "@jupyter-widgets/html-manager",
        "html-manager",
        # embed-amd.js plus the fonts its CSS refers to (relative to the script).
        ("dist/embed-amd.js", "dist/*.woff2", "dist/*.woff", "dist/*.ttf", "dist/*.eot",
         "dist/*.svg"),
        "embed-amd.js",
        "dist/embed-amd.js",
    ),
    # An AMD module (define(["@jupyter-widgets/base"], ...)): tools/widgets-setup.js maps the
    # module name "anywidget" to it. Without it, the HTML manager fetches it from the CDN.
    Asset("anywidget", "anywidget", ("dist/index.js",), "index.js", "dist/index.js"),
)
SETUP = ROOT / "tools" / "widgets-setup.js"


def pinned_versions() -> dict[str, str]:
    """The exact versions ``package.json`` asks for, by npm package name."""
    with open(ROOT / "package.json", encoding="utf-8") as f:
        return json.load(f)["dependencies"]


def installed_version(package: str) -> str | None:
    """The version of ``package`` in ``node_modules/``, or None when it is not installed."""
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.is_file():
        return None
    with open(manifest, encoding="utf-8") as f:
        return json.load(f)["version"]


def local_assets_ready() -> bool:
    """True when every asset is installed at its pinned version (warn on a stale install)."""
    pins = pinned_versions()
    ready = True
    for asset in ASSETS:
        found = installed_version(asset.package)
        if found is None:
            ready = False
        elif found != pins[asset.package]:
            logger.warning(
                "node_modules/%s is %s but package.json pins %s: run `npm ci`",
                asset.package, found, pins[asset.package],
            )
            ready = False
    return ready


def cdn_url(path: str) -> str | None:
    """The CDN address of a local ``offline/<dest>/<entry>`` path (None for other paths)."""
    for asset in ASSETS:
        if path == f"{VENDOR}/{asset.dest}/{asset.entry}":
            return cdn_folder(asset.package) + asset.cdn_entry
    return None


def cdn_folder(package: str) -> str:
    """The CDN address of the pinned version of an npm package, ending with ``/``."""
    return f"{CDN}/{package}@{pinned_versions()[package]}/"


def use_cdn_when_offline_assets_missing(app: Sphinx, config: Config) -> None:
    """Point the offline/ settings at the CDN when ``node_modules/`` is not installed."""
    if local_assets_ready():
        return
    logger.info(
        "offline_assets: node_modules/ is missing (no npm?): MathJax, require.js and the "
        "widget manager will come from CDNs, so pages need the internet for maths and widgets"
    )
    if str(config.mathjax_path).startswith(f"{VENDOR}/"):
        config.mathjax_path = cdn_url(config.mathjax_path)
    scripts: dict[str, Any] = {}
    for path, attrs in config.nb_ipywidgets_js.items():
        if path == f"{VENDOR}/{SETUP.name}":
            scripts[path] = {
                **attrs,
                "data-anywidget": cdn_folder("anywidget") + "dist/index",
                "data-html-manager": cdn_folder("@jupyter-widgets/html-manager") + "dist",
            }
        elif (url := cdn_url(path)) is not None:
            scripts[url] = {**attrs, "crossorigin": "anonymous"}
        else:
            scripts[path] = attrs
    config.nb_ipywidgets_js = scripts


def _copy(source: Path, target: Path) -> None:
    """Copy a file or a folder, skipping files that are already there and unchanged."""
    if source.is_dir():
        for item in source.iterdir():
            _copy(item, target / item.name)
        return
    if target.is_file() and target.stat().st_size == source.stat().st_size and (
        target.stat().st_mtime >= source.stat().st_mtime
    ):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def copy_assets(app: Sphinx) -> None:
    """Copy the pinned assets into ``<outdir>/_static/offline/`` (HTML builders only)."""
    if app.builder.format != "html":
        return
    vendor = Path(app.builder.outdir) / "_static" / VENDOR
    _copy(SETUP, vendor / SETUP.name)
    if not str(app.config.mathjax_path).startswith(f"{VENDOR}/"):
        return  # built without node_modules/: the CDN serves the rest
    for asset in ASSETS:
        package = NODE_MODULES / asset.package
        for pattern in asset.files:
            matches = sorted(package.glob(pattern))
            if not matches:
                raise FileNotFoundError(f"{package / pattern} is missing: run `npm ci`")
            for source in matches:
                # Keep the layout below the package's dist/ or es5/ folder.
                relative = source.relative_to(package)
                if relative.parts[0] in ("dist", "es5"):
                    relative = relative.relative_to(relative.parts[0])
                _copy(source, vendor / asset.dest / relative)
        for source in [package / "package.json", *package.glob("LICEN[CS]E*")]:
            _copy(source, vendor / asset.dest / source.name)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the two event handlers (Sphinx extension entry point)."""
    app.connect("config-inited", use_cdn_when_offline_assets_missing, priority=100)
    app.connect("builder-inited", copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
