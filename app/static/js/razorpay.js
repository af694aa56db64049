// Opens Razorpay's Standard Checkout for the order on this page and posts its answer back to us
// (we check the signature server-side; credits come from Razorpay's webhook).
(function () {
  "use strict";
  var form = document.getElementById("razorpay-return");
  var button = document.getElementById("razorpay-open");
  if (!form || !button) return;
  button.addEventListener("click", function () {
    if (typeof window.Razorpay !== "function") return;
    var options = JSON.parse(form.getAttribute("data-options"));
    options.handler = function (answer) {
      form.elements.razorpay_payment_id.value = answer.razorpay_payment_id;
      form.elements.razorpay_order_id.value = answer.razorpay_order_id;
      form.elements.razorpay_signature.value = answer.razorpay_signature;
      button.disabled = true;
      form.submit();
    };
    new window.Razorpay(options).open();
  });
})();
