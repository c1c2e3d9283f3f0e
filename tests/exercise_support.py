"""Shared by the exercise-checker tests."""


def stub(*args):
    """An unfinished answer: the exercise's stub as the learner finds it."""
    raise NotImplementedError


def diagnosis(check, answer):
    """The message of ``check(answer)``, which must say "fail" (a wrong answer, explained)."""
    result = check(answer)
    assert result.status == "fail", result
    return result.message
