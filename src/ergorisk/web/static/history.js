// History: exactly two ticked rows enable "Compare" (a = the older, b = the newer).
"use strict";

(() => {
  const form = document.getElementById("compare-form");
  const button = document.getElementById("compare");
  const hint = document.getElementById("compare-hint");
  const ticked = () => [...form.querySelectorAll("input[name=pick]:checked")];
  function update() {
    const n = ticked().length;
    button.disabled = n !== 2;
    hint.textContent = n === 2 ? "" : (n > 2 ? "tick only two" : `${n} of 2 ticked`);
  }
  form.addEventListener("change", update);
  form.addEventListener("submit", ev => {
    ev.preventDefault();
    const ids = ticked().map(c => Number(c.value)).sort((x, y) => x - y);
    if (ids.length === 2) location.assign(`/compare?a=${ids[0]}&b=${ids[1]}`);
  });
  update();
})();
