"""Pages of enterprise policies: "Policies for you" for enterprises; the staff list, editor,
simulation, pending grants and the check of one enterprise."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banhao.accounts.identity import is_verified, pending_claim
from banhao.accounts.roles import Role

from . import access, matching, rules, selectors, services
from .errors import PolicyError
from .forms import CheckEnterpriseForm, ClauseFormSet, PolicyForm, RejectForm
from .states import PolicyState


@login_required
def for_me(request):
    """惠企政策 for the signed-in enterprise: what it qualifies for and why not the others."""
    user = request.user
    if user.role != Role.ENTERPRISE:
        if access.is_policy_staff(user):
            return redirect("policies:staff_list")
        raise PermissionDenied
    enterprise = selectors.enterprise_of(user)
    views = selectors.explain(enterprise) if enterprise else []
    return render(
        request,
        "policies/for_me.html",
        {
            "enterprise": enterprise,
            "qualifying": [v for v in views if v.qualifies],
            "others": [v for v in views if not v.qualifies],
            "benefits": selectors.benefits_of(enterprise) if enterprise else [],
            "verified": is_verified(user),
            "claim": None if is_verified(user) else pending_claim(user),
        },
    )


def staff_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not access.is_policy_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@staff_required
def staff_list(request):
    state = request.GET.get("state", "")
    state = state if state in PolicyState.values else ""
    page = Paginator(selectors.staff_policy_list(request.user, state=state), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "policies/staff_list.html",
        {
            "page": page,
            "state": state,
            "states": PolicyState.choices,
            "can_create": access.can_create(request.user),
            "pending": selectors.pending_count(request.user),
        },
    )


def _facts_reference() -> list[dict]:
    return [
        {"name": f.name, "label": f.label, "aliases": "、".join(f.aliases), "example": f.example}
        for f in rules.FACTS.values()
    ]


def _editor(request, policy=None):
    user = request.user
    if policy is None and not access.can_create(user):
        raise PermissionDenied
    if policy is not None and not access.can_write(user, policy.department_id):
        raise PermissionDenied
    towns = matching.township_ids()
    initial_clauses = (
        [
            {"label": c.label, "label_en": c.label_en, "expression": c.expression}
            for c in policy.clauses.all()
        ]
        if policy
        else []
    )
    form = PolicyForm(request.POST or None, instance=policy, user=user)
    formset = ClauseFormSet(
        request.POST or None,
        initial=initial_clauses,
        prefix="clause",
        form_kwargs={"townships": towns},
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        values = {name: form.cleaned_data[name] for name in form.cleaned_data}
        try:
            saved = services.save_draft(
                actor=user, values=values, clauses=formset.clauses(), policy=policy
            )
        except PolicyError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("The draft was saved."))
            if "simulate" in request.POST:
                return redirect("policies:simulate", pk=saved.pk)
            return redirect("policies:detail", pk=saved.pk)
    return render(
        request,
        "policies/editor.html",
        {
            "policy": policy,
            "form": form,
            "formset": formset,
            "facts": _facts_reference(),
            "towns": list(towns),
        },
    )


@staff_required
def policy_new(request):
    return _editor(request)


@staff_required
def policy_edit(request, pk: int):
    policy = access.staff_policy_or_404(request.user, pk)
    if policy.state != PolicyState.DRAFT:
        messages.error(request, _("Only draft policies can be changed."))
        return redirect("policies:detail", pk=pk)
    return _editor(request, policy)


@staff_required
def detail(request, pk: int):
    policy = access.staff_policy_or_404(request.user, pk)
    return render(
        request,
        "policies/detail.html",
        {
            "policy": policy,
            "clauses": policy.clauses.all(),
            "figures": selectors.policy_figures(policy),
            "can_write": access.can_write(request.user, policy.department_id),
        },
    )


@staff_required
@require_POST
def transition(request, pk: int, action: str):
    policy = access.staff_policy_or_404(request.user, pk)
    try:
        if action == "activate":
            services.activate(actor=request.user, policy=policy)
            messages.success(request, _("The policy is active; it is matched from now on."))
        elif action == "close":
            services.close(actor=request.user, policy=policy)
            messages.success(request, _("The policy was closed."))
        elif action == "match":
            if not access.can_write(request.user, policy.department_id):
                raise PolicyError(services.errors.NOT_ALLOWED)
            report = services.match_all(policy_ids=[policy.pk])
            messages.success(
                request,
                _(
                    "Matched: %(eligible)s eligible, %(new)s new, %(told)s told; "
                    "%(silent)s without an account."
                )
                % {
                    "eligible": report.eligible,
                    "new": report.new_matches,
                    "told": report.notified,
                    "silent": report.without_account,
                },
            )
        else:
            raise PermissionDenied
    except PolicyError as exc:
        messages.error(request, exc.message)
    return redirect("policies:detail", pk=pk)


@staff_required
def simulate(request, pk: int):
    policy = access.staff_policy_or_404(request.user, pk)
    return render(
        request,
        "policies/simulate.html",
        {"policy": policy, "sim": selectors.simulate(policy)},
    )


@staff_required
def grants(request):
    page = Paginator(
        selectors.pending_grants(request.user, policy_id=request.GET.get("policy") or None), 50
    ).get_page(request.GET.get("page"))
    return render(request, "policies/grants.html", {"page": page, "reject_form": RejectForm()})


@staff_required
@require_POST
def decide(request, pk: int, action: str):
    grant = access.staff_grant_or_404(request.user, pk)
    try:
        if action == "approve":
            services.approve_grant(actor=request.user, grant=grant)
            messages.success(request, _("Granted; the enterprise was told."))
        elif action == "reject":
            form = RejectForm(request.POST)
            reason = form.data.get("reason", "")
            services.reject_grant(actor=request.user, grant=grant, reason=reason)
            messages.success(request, _("Refused; the enterprise was told why."))
        else:
            raise PermissionDenied
    except PolicyError as exc:
        messages.error(request, exc.message)
    return redirect("policies:grants")


@staff_required
def check(request):
    """Staff look at one enterprise's eligibility (recorded with their purpose)."""
    form = CheckEnterpriseForm(request.POST or None)
    enterprise = views = None
    if request.method == "POST" and form.is_valid():
        enterprise = selectors.enterprise_by_code(form.cleaned_data["credit_code"])
        if enterprise is None:
            form.add_error("credit_code", services.errors.NO_ENTERPRISE[1])
        else:
            try:
                services.record_explanation_view(
                    actor=request.user, enterprise=enterprise, purpose=form.cleaned_data["purpose"]
                )
            except PolicyError as exc:
                form.add_error("purpose", exc.message)
                enterprise = None
            else:
                views = selectors.explain(enterprise)
    return render(
        request,
        "policies/check.html",
        {
            "form": form,
            "enterprise": enterprise,
            "qualifying": [v for v in views or [] if v.qualifies],
            "others": [v for v in views or [] if not v.qualifies],
        },
    )
