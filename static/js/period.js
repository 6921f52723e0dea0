// The statistics period: show only the select the chosen kind uses (月份 for a month, 季度 for a quarter, neither
// for a year), on the unit's page and the editor's. Hidden selects are disabled, so the query carries only what
// counts. No inline script: the Content-Security-Policy forbids it.
(function () {
  document.querySelectorAll("select[data-period-kind]").forEach(function (kind) {
    var form = kind.form;
    if (!form || form.dataset.periodReady) return;
    form.dataset.periodReady = "1";
    function follow() {
      form.querySelectorAll("[data-period-for]").forEach(function (label) {
        var used = label.dataset.periodFor === kind.value;
        label.hidden = !used;
        label.querySelectorAll("select").forEach(function (select) { select.disabled = !used; });
      });
    }
    kind.addEventListener("change", follow);
    follow();
  });
})();
