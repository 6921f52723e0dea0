// The search page's filters fold away on a phone (<details>): opened on a wide screen, where they sit beside
// the results. A reader's own toggle is kept while the page stays open.
(function () {
  var wide = window.matchMedia("(min-width: 56rem)");
  document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
    if (wide.matches) details.open = true;
  });
})();
