"""Package the extension: `make extension` -> dist/jitlearn-extension-<version>.zip.

The extension is plain JavaScript with no build step; this only picks the files that ship and,
for an enterprise build, writes the hosts the admin grants into the manifest. Host permissions
declared in the manifest are granted without a prompt when the extension is force-installed by
policy, so `--hosts "https://*.example.com/*"` is how an admin lets jitlearn read their tools
automatically; the public build declares none and asks per site.
"""

import argparse
import json
import shutil
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHIP = ["manifest.json", "sidepanel.html", "options.html", "connected.html", "panel.css",
        "managed_schema.json", "src/*.js", "icons/*.png"]


def files() -> list[Path]:
    return sorted(p for pattern in SHIP for p in HERE.glob(pattern))


def manifest(hosts: list[str]) -> dict:
    data = json.loads((HERE / "manifest.json").read_text())
    for host in hosts:
        if "://" not in host or not host.endswith("/*"):
            sys.exit(f"--hosts: {host!r} is not a match pattern like https://*.example.com/*")
    if hosts:
        data["host_permissions"] = hosts
    return data


def build(out: Path, hosts: list[str], unpacked: bool = False) -> Path:
    """Write the extension to out (a directory if unpacked, else a zip inside out)."""
    data = manifest(hosts)
    if unpacked:
        if out.exists():
            shutil.rmtree(out)
        for path in files():
            target = out / path.relative_to(HERE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        (out / "manifest.json").write_text(json.dumps(data, indent=2))
        return out
    out.mkdir(parents=True, exist_ok=True)
    archive = out / f"jitlearn-extension-{data['version']}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in files():
            name = path.relative_to(HERE).as_posix()
            if name == "manifest.json":
                z.writestr(name, json.dumps(data, indent=2))
            else:
                z.write(path, name)
    return archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE.parent / "dist")
    parser.add_argument("--hosts", default="", help="comma-separated match patterns to grant")
    parser.add_argument("--unpacked", action="store_true", help="write a directory, not a zip")
    args = parser.parse_args()
    hosts = [h.strip() for h in args.hosts.split(",") if h.strip()]
    print(build(args.out, hosts, args.unpacked))


if __name__ == "__main__":
    main()
