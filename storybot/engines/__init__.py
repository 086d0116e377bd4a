"""Language-model backends behind one interface (:mod:`storybot.engines.base`)."""
