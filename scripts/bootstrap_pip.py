"""Put pip into a virtual environment made with --without-pip.

Debian and Ubuntu ship python3 without ensurepip unless python3-venv is installed; this keeps
`make demo` and `make test` working there with nothing but Python and make. Standard library
only: it fetches the pinned pip wheel from PyPI, checks its SHA-256 and installs it.
"""

import hashlib
import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

PIP_VERSION = "25.3"


def main() -> None:
    # PEP 691: the Simple API's JSON form lists every file with its address and hash.
    index = urllib.request.Request(
        "https://pypi.org/simple/pip/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(index, timeout=60) as r:
        files = json.load(r)["files"]
    wheel = next(f for f in files if f["filename"] == f"pip-{PIP_VERSION}-py3-none-any.whl")
    with urllib.request.urlopen(wheel["url"], timeout=120) as r:
        data = r.read()
    if hashlib.sha256(data).hexdigest() != wheel["hashes"]["sha256"]:
        sys.exit("pip-hjulet från PyPI hade fel kontrollsumma; avbryter.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / wheel["filename"]
        path.write_bytes(data)
        # A wheel is importable: run pip from the wheel itself to install that same wheel.
        subprocess.check_call([sys.executable, f"{path}/pip", "install", "--no-index", str(path)])


if __name__ == "__main__":
    main()
