// The pipeline board's drag and drop: a card dropped on another stage's column is moved there with
// the same POST as its "More" form (the server answers with the whole board, which htmx swaps in).
// Without JavaScript, or from the keyboard, the one-click button and the "More" form do the same.
// Loaded by the pipeline page's body, so it also runs after a boosted navigation: init is idempotent.
(function () {
  "use strict";

  function init(root) {
    if (typeof Sortable === "undefined" || typeof htmx === "undefined") return;
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("ul.cards[data-stage]").forEach(function (list) {
      if (list.hasAttribute("data-sortable")) return;
      list.setAttribute("data-sortable", "on");
      Sortable.create(list, {
        group: "pipeline",
        draggable: "li.draggable",
        // Controls inside a card keep working as controls; only the card itself is a handle.
        filter: "input, select, button, summary, label, a, textarea",
        preventOnFilter: false,
        // Mouse and touch events rather than native drag and drop: works the same on phones.
        forceFallback: true,
        fallbackTolerance: 4,
        animation: 0,
        onAdd: function (event) {
          var card = event.item;
          htmx.ajax("POST", card.getAttribute("data-move-url"), {
            source: card,
            target: "#pipeline",
            swap: "outerHTML",
            values: { status: event.to.getAttribute("data-stage") }
          });
        }
      });
    });
  }

  if (!window.jobifiesPipeline) {
    window.jobifiesPipeline = { init: init };
    // The board is replaced after every move: make the new columns sortable too.
    document.body.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
    // Sortable styles the cards it moves through the DOM's style property, which our CSP allows;
    // but htmx copies an old element's style attribute onto its replacement while settling, which
    // CSP forbids. Drop those attributes before the new board is swapped in.
    document.body.addEventListener("htmx:beforeSwap", function () {
      document.querySelectorAll("#pipeline [style], #pipeline[style]").forEach(function (element) {
        element.removeAttribute("style");
      });
    });
  }
  init(document);
})();
