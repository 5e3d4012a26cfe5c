"""Password rules beyond Django's built-in validators."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class NotContainingUsernameValidator:
    """Refuse a password that contains the username (CJIS: a password is not the user id).

    Django's similarity check compares whole strings, so `ines-ines-2024!` would pass it.
    """

    def validate(self, password: str, user: Any = None) -> None:
        username = getattr(user, "username", "") or ""
        if len(username) >= 3 and username.lower() in password.lower():
            raise ValidationError(
                "The password must not contain the username.", code="password_has_username"
            )

    def get_help_text(self) -> str:
        return "Your password must not contain your username."
