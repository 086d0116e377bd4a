"""``python -m storybot``: the same as the ``storybot`` command."""

from storybot.cli import main

if __name__ == "__main__":
    main(prog_name="storybot")
