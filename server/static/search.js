// The home page search: filters the pole table as you type, says how many poles match (or that none
// does), and lists other matching resources (organisations, towns, regions...) from /search.json.
// The form also filters server-side without JavaScript.
(function () {
  "use strict";
  function fold(text) {
    return text
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, " ")
      .trim();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("pole-search");
    var status = document.getElementById("search-status");
    var others = document.getElementById("search-others");
    var othersSection = document.getElementById("search-others-section");
    var rows = document.querySelectorAll("#pole-table tbody tr");
    if (!input || !status) {
      return;
    }
    var kinds = others ? JSON.parse(others.dataset.kinds) : {};
    var pending = null;
    function showOthers(query) {
      if (!others || !input.dataset.searchUrl) {
        return;
      }
      var url = input.dataset.searchUrl + "&limit=8&q=" + encodeURIComponent(query);
      fetch(url)
        .then(function (response) {
          return response.json();
        })
        .then(function (body) {
          if (input.value.trim() !== query) {
            return; // an answer to an older query
          }
          others.textContent = "";
          body.results
            .filter(function (r) {
              return r.type !== "pole";
            })
            .forEach(function (r) {
              var item = document.createElement("li");
              var link = document.createElement("a");
              link.href = r.href;
              link.textContent = r.label; // text, never HTML
              item.appendChild(link);
              item.appendChild(document.createTextNode(" (" + (kinds[r.type] || r.type) + ")"));
              others.appendChild(item);
            });
          othersSection.hidden = others.children.length === 0;
        })
        .catch(function () {
          othersSection.hidden = true;
        });
    }
    input.addEventListener("input", function () {
      var query = input.value.trim();
      var wanted = fold(query);
      var shown = 0;
      rows.forEach(function (row) {
        row.hidden = wanted !== "" && row.dataset.search.indexOf(wanted) === -1;
        shown += row.hidden ? 0 : 1;
      });
      if (wanted === "") {
        status.textContent = "";
        if (othersSection) {
          othersSection.hidden = true;
        }
        return;
      }
      status.textContent = shown
        ? status.dataset.count.replace("{n}", shown)
        : status.dataset.none.replace("{q}", query);
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        showOthers(query);
      }, 200);
    });
  });
})();
