"""Errors whose message is all a person needs: commands print them as one line, never a traceback."""


class OneLineError(Exception):
    """Raised where the problem is known and said in full (a missing cache, a demo shop not saved)."""
