"""Payment providers behind one small interface (base.py). Each is built from the settings named here,
in this order (the webhook gateway and the orchestrator build them the same way)."""

from .base import Checkout, CheckoutRequest, CheckoutUnavailable, PaymentEvent, ProviderError
from .mock import MockPayments
from .paypal import PayPalPayments
from .razorpay import RazorpayPayments
from .stripe import StripePayments

PROVIDER_CLASSES = {
    "stripe": StripePayments,
    "paypal": PayPalPayments,
    "razorpay": RazorpayPayments,
    "mock": MockPayments,
}
PROVIDER_SETTINGS = {
    "stripe": ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "PAYMENT_TIMEOUT_SECONDS"),
    "paypal": (
        "PAYPAL_CLIENT_ID",
        "PAYPAL_CLIENT_SECRET",
        "PAYPAL_WEBHOOK_ID",
        "PAYPAL_API_BASE",
        "PAYMENT_TIMEOUT_SECONDS",
        "WEBHOOK_MAX_AGE_SECONDS",
    ),
    "razorpay": (
        "RAZORPAY_KEY_ID",
        "RAZORPAY_KEY_SECRET",
        "RAZORPAY_WEBHOOK_SECRET",
        "RAZORPAY_API_BASE",
        "PAYMENT_TIMEOUT_SECONDS",
    ),
    "mock": ("MOCK_PAYMENTS_SECRET", "BASE_URL", "WEBHOOK_MAX_AGE_SECONDS"),
}

__all__ = [
    "PROVIDER_CLASSES",
    "PROVIDER_SETTINGS",
    "Checkout",
    "CheckoutRequest",
    "CheckoutUnavailable",
    "MockPayments",
    "PayPalPayments",
    "PaymentEvent",
    "ProviderError",
    "RazorpayPayments",
    "StripePayments",
]
