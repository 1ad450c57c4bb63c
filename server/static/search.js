// Filters the home page's pole table as you type (the form also filters server-side without JavaScript).
(function () {
  "use strict";
  function fold(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("pole-search");
    var rows = document.querySelectorAll("#pole-table tbody tr");
    if (!input) {
      return;
    }
    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      rows.forEach(function (row) {
        row.hidden = wanted !== "" && row.dataset.search.indexOf(wanted) === -1;
      });
    });
  });
})();
