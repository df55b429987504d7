"""Login with lockout: too many failed attempts for an account or from an address lock it out
for the rest of the window (``core.ratelimit``), with a 429 and ``Retry-After``."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from huddle.core import ratelimit


class LockoutAuthenticationForm(AuthenticationForm):
    retry_after: int | None = None

    def clean(self) -> dict[str, Any]:
        email = (self.cleaned_data.get("username") or "").strip().lower()
        address = ratelimit.client_address(self.request)
        waits = [
            ratelimit.peek("login_ip", address),
            ratelimit.peek("login_account", email) if email else None,
        ]
        wait = max((w for w in waits if w), default=None)
        if wait:
            self.retry_after = wait
            minutes = max(1, round(wait / 60))
            raise ValidationError(
                f"Too many failed attempts. Try again in {minutes} minute"
                f"{'s' if minutes != 1 else ''}, or reset your password.",
                code="locked_out",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            ratelimit.hit("login_ip", address, message="Too many failed attempts.")
            if email:
                # Counted; the next attempt is refused before the password is checked.
                with contextlib.suppress(ratelimit.RateLimited):
                    ratelimit.hit("login_account", email)
            raise
        ratelimit.clear("login_account", email)
        return cleaned


class HuddleLoginView(LoginView):
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form: LockoutAuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.retry_after:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(request, *args, **kwargs)
        except ratelimit.RateLimited as error:
            form = self.get_form()
            form.retry_after = error.retry_after
            form.add_error(None, "Too many failed attempts. Try again later.")
            return self.form_invalid(form)
