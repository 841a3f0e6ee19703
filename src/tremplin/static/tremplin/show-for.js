// Shows only the fields that apply to the choice made in a select.
// <div data-controlled-by="clause-mode" data-show-for="amount_based fixed_hours"> is shown when
// the select named "clause-mode" holds one of those values. The fields of a hidden block are
// disabled so that they are neither sent nor checked. Without JavaScript every field shows.
(function () {
  "use strict";

  function blocksOf(name) {
    return document.querySelectorAll('[data-controlled-by="' + name + '"]');
  }

  function apply(select) {
    blocksOf(select.name).forEach(function (block) {
      var shown = block.dataset.showFor.split(" ").indexOf(select.value) !== -1;
      block.hidden = !shown;
      block.querySelectorAll("input, select, textarea").forEach(function (field) {
        field.disabled = !shown;
      });
    });
  }

  function init() {
    var names = new Set();
    document.querySelectorAll("[data-controlled-by]").forEach(function (block) {
      names.add(block.dataset.controlledBy);
    });
    names.forEach(function (name) {
      var select = document.querySelector('select[name="' + name + '"]');
      if (!select) {
        return;
      }
      select.addEventListener("change", function () {
        apply(select);
      });
      apply(select);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
