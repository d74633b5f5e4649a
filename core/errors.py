"""The shape of a refused move: every problem a complete sentence in Chinese, all of them at once."""

from __future__ import annotations


class Problems(Exception):
    """Base of the apps' domain errors; ``problems`` lists each reason the move was refused."""

    def __init__(self, *problems: str) -> None:
        self.problems = [str(p) for p in problems]
        super().__init__("；".join(self.problems))
