"""Allow `python -m tuinews`."""

from tuinews.entry import main

# The guard matters: worker processes (forkserver) import the main module again.
if __name__ == "__main__":
    raise SystemExit(main())
