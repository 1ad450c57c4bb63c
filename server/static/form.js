// The pole form, enhanced: suggestions for the commune and the member organisations (ARIA 1.2 combobox with
// a listbox), "add another member" and "remove this member". Without this script the form works as it is:
// the server reads the commune's name or postcode and the organisation's name.
(() => {
  "use strict";
  const form = document.getElementById("pole-form");
  if (!form) return;
  const lang = document.documentElement.lang || "fr";
  let counter = 0;

  function debounce(fn, ms) {
    let timer;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  function rowOf(input) { return input.closest("fieldset.member"); }

  function setCategoryShown(row, shown) {
    const category = row && row.querySelector(".field.category");
    if (category) category.hidden = !shown;
  }

  function picker(input) {
    if (input.dataset.enhanced) return;
    input.dataset.enhanced = "1";
    counter += 1;
    const list = document.createElement("ul");
    list.id = `suggestions-${counter}`;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.dataset.listLabel || "");
    list.hidden = true;
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.after(list, status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    let items = [];
    let active = -1;
    let asked = 0;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      const options = list.querySelectorAll("[role=option]");
      options.forEach((o, i) => o.setAttribute("aria-selected", i === index ? "true" : "false"));
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(index) {
      const item = items[index];
      if (!item) return;
      input.value = item.value;
      const row = rowOf(input);
      if (input.dataset.picker === "organisation" && row) {
        row.querySelector(".member-iri").value = item.iri;
        setCategoryShown(row, false);
      }
      close();
      status.textContent = item.value;
    }
    function show(found) {
      items = found;
      list.replaceChildren();
      found.forEach((item, i) => {
        const option = document.createElement("li");
        option.id = `${list.id}-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.label;
        option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
        list.append(option);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      status.textContent = (input.dataset.count || "{n}").replace("{n}", found.length);
      active = -1;
    }
    const lookup = debounce(async () => {
      const query = input.value.trim();
      if (query.length < 2) { close(); return; }
      const number = ++asked;
      const separator = input.dataset.source.includes("?") ? "&" : "?";
      const url = `${input.dataset.source}${separator}lang=${lang}&limit=8&q=${encodeURIComponent(query)}`;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok || number !== asked) return;
        const data = await response.json();
        const found = input.dataset.picker === "commune"
          ? data.results.map((c) => ({ label: c.label, value: c.value }))
          : data.results.map((o) => ({ label: o.label, value: o.label, iri: o.iri }));
        if (number === asked) show(found);
      } catch (error) {
        close(); // the person can still type the name: the server reads it
      }
    }, 150);

    input.addEventListener("input", () => {
      const row = rowOf(input);
      if (input.dataset.picker === "organisation" && row) {
        row.querySelector(".member-iri").value = "";
        setCategoryShown(row, true);
      }
      lookup();
    });
    input.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(active); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  function renumber(row, number) {
    row.id = `member-${number}`;
    const legend = row.querySelector("legend");
    legend.textContent = legend.textContent.replace(/\d+/, String(number + 1));
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach((element) => {
      for (const attribute of ["name", "id", "for", "aria-describedby"]) {
        const value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replace(/member-\d+-/g, `member-${number}-`));
      }
    });
  }

  function removable(row) {
    const remove = row.querySelector(".remove-member");
    if (!remove) return;
    remove.hidden = false;
    remove.querySelector("button").addEventListener("click", () => {
      const rows = row.parentElement;
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      rows.querySelectorAll("fieldset.member").forEach(renumber);
      const focus = next && next.querySelector("input[type=text]");
      if (focus) focus.focus(); else document.getElementById("add-member").focus();
    });
  }

  function addMember() {
    const rows = document.getElementById("member-rows");
    const last = rows.querySelector("fieldset.member:last-of-type");
    const row = last.cloneNode(true);
    row.querySelectorAll("input, select, textarea").forEach((element) => {
      if (element.tagName === "SELECT") element.selectedIndex = 0; else element.value = "";
      element.removeAttribute("aria-invalid");
      element.removeAttribute("data-enhanced");
      element.removeAttribute("role");
      element.removeAttribute("aria-expanded");
      element.removeAttribute("aria-controls");
      element.removeAttribute("aria-autocomplete");
    });
    row.querySelectorAll(".error, .suggestions, [role=status]").forEach((element) => element.remove());
    row.querySelectorAll(".invalid").forEach((element) => element.classList.remove("invalid"));
    row.querySelectorAll("[aria-describedby]").forEach((element) => {
      const kept = element.getAttribute("aria-describedby").split(" ").filter((id) => !id.startsWith("error-"));
      if (kept.length) element.setAttribute("aria-describedby", kept.join(" "));
      else element.removeAttribute("aria-describedby");
    });
    setCategoryShown(row, true);
    rows.append(row);
    renumber(row, rows.querySelectorAll("fieldset.member").length - 1);
    row.querySelectorAll("input[data-picker]").forEach(picker);
    const remove = row.querySelector(".remove-member");
    if (remove) remove.replaceWith(remove.cloneNode(true)); // no listener copied from the cloned row
    removable(row);
    row.querySelector("input[type=text]").focus();
  }

  form.querySelectorAll("input[data-picker]").forEach(picker);
  document.querySelectorAll("fieldset.member").forEach((row) => {
    removable(row);
    if (row.querySelector(".member-iri").value) setCategoryShown(row, false);
  });
  const add = document.getElementById("add-member");
  if (add) {
    add.closest(".add-member").hidden = false;
    add.addEventListener("click", addMember);
  }
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
