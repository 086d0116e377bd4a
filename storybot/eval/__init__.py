"""``storybot eval``: how good the stories are, measured on a fixed suite.

Each case of the suite (a reader, an idea, a length, a language) is written
twice on the same engine with the same sampling: by Storybot's full pipeline
(composition, word budget, closing, title) and by naive prompting (the bare
request a parent would type into a chat). Each story is measured
(:mod:`storybot.eval.measures`) and the totals are reported side by side
(:mod:`storybot.eval.report`).
"""
