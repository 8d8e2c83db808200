#!/usr/bin/env python3
"""Start moto's server with the containerapp emulator fidelity patches applied.

    python3 scripts/emulator/launcher.py -H 127.0.0.1 -p 4566

Arguments are moto.server's own (-H HOST -p PORT ...). The patches (see
containerapp_moto/ and docs/design/EMULATOR.md) are applied in this process
before moto's server starts, so the pid of this interpreter is moto's.
CONTAINERAPP_EMULATOR_PATCHES=0 starts plain moto, to compare.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def patches_enabled() -> bool:
    return os.environ.get("CONTAINERAPP_EMULATOR_PATCHES", "1").strip() != "0"


def main(argv=None) -> None:
    import moto
    import moto.server

    if patches_enabled():
        import containerapp_moto

        applied = containerapp_moto.apply()
        print(
            f"containerapp emulator: moto {moto.__version__} with patches: {', '.join(applied)}",
            file=sys.stderr,
            flush=True,
        )
    else:
        print(
            f"containerapp emulator: plain moto {moto.__version__} (CONTAINERAPP_EMULATOR_PATCHES=0)",
            file=sys.stderr,
            flush=True,
        )
    moto.server.main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
