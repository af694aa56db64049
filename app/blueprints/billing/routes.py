"""Billing for recruiters: plans, checkout with the selected provider, the way back, receipts, the
ledger. Credits are granted by the providers' webhooks, never by these pages."""

from __future__ import annotations

import json

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...errors import ExternalServiceError, ValidationError
from ...models import OrderStatus, utcnow
from ...services import credits, jobs, payments, plans
from .. import limits
from ..helpers import perform, recruiter_required, save, submit, wants_fragment
from .blueprint import bp
from .forms import BillingDetailsForm, CheckoutForm

RAZORPAY_CSP = (
    "default-src 'self'; script-src 'self' https://checkout.razorpay.com; style-src 'self'; "
    "img-src 'self' data: https:; font-src 'self'; connect-src 'self' https://*.razorpay.com; "
    "frame-src https://api.razorpay.com https://checkout.razorpay.com; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def _company():
    return current_user.company


@bp.app_template_filter("money")
def money(amount, currency: str = "") -> str:
    return payments.format_money(amount, currency)


@bp.app_template_global("is_featured")
def is_featured(job) -> bool:
    """Featured now: the card badge (search results know it from the index already)."""
    return job.featured_until is not None and job.featured_until > utcnow()


@bp.get("/")
@recruiter_required
def index():
    return _render_index(BillingDetailsForm(obj=payments.billing_profile(_company())))


def _render_index(form, status: int = 200):
    company = _company()
    return render_template(
        "billing/index.html",
        company=company,
        form=form,
        balance=credits.balance(company.id),
        ledger=credits.ledger(company.id),
        payments=payments.company_payments(company.id),
        subscriptions=payments.company_subscriptions(company.id),
        profile=payments.billing_profile(company),
    ), status


@bp.post("/details")
@recruiter_required
def details():
    form = BillingDetailsForm()
    outcome = submit(
        form,
        lambda: payments.update_billing_profile(
            _company(), current_user, form.country.data, form.address.data, form.tax_id.data
        ),
    )
    if not outcome.ok:
        return _render_index(form, outcome.status)
    flash("Billing details saved.", "success")
    return redirect(url_for("billing.index"))


def _checkout_form(formdata=None) -> CheckoutForm:
    form = CheckoutForm(formdata=formdata) if formdata is not None else CheckoutForm()
    form.plan_id.choices = [SelectChoice(plan.id, plan.name) for plan in plans.active_plans()]
    return form


@bp.get("/plans")
@recruiter_required
def choose_plan():
    form = _checkout_form()
    profile = payments.billing_profile(_company())
    form.country.data = profile.country or ""
    job_id = request.args.get("job", "")
    job = jobs.get_company_job(_company(), int(job_id)) if job_id.isdigit() and len(job_id) <= 9 else None
    form.job_id.data = job.id if job else ""
    if form.plan_id.choices and form.plan_id.data is None:
        form.plan_id.data = form.plan_id.choices[0].value
    return _render_plans(form, job)


def _render_plans(form, job=None, status: int = 200, failure: str | None = None):
    return render_template(
        "billing/plans.html",
        form=form,
        plans=plans.active_plans(),
        job=job,
        failure=failure,
        balance=credits.balance(_company().id),
    ), status


@bp.post("/checkout")
@recruiter_required
@limits.per_user_and_ip("RATE_LIMIT_CHECKOUT")
def checkout():
    """Create the order, then open a hosted checkout with the selected provider (or the next one)."""
    form = _checkout_form(request.form)
    job_id = int(form.job_id.data) if (form.job_id.data or "").isdigit() and len(form.job_id.data) <= 9 else None
    outcome = submit(
        form,
        lambda: payments.start_checkout(
            payments.create_order(
                _company(),
                current_user,
                form.plan_id.data,
                form.currency.data,
                form.method.data,
                form.country.data,
                job_id,
            ),
            current_user.email,
        ),
    )
    if not outcome.ok:
        return _render_plans(form, status=outcome.status)
    order = outcome.value
    if order.status == OrderStatus.FAILED:  # committed: the attempts are on record for the admin
        return _render_plans(form, status=503, failure=order.failure_message)
    if order.checkout_url:
        return redirect(order.checkout_url)
    return redirect(url_for("billing.razorpay_checkout", order_id=order.id))


@bp.get("/orders/<int:order_id>/return")
@recruiter_required
def order_return(order_id: int):
    """Where providers send the buyer back. It only shows what the webhooks have confirmed so far
    (and polls until they have); PayPal's approval is captured here."""
    order = payments.get_company_order(_company(), order_id)
    notice = None
    token = request.args.get("token", "")[:100]
    if token and order.provider == "paypal":
        try:
            # Safe to repeat on a reload: the capture is idempotent per order (PayPal-Request-Id).
            perform(lambda: payments.paypal_returned(order, token))
        except ExternalServiceError as error:
            notice = error.message
    template = "billing/_order_status.html" if wants_fragment("order-status") else "billing/order.html"
    return render_template(template, order=order, notice=notice, balance=credits.balance(order.company_id))


@bp.get("/orders/<int:order_id>/cancelled")
@recruiter_required
def order_cancelled(order_id: int):
    order = payments.get_company_order(_company(), order_id)
    flash("Checkout cancelled. Nothing was charged.", "info")
    return redirect(url_for("billing.choose_plan", job=order.job_id or ""))


@bp.get("/orders/<int:order_id>/pay")
@recruiter_required
def razorpay_checkout(order_id: int):
    """Our page that opens Razorpay's Standard Checkout (cards, UPI, net banking) in its own frame."""
    order = payments.get_company_order(_company(), order_id)
    if order.provider != "razorpay" or order.status != OrderStatus.AWAITING_PAYMENT:
        return redirect(url_for("billing.order_return", order_id=order.id))
    response = make_response(
        render_template(
            "billing/razorpay.html",
            order=order,
            options=json.dumps(payments.checkout_options(order)),
            checkout_js=payments.RAZORPAY_CHECKOUT_JS,
        )
    )
    response.headers["Content-Security-Policy"] = RAZORPAY_CSP
    return response


@bp.post("/orders/<int:order_id>/razorpay")
@recruiter_required
def razorpay_returned(order_id: int):
    order = payments.get_company_order(_company(), order_id)
    received = payments.browser_payment_received(
        order,
        request.form.get("razorpay_payment_id", ""),
        request.form.get("razorpay_order_id", ""),
        request.form.get("razorpay_signature", ""),
    )
    if received:
        flash("Payment received. Your credits arrive as soon as Razorpay confirms it.", "success")
    else:
        flash("We could not confirm that payment from here. If you were charged, it will show up shortly.", "error")
    return redirect(url_for("billing.order_return", order_id=order.id))


@bp.get("/mock-checkout/<reference>")
@recruiter_required
def mock_checkout(reference: str):
    if "mock" not in current_app.config["PAYMENT_PROVIDERS"]:
        abort(404)
    order = payments.get_mock_checkout(_company(), reference)
    return render_template("billing/mock_checkout.html", order=order, reference=reference)


@bp.post("/mock-checkout/<reference>/<any(pay, decline):decision>")
@recruiter_required
def mock_decide(reference: str, decision: str):
    if "mock" not in current_app.config["PAYMENT_PROVIDERS"]:
        abort(404)
    order = perform(lambda: payments.mock_decision(_company(), reference, decision == "pay"))
    if decision == "decline":
        flash("The mock provider declined the payment. Nothing was charged.", "info")
    return redirect(url_for("billing.order_return", order_id=order.id))


@bp.post("/portal")
@recruiter_required
def portal():
    try:
        return redirect(payments.portal_url(_company()))
    except (ExternalServiceError, ValidationError) as error:
        flash(error.message, "error")
        return redirect(url_for("billing.index"))


@bp.get("/receipts/<int:payment_id>")
@recruiter_required
def receipt(payment_id: int):
    payment = payments.get_company_payment(_company(), payment_id)
    return render_template("billing/receipt.html", **_receipt_context(payment))


def _receipt_context(payment) -> dict:
    config = current_app.config
    return {
        "payment": payment,
        "profile": payments.billing_profile(payment.company),
        "seller": {
            "name": config["SELLER_NAME"],
            "address": config["SELLER_ADDRESS"],
            "tax_id": config["SELLER_TAX_ID"],
        },
    }


@bp.post("/jobs/<int:job_id>/feature")
@recruiter_required
def feature(job_id: int):
    job = jobs.get_company_job(_company(), job_id)
    outcome = save(lambda: credits.feature_job(job, current_user))
    if outcome.ok:
        flash(f"“{job.title}” is featured until {job.featured_until:%b %-d, %Y}.", "success")
        return redirect(url_for("recruiter.dashboard"))
    if isinstance(outcome.error, credits.NoCredits):
        flash("Featuring a job takes a credit from a plan with featured days.", "info")
        return redirect(url_for("billing.choose_plan"))
    flash(outcome.error.message, "error")
    return redirect(url_for("recruiter.dashboard"))
