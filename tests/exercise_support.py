"""Shared by the exercise-checker tests."""


def diagnosis(check, answer):
    """The message of ``check(answer)``, which must say "fail" (a wrong answer, explained)."""
    result = check(answer)
    assert result.status == "fail", result
    return result.message
