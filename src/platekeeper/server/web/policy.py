"""Publishing the department's ALPR policy from the web (438.2.1(g)): upload a file or paste it.

The view stays thin: `transparency.actions.publish_policy` asks the gate and audits the version
(its SHA-256) exactly as `platekeeper policy publish FILE` does.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from platekeeper.server.access.roles import Permission
from platekeeper.server.transparency.actions import PolicyError, publish_policy
from platekeeper.server.transparency.queries import policy_text
from platekeeper.server.web.common import AuthenticatedRequest, requester, require

#: A policy is a few pages of text; anything much larger is the wrong file.
MAX_POLICY_BYTES = 1_000_000


class PolicyForm(forms.Form):
    """One source of the text: an uploaded plain-text file, or text pasted into the box."""

    file = forms.FileField(required=False, label="Upload a plain-text file")
    text = forms.CharField(
        required=False,
        strip=False,
        label="Or paste the text",
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload is None:
            return ""
        if upload.size > MAX_POLICY_BYTES:
            raise forms.ValidationError(f"larger than {MAX_POLICY_BYTES:,} bytes: not a policy")
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "must be plain text (UTF-8), not a PDF or Word file"
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        uploaded, pasted = data.get("file", ""), data.get("text", "")
        if uploaded and pasted.strip():
            raise forms.ValidationError("give the policy once: upload a file or paste it, not both")
        if "file" not in self.errors and not (uploaded.strip() or pasted.strip()):
            self.add_error("text", "upload the policy's file or paste its text")
        data["policy"] = uploaded or pasted
        return data


@require(Permission.MANAGE_SETTINGS, action="policy.publish")
@require_http_methods(["GET", "POST"])
def policy(request: AuthenticatedRequest) -> HttpResponse:
    """The posted policy and the form that replaces it; `require` refuses others before their
    upload is read, and `publish_policy` asks the gate again and audits the change."""
    form = PolicyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            publish_policy(form.cleaned_data["policy"], requester=requester(request))
        except PolicyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Policy published: the transparency page shows it now.")
            return redirect("web:policy")
    return render(
        request,
        "web/policy.html",
        {"form": form, "current": policy_text()},
        status=400 if form.errors else 200,
    )
