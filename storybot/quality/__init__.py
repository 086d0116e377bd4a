"""Measures of story text: reading level, kanji grades and furigana.

Pure functions of text: nothing here reads the database or a request, so the
services, the story pipeline and the eval can all use them.
"""
