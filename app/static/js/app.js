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

// Resume uploads (issue 13, defect 3): check the type and size before sending, so a file over the
// limit never costs the upload time nor the rest of the form. The server checks again either way.
(function () {
  "use strict";
  var ACCEPTED = /\.(pdf|docx)$/i;

  function problem(input) {
    var file = input.files && input.files[0];
    if (!file) return "";
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    if (!ACCEPTED.test(file.name)) return "“" + file.name + "” is not a PDF or Word (.docx) file.";
    if (max && file.size > max) {
      return "This file is " + (file.size / 1048576).toFixed(1) + " MB; resumes can be at most " +
        Math.floor(max / 1048576) + " MB. Choose a smaller file.";
    }
    return "";
  }

  function show(input, message) {
    var box = input.closest(".field") || input.parentNode;
    var id = input.id + "-error";
    var error = document.getElementById(id);
    if (!error) {
      error = document.createElement("p");
      error.className = "field-error";
      error.id = id;
      error.setAttribute("aria-live", "polite");
      box.appendChild(error);
    }
    error.textContent = message;
    box.classList.toggle("has-error", !!message);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== id;
    });
    if (message) {
      described.push(id);
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var message = problem(input);
    show(input, message);
    if (message) input.value = "";  // nothing too large is sent; everything else typed stays
  });

  // In the capture phase, before htmx sends a boosted form.
  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll ? event.target.querySelectorAll("input[type=file][data-max-bytes]") : [];
    for (var i = 0; i < inputs.length; i++) {
      var message = problem(inputs[i]);
      if (message) {
        event.preventDefault();
        event.stopImmediatePropagation();
        show(inputs[i], message);
        inputs[i].focus();
        return;
      }
    }
  }, true);
})();
