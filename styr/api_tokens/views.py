from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import ApiTokenForm
from .services import api_token_create, api_token_revoke, api_tokens_of

# The key made by the last POST, kept in the session only until the page has shown it once.
NEW_TOKEN_SESSION_KEY = "api_tokens_new"


@require_http_methods(["GET", "POST"])
def tokens(request):
    """The person's own API keys: list, make one (shown once), revoke. A made key is shown on
    the page the POST redirects to, so that reloading it does not make another key."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_token = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    form.add_error(field, message)
        else:
            request.session[NEW_TOKEN_SESSION_KEY] = new_token
            return redirect("api_tokens:tokens")
    return TemplateResponse(
        request,
        "api_tokens/tokens.html",
        {
            "title": _("API keys"),
            "tokens": list(api_tokens_of(user=request.user)),
            "form": form,
            "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None)
            if request.method == "GET"
            else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def revoke(request, token_id: int):
    # Someone else's key answers 404, like a missing one.
    token = get_object_or_404(api_tokens_of(user=request.user), pk=token_id)
    api_token_revoke(token=token)
    return redirect("api_tokens:tokens")
