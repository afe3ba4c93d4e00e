"""The MCP Bundle manifest (manifest.json, for one-click install in desktop clients) and the MCP
Registry entry (server.json) agree with the package they describe; their official validators accept
them (opt-in: `mcpb validate` from the Node tools folder, `mcp-publisher validate` when installed)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from alimail_mcp import __version__
from alimail_mcp import config as settings_module
from alimail_mcp.server.tools import TOOLS
from tests.support import node_tools

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / name).read_text(encoding="utf-8"))
    return data


def test_the_bundle_manifest_describes_this_package() -> None:
    manifest = load("manifest.json")
    assert manifest["version"] == __version__
    assert [(t["name"], t["description"]) for t in manifest["tools"]] == [(r.name, r.title) for r in TOOLS]
    config = manifest["server"]["mcp_config"]
    assert config["command"] == "uv" and config["args"][-2:] == ["alimail-mcp", "serve"]
    known = {v for k, v in vars(settings_module).items() if k.startswith("ENV_")}
    assert set(config["env"]) <= known
    assert (ROOT / manifest["server"]["entry_point"]).is_file()


def test_the_registry_entry_describes_this_package() -> None:
    entry = load("server.json")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    package = entry["packages"][0]
    assert entry["version"] == package["version"] == project["version"] == __version__
    assert (package["registryType"], package["identifier"]) == ("pypi", project["name"])
    assert package["transport"] == {"type": "stdio"}
    assert [a["value"] for a in package["packageArguments"]] == ["serve"]
    assert len(entry["description"]) <= 100
    # PyPI ownership: the README (the package's long description) names the registry entry
    assert f"mcp-name: {entry['name']}" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.interop
def test_mcpb_validates_the_manifest() -> None:
    if node_tools.tool("mcpb") is None:
        pytest.skip(f"mcpb or Node 22 not installed: {node_tools.INSTALL_HINT}")
    done = node_tools.run("mcpb", ["validate", str(ROOT / "manifest.json")])
    assert done.returncode == 0 and "passes" in done.stdout, done.stdout + done.stderr


@pytest.mark.interop
def test_the_registry_schema_accepts_the_entry() -> None:
    """Against the official schema the entry names (`$schema`), fetched: skipped offline."""
    import httpx
    import jsonschema

    entry = load("server.json")
    try:
        schema = httpx.get(entry["$schema"], timeout=10).raise_for_status().json()
    except (httpx.HTTPError, ValueError) as exc:
        pytest.skip(f"the registry's schema could not be fetched ({type(exc).__name__}): offline?")
    jsonschema.validate(entry, schema)


@pytest.mark.interop
def test_mcp_publisher_validates_the_registry_entry() -> None:
    publisher = node_tools.publisher()
    if publisher is None:
        pytest.skip("mcp-publisher (the MCP Registry's CLI) is not on PATH")
    import subprocess

    done = subprocess.run(
        [publisher, "validate", str(ROOT / "server.json")], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout + done.stderr
