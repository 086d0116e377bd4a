"""What Storybot does: the logic behind the API, free of HTTP."""
