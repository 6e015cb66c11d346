"""Start the dashboard: `python serve.py [streamlit options]`, i.e. `streamlit run app.py` with a warm-up.

`make run` uses it. The options are Streamlit's own (`--server.port 8502`, `--server.address 0.0.0.0`). The
warm-up (components/warmup.py) imports and prepares what the first page needs while the server starts and
the browser loads, so the first chart shows sooner; `streamlit run app.py` works too, without it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main(argv: list[str]) -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from components import warmup

    warmup.start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
