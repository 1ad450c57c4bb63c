// The validator form's "load an example": fetch a template generated from the shapes into the text area.
"use strict";
(function () {
  const select = document.getElementById("example");
  const button = document.getElementById("load-example");
  const link = document.getElementById("example-link");
  const text = document.getElementById("text");
  if (!select || !button || !text) return;
  const url = () => `/contribute/templates/${encodeURIComponent(select.value)}.ttl?lang=${select.dataset.lang}`;
  select.addEventListener("change", () => { if (link) link.href = url(); });
  button.addEventListener("click", async () => {
    const response = await fetch(url(), { headers: { Accept: "text/turtle" } });
    if (response.ok) text.value = await response.text();
  });
})();
