"""Translatable problem reports: definition validation errors and rejected answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

ParamValue = str | int | float


def N_(message: str) -> str:
    """Mark a message for extraction by Babel; translation happens later, in format()."""
    return message


def _frozen(params: Mapping[str, ParamValue]) -> Mapping[str, ParamValue]:
    return MappingProxyType(dict(params))


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem with a stable code, where it is, and an English message template."""

    code: str
    path: str
    message: str
    # Left out of the hash (a mapping is unhashable) so problems can go into sets.
    params: Mapping[str, ParamValue] = field(default_factory=dict, hash=False)

    def format(self, translate: Callable[[str], str] = N_) -> str:
        """Render the message, translated, with its parameters filled in."""
        translated = translate(self.message)
        try:
            return translated.format_map(dict(self.params))
        except (KeyError, IndexError, ValueError):
            # A broken translation must not hide the error itself: fall back to English.
            return self.message.format_map(dict(self.params))

    def __str__(self) -> str:
        return f"{self.path}: {self.format()}" if self.path else self.format()


@dataclass(frozen=True, slots=True)
class ValidationError(Problem):
    """Something wrong in a survey definition (YAML or builder)."""


@dataclass(frozen=True, slots=True)
class AnswerError(Problem):
    """An answer the dialog cannot accept; the member is asked again."""


# Templates live in one table so codes and wording stay consistent and Babel sees them all.
VALIDATION_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "yaml_syntax": N_("The file is not valid YAML (line {line}, column {column}): {problem}"),
        "too_large": N_("The definition is too large ({size} characters; at most {limit})."),
        "not_a_mapping": N_("Expected a mapping of fields (key: value)."),
        "not_a_list": N_("Expected a list (lines starting with '-')."),
        "not_text": N_("Expected text; put the value in quotes."),
        "not_an_integer": N_("Expected a whole number."),
        "not_a_number": N_("Expected a number."),
        "not_a_boolean": N_("Expected true or false."),
        "not_a_datetime": N_(
            "Expected a date and time such as 2026-06-01 09:00, or one counted from the "
            "upload such as +14d or +7d 18:00."
        ),
        "missing_field": N_("The required field '{field}' is missing."),
        "unknown_field": N_("Unknown field '{field}'. Allowed here: {allowed}."),
        "empty": N_("This must not be empty."),
        "too_long": N_("Too long: {length} characters, at most {limit}."),
        "too_many": N_("Too many entries: {count}, at most {limit}."),
        "invalid_id": N_(
            "'{value}' is not a valid id: use 1-{limit} letters, digits, '_' or '-', "
            "starting with a letter."
        ),
        "invalid_option_id": N_(
            "'{value}' is not a valid option id: use 1-{limit} letters, digits or '_'."
        ),
        "duplicate_id": N_("The id '{id}' is used more than once."),
        "duplicate_option": N_("The option id '{id}' is used more than once in this question."),
        "unknown_type": N_("Unknown question type '{type}'. Known types: {allowed}."),
        "several_other_options": N_("Only one option may be the 'other, please specify' option."),
        "min_greater_than_max": N_("The minimum ({min}) is greater than the maximum ({max})."),
        "scale_range": N_(
            "A scale needs 2 to {limit} steps and a minimum below the maximum; "
            "{min} to {max} does not fit."
        ),
        "naive_datetime": N_("The date and time needs a time zone."),
        "out_of_range": N_("The value {value} must be between {min} and {max}."),
        "dates_out_of_order": N_("closes_at ({closes_at}) must be after opens_at ({opens_at})."),
        "condition_unknown_question": N_("The condition refers to an unknown question '{id}'."),
        "condition_forward_reference": N_(
            "The condition refers to '{id}', which is not asked before this point."
        ),
        "condition_operator": N_("A condition needs exactly one of: {allowed} (found: {found})."),
        "condition_operator_type": N_(
            "The operator '{operator}' cannot be used with a question of type '{type}'."
        ),
        "condition_unknown_option": N_("Question '{id}' has no option '{option}'."),
        "condition_value": N_(
            "The value for '{operator}' does not fit question '{id}' of type '{type}'."
        ),
        "condition_too_complex": N_("The condition is too deeply nested or too large."),
        "nesting_too_deep": N_("Groups are nested too deeply (at most {limit} levels)."),
        "correct_unknown_option": N_("The correct answer '{option}' is not an option."),
        "correct_count": N_("A single-choice question has {count} correct answers; give one."),
        "correct_is_other": N_("The 'other, please specify' option cannot be the correct answer."),
    }
)

ANSWER_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "wrong_survey": N_("This answer belongs to another survey."),
        "unknown_question": N_("There is no question '{id}' in this survey."),
        "not_current": N_("That button belongs to an earlier question; please use the latest one."),
        "finished": N_("All questions are already answered."),
        "required": N_("This question needs an answer."),
        "invalid_value": N_("This answer does not fit the question."),
        "invalid_option": N_("'{option}' is not one of the choices."),
        "duplicate_option": N_("The choice '{option}' was given twice."),
        "too_few_selections": N_("Please choose at least {min}."),
        "too_many_selections": N_("Please choose at most {max}."),
        "other_text_required": N_("Please say what 'other' means for you."),
        "other_text_unexpected": N_("Extra text is only taken for the 'other' choice."),
        "text_empty": N_("Please type an answer."),
        "text_too_long": N_("That is {length} characters; at most {max} are allowed."),
        "not_a_number": N_("Please send a number, for example 12 or 3.5."),
        "not_an_integer": N_("Please send a whole number."),
        "not_a_whole_number": N_("Please send a whole number, for example 12."),
        "below_min": N_("The number must be at least {min}."),
        "above_max": N_("The number must be at most {max}."),
        "not_in_scale": N_("Please choose a value from {min} to {max}."),
        "cannot_go_there": N_("That question cannot be reached from here."),
    }
)


def validation_error(code: str, path: str, **params: ParamValue) -> ValidationError:
    """A validation error whose message comes from the shared table."""
    return ValidationError(code, path, VALIDATION_MESSAGES[code], _frozen(params))


def answer_error(code: str, path: str, **params: ParamValue) -> AnswerError:
    """An answer error whose message comes from the shared table."""
    return AnswerError(code, path, ANSWER_MESSAGES[code], _frozen(params))
