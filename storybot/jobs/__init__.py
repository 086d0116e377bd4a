"""Where generations run: an in-process runner by default (queue workers later)."""
