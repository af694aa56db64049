"""Admin: payments and orders (with every attempt and webhook), refunds, plans, credit gifts."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...errors import ExternalServiceError, ValidationError
from ...models import PLAN_CURRENCIES, PaymentStatus
from ...services import credits, payments, plans
from ..helpers import admin_required, perform, submit
from .blueprint import bp
from .forms import GiftForm, PlanForm, ReasonForm
from .routes import confirm_page


def _choice(name: str, allowed) -> str:
    value = request.args.get(name, "")
    return value if value in allowed else ""


@bp.get("/payments")
@admin_required
def payments_index():
    filters = {
        "provider": _choice("provider", payments.PROVIDER_NAMES),
        "status": _choice("status", tuple(PaymentStatus)),
        "currency": _choice("currency", PLAN_CURRENCIES),
        "fallback": _choice("fallback", ("yes", "no")),
    }
    return render_template(
        "admin/payments.html",
        payments=payments.list_payments(**filters),
        orders=payments.list_orders(limit=30),
        owing=credits.negative_balances(),
        filters=filters,
        providers=list(payments.PROVIDER_NAMES),
        statuses=list(PaymentStatus),
        currencies=PLAN_CURRENCIES,
    )


@bp.get("/orders/<int:order_id>")
@admin_required
def order_detail(order_id: int):
    order = payments.get_order(order_id)
    return render_template("admin/order.html", order=order, events=payments.order_webhook_events(order))


@bp.route("/payments/<int:payment_id>/refund", methods=["GET", "POST"])
@admin_required
def refund_payment(payment_id: int):
    """Refund through the provider's API, after the confirmation step with a reason (audited)."""
    payment = payments.get_payment(payment_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            payment = perform(lambda: payments.request_refund(current_user, payment_id, form.note.data))
        except (ExternalServiceError, ValidationError) as error:
            perform(lambda: None)  # keep the provider's error recorded on the payment
            flash(error.message, "error")
            return redirect(url_for("admin.payments_index"))
        flash(f"Refund of {payment.receipt_label} requested; the provider's webhook will confirm it.", "success")
        return redirect(
            url_for("admin.order_detail", order_id=payment.order_id)
            if payment.order_id
            else url_for("admin.payments_index")
        )
    label = payment.receipt_label or payment.provider_payment_id
    return confirm_page(
        form,
        f"Refund {label}",
        [
            f"{payment.provider.capitalize()} is asked to refund the whole payment; its webhook confirms it.",
            "Unused credits it bought are taken back; credits already used leave the company owing.",
        ],
        f"Refund {label}",
        url_for("admin.payments_index"),
        422 if form.is_submitted() else 200,
    )


@bp.get("/plans")
@admin_required
def plans_index():
    return render_template("admin/plans.html", plans=plans.all_plans())


@bp.route("/plans/new", methods=["GET", "POST"])
@admin_required
def new_plan():
    form = PlanForm()
    outcome = submit(form, lambda: plans.save_plan(current_user, None, form.plan_data()))
    if outcome.ok:
        flash(f"Plan “{outcome.value.name}” created.", "success")
        return redirect(url_for("admin.plans_index"))
    return render_template("admin/plan_form.html", form=form, plan=None), outcome.status


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_plan(plan_id: int):
    plan = plans.get_plan(plan_id)
    form = PlanForm(obj=plan)
    if not form.is_submitted():
        form.fill_prices(plan)
    outcome = submit(form, lambda: plans.save_plan(current_user, plan, form.plan_data()))
    if outcome.ok:
        flash(f"Plan “{plan.name}” saved.", "success")
        return redirect(url_for("admin.plans_index"))
    return render_template("admin/plan_form.html", form=form, plan=plan), outcome.status


@bp.route("/plans/<int:plan_id>/<any(archive, restore):action>", methods=["GET", "POST"])
@admin_required
def archive_plan(plan_id: int, action: str):
    plan = plans.get_plan(plan_id)
    form = ReasonForm()
    outcome = submit(form, lambda: plans.set_archived(current_user, plan_id, action == "archive", form.note.data))
    if outcome.ok:
        flash(f"Plan “{plan.name}” {'archived' if action == 'archive' else 'is on offer again'}.", "success")
        return redirect(url_for("admin.plans_index"))
    explanation = (
        [f"“{plan.name}” is no longer offered; companies that bought it keep their credits."]
        if action == "archive"
        else [f"“{plan.name}” is offered again on the plans page."]
    )
    title = f"Archive “{plan.name}”" if action == "archive" else f"Offer “{plan.name}” again"
    return confirm_page(
        form, title, explanation, title, url_for("admin.plans_index"), outcome.status, danger=action == "archive"
    )


@bp.route("/companies/<int:company_id>/credits", methods=["GET", "POST"])
@admin_required
def gift_credits(company_id: int):
    form = GiftForm()
    company = credits.get_company(company_id)
    outcome = submit(
        form,
        lambda: credits.gift(
            current_user,
            company_id,
            form.credits.data,
            form.posting_days.data,
            form.featured_days.data or 0,
            form.note.data,
        ),
    )
    if outcome.ok:
        flash(f"{form.credits.data} credits given to {company.name}.", "success")
        return redirect(url_for("admin.gift_credits", company_id=company_id))
    return render_template(
        "admin/credits.html",
        form=form,
        company=company,
        balance=credits.balance(company.id),
        ledger=credits.ledger(company.id),
    ), outcome.status
