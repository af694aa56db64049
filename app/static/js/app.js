// Jobifies: the little JavaScript the pages need. Everything works without it; this makes it nicer.
(function () {
  "use strict";

  function showToast(message, level) {
    var region = document.getElementById("toasts");
    if (!region || !message) return;
    var toast = document.createElement("p");
    toast.className = "toast toast-" + (level || "success");
    toast.textContent = message;
    region.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 5000);
  }

  // Server responses carry HX-Trigger: {"toast": {"message": "...", "level": "..."}}.
  document.body.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    showToast(detail.message, detail.level);
  });

  // After a failed submit, put the keyboard on the first invalid field.
  function focusFirstInvalid(root) {
    var invalid = (root || document).querySelector("[aria-invalid='true']");
    if (invalid) invalid.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusFirstInvalid(document); });
  document.body.addEventListener("htmx:afterSettle", function (event) { focusFirstInvalid(event.target); });

  // Full-page forms that start something costly (a checkout) say so and cannot be sent twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-submit-once]")) return;
    var button = form.querySelector("button[type=submit]");
    var progress = form.querySelector(".submit-progress");
    if (progress) progress.textContent = "Working on it…";
    // After this event, so the button's own name and value still go with the form.
    if (button) setTimeout(function () { button.disabled = true; }, 0);
  });

  // A network failure must not look like nothing happened.
  document.body.addEventListener("htmx:sendError", function () {
    showToast("Could not reach the server. Check your connection and try again.", "error");
  });
})();
