from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import ApiTokenForm
from .services import api_token_create, api_token_revoke, api_tokens_of


@require_http_methods(["GET", "POST"])
def tokens(request):
    """The person's own API keys: list, make one (shown once), revoke."""
    form = ApiTokenForm(request.POST or None)
    new_token, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _row, new_token = api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                )
                form = ApiTokenForm()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        form.add_error(field, message)
        if new_token is None:
            status = 400
    return TemplateResponse(
        request,
        "api_tokens/tokens.html",
        {
            "title": _("API keys"),
            "tokens": list(api_tokens_of(user=request.user)),
            "form": form,
            "new_token": new_token,
        },
        status=status,
    )


@require_POST
def revoke(request, token_id: int):
    # Someone else's key answers 404, like a missing one.
    token = get_object_or_404(api_tokens_of(user=request.user), pk=token_id)
    api_token_revoke(token=token)
    return redirect("api_tokens:tokens")
