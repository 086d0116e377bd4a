"""How a story is written: the steps between the composed request and the saved text.

The pipeline drives an engine through a few short generations (the body with
a word budget, a closing that continues the same text, a title) and yields one
stream of text pieces, the title and one Finish, as an engine does. It knows
engines and text, not the database or HTTP: the runner saves what it yields.
"""
