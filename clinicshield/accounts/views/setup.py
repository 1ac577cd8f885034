"""The first visit to an empty install: create the first organisation and its owner."""

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from clinicshield.lib.errors import UserError

from .. import actions
from ..forms import SetupForm
from ..models import Organisation


def first_setup(request: HttpRequest) -> HttpResponse:
    if Organisation.objects.exists():
        return redirect("home")
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _org, user = actions.do_first_setup(
                data["org_name"],
                data["org_slug"],
                data["timezone"],
                data["email"],
                data["password"],
            )
        except UserError as error:
            form.add_error(None, str(error.message))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            # Owners must enrol a second factor before they see anything else.
            return redirect("accounts:mfa")
    return render(request, "accounts/setup.html", {"form": form})
