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

  // Every plain (or boosted) form disables its submit buttons while it is being sent, so a slow
  // answer shows progress and a second click cannot send it twice. htmx forms do the same with
  // hx-disabled-elt. Forms that start something costly (a checkout) also say so in words.
  function setBusy(form, busy) {
    form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
      button.disabled = busy;
    });
    if (busy) form.setAttribute("aria-busy", "true"); else form.removeAttribute("aria-busy");
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || event.defaultPrevented && !form.closest("[hx-boost=true]")) return;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;  // hx-disabled-elt does it
    var progress = form.querySelector(".submit-progress");
    if (progress) progress.textContent = "Working on it…";
    // After this event, so the submit button's own name and value still go with the form.
    setTimeout(function () { setBusy(form, true); }, 0);
    // A download (no navigation) or a lost connection must not leave the form dead.
    setTimeout(function () { if (document.body.contains(form)) setBusy(form, false); }, 10000);
  });
  // A boosted form answered in place (an error, a 204) is usable again; so is a page from the cache.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.tagName === "FORM" && !form.hasAttribute("hx-post")) setBusy(form, false);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("form[aria-busy]").forEach(function (f) { setBusy(f, false); });
  });

  // htmx actions: mark the element busy for assistive technology while the request runs.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.setAttribute) event.detail.elt.setAttribute("aria-busy", "true");
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt && event.detail.elt.removeAttribute) event.detail.elt.removeAttribute("aria-busy");
  });

  // After an in-place update the keyboard stays where the user expects it: the server marks that
  // element (the moved card, the new note, the toggled button) with data-focus-after-swap. If the
  // element the user was on disappeared, focus goes to the main region instead of <body>.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (document.querySelector("[aria-invalid='true']") && event.target.querySelector &&
        event.target.querySelector("[aria-invalid='true']")) return;  // focusFirstInvalid has it
    var marked = document.querySelector("[data-focus-after-swap]");
    if (marked) {
      marked.removeAttribute("data-focus-after-swap");
      marked.focus();
    } else {
      // Only for an action the user took (a form that is gone now), never for a poll or a boosted page.
      var config = event.detail.requestConfig;
      var source = config && !config.boosted && config.elt;
      var lost = !document.activeElement || document.activeElement === document.body;
      var main = document.getElementById("main");
      if (source && source.tagName === "FORM" && !document.body.contains(source) && lost && main) main.focus();
    }
  });

  // Phones: the navigation folds behind the Menu button, and the job filters ("Filters (n)") start
  // closed so the results come first. Without JavaScript both simply stay open.
  document.documentElement.classList.add("js");
  var narrow = window.matchMedia("(max-width: 760px)");
  function setUpMenu() {
    var button = document.querySelector(".menu-button");
    var nav = document.getElementById("main-nav");
    if (!button || !nav || button.hasAttribute("data-ready")) return;
    button.setAttribute("data-ready", "");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    });
  }
  function foldFilters(root) {
    (root || document).querySelectorAll("details[data-open-wide]").forEach(function (details) {
      details.open = !narrow.matches;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setUpMenu(); foldFilters(document); });
  document.body.addEventListener("htmx:load", function (event) {
    // A boosted navigation swaps the whole body: set the new page up; search updates leave it be.
    if (event.detail.elt === document.body || event.detail.elt.querySelector && event.detail.elt.querySelector(".menu-button")) {
      setUpMenu();
      foldFilters(event.detail.elt);
    }
  });
  narrow.addEventListener("change", function () { foldFilters(document); });

  // Times in the viewer's own time zone. The server writes UTC ("Dec 7, 2026 14:05 UTC") inside
  // <time datetime="ISO">; here they become local ("Dec 7, 2026, 3:05 PM CET"). In job lists,
  // <time data-relative> says "3 days ago" (the exact local time stays in its tooltip).
  var fullFormat = window.Intl && new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  var zoneFormat = window.Intl && new Intl.DateTimeFormat(undefined, { timeZoneName: "short" });
  var relativeFormat = window.Intl && Intl.RelativeTimeFormat && new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  function zoneName(date) {
    var part = zoneFormat.formatToParts(date).filter(function (p) { return p.type === "timeZoneName"; })[0];
    return part ? " " + part.value : "";
  }
  function relative(date) {
    var seconds = (date.getTime() - Date.now()) / 1000;
    var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(seconds) >= units[i][1]) return relativeFormat.format(Math.round(seconds / units[i][1]), units[i][0]);
    }
    return relativeFormat.format(0, "minute");
  }
  function localizeTimes(root) {
    if (!fullFormat || !root.querySelectorAll) return;
    root.querySelectorAll("time[datetime]:not([data-localized])").forEach(function (element) {
      var value = element.getAttribute("datetime");
      var date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : value + "Z");
      if (isNaN(date.getTime())) return;
      element.setAttribute("data-localized", "");
      var local = fullFormat.format(date) + zoneName(date);
      if (element.hasAttribute("data-relative") && relativeFormat) {
        element.title = local;
        element.textContent = relative(date);
      } else if (/ UTC$/.test(element.textContent.trim())) {
        element.textContent = local;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { localizeTimes(document); });
  document.body.addEventListener("htmx:load", function (event) { localizeTimes(event.detail.elt); });

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
