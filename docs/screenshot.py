"""Regenerate docs/screenshot.svg: the reader on its demo library, an article open.

Usage: python docs/screenshot.py  (uses a throwaway cache; touches no real config)
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "data")
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")
        from tuinews.config import load_config
        from tuinews.ui.app import TuinewsApp

        app = TuinewsApp(load_config())
        async with app.run_test(size=(130, 36)) as pilot:
            for _ in range(8):
                await app.workers.wait_for_complete()
                await pilot.pause()
            await pilot.press("j", "j", "j", "enter")
            for _ in range(4):
                await app.workers.wait_for_complete()
                await pilot.pause()
            app.clear_notifications()
            await pilot.pause()
            target = Path(__file__).resolve().parent
            app.save_screenshot("screenshot.svg", path=str(target))


if __name__ == "__main__":
    asyncio.run(main())
