"""Start the dashboard: `python serve.py [streamlit options]`, i.e. `streamlit run app.py` with a warm-up.

`make run` uses it. The options are Streamlit's own (`--server.port 8502`). It listens on 127.0.0.1 (this
computer only) unless an address is given (`--server.address 0.0.0.0`, or STREAMLIT_SERVER_ADDRESS): serving
on a network is a choice, made together with sign-in (README, "Serving on a network"). The warm-up
(components/warmup.py) imports and prepares what the first page needs while the server starts and the browser
loads, so the first chart shows sooner; the app's HTML tells the browser where the server is, so a link to a
page connects at once (components/deep_links.py). `streamlit run app.py` works too, without these (and
without the loopback default).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
LOOPBACK = "127.0.0.1"


def with_default_address(argv: list[str], env: dict[str, str]) -> list[str]:
    """The options with `--server.address 127.0.0.1` added unless an address is already chosen."""
    chosen = any(a == "--server.address" or a.startswith("--server.address=") for a in argv)
    if chosen or env.get("STREAMLIT_SERVER_ADDRESS", "").strip():
        return list(argv)
    return ["--server.address", LOOPBACK, *argv]


def main(argv: list[str]) -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from components import deep_links, warmup

    # first, in this thread: it imports Streamlit's server, which the warm-up thread must not import alongside
    deep_links.install()  # a shared link to a page connects without a failed first try
    warmup.start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *with_default_address(argv, dict(os.environ))]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
