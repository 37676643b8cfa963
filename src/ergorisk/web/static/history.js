// History: exactly two ticked rows enable "Compare" (a = the older, b = the newer); rows of
// jobs still at work follow them.
"use strict";

(() => {
  const form = document.getElementById("compare-form");
  const button = document.getElementById("compare");
  const hint = document.getElementById("compare-hint");
  const ticked = () => [...form.querySelectorAll("input[name=pick]:checked")];
  function update() {
    if (!button) return;  // fewer than two assessments: nothing to compare
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

  // Rows whose job is queued or running follow it: their status shows the job's progress
  // and place in the line, and when it ends the row is drawn again from the page as the
  // server renders it now (its scores, its tick box), keeping what the user ticked.
  const LIVE = new Set(["queued", "running"]);
  const liveRows = () => [...document.querySelectorAll("#history tbody tr[data-id]")]
    .filter(row => LIVE.has(row.dataset.status));
  async function follow() {
    const rows = liveRows();
    if (!rows.length) return;
    let ended = false;
    for (const row of rows) {
      try {
        const job = await ER.api(`/api/jobs/${row.dataset.job}`);
        const cell = row.querySelector(".status");
        if (!LIVE.has(job.status)) { ended = true; continue; }
        row.dataset.status = job.status;
        if (cell) {
          cell.className = `status status-${job.status}`;
          cell.textContent = job.status === "running"
            ? `running ${Math.round(100 * job.progress)} %`
            : `queued${job.queue_position ? ` (${job.queue_position} in line)` : ""}`;
        }
      } catch (err) { /* gone or the server is busy: the next round asks again */ }
    }
    if (ended) await redraw();
    setTimeout(follow, 2000);
  }
  async function redraw() {
    try {
      const html = await (await fetch(location.href)).text();
      const fresh = new DOMParser().parseFromString(html, "text/html");
      for (const row of liveRows()) {
        const now = fresh.querySelector(`#history tbody tr[data-id="${row.dataset.id}"]`);
        if (!now || LIVE.has(now.dataset.status)) continue;
        const box = row.querySelector("input[name=pick]");
        const newBox = now.querySelector("input[name=pick]");
        if (box && newBox && !newBox.disabled) newBox.checked = box.checked;
        row.replaceWith(document.importNode(now, true));
      }
      update();
    } catch (err) { /* the next round tries again */ }
  }
  setTimeout(follow, 2000);
})();
