// The people picker: follow the people job, then show who was found (thumbnail with box and
// ID) and send the pick, one worker name per person, to POST /api/assessments/{id}/people.
"use strict";

(() => {
  const $ = id => document.getElementById(id);
  const box = $("people-job");
  const id = box.dataset.assessment, jobId = box.dataset.job;
  const form = $("pick-form");
  const seconds = s => (s === null || s === undefined ? "–" : `${Number(s).toFixed(1)} s`);

  function showJob(job) {
    $("people-bar").value = job.progress || 0;
    const pct = Math.round(100 * (job.progress || 0));
    $("people-text").textContent = job.status === "queued" ? "waiting for a free worker"
      // in the results page's words ("pose: 9%" here, "estimating the pose ...: 9%" there)
      : `${job.status}${job.phase ? ` · ${ER.PHASES[job.phase] || job.phase}` : ""}: ${pct}%`;
    const badge = document.querySelector("#people-status .status");
    if (badge) { badge.textContent = job.status; badge.className = `status status-${job.status}`; }
    if (["failed", "interrupted", "cancelled"].includes(job.status)) {
      $("people-error").textContent = job.message || `The job ${job.status}.`;
      return true;
    }
    return false;
  }

  async function poll() {
    try {
      const job = await ER.api(`/api/jobs/${jobId}`);
      if (job.status === "pick") { showJob(job); showPeople(); return; }
      // one person (or a pick already made): the assessment itself
      if (job.status === "done") { location.assign(`/assessments/${id}`); return; }
      if (showJob(job)) return;
    } catch (err) {
      $("people-error").textContent = `Could not read the job status: ${err.message}`;
    }
    setTimeout(poll, 800);
  }

  async function showPeople() {
    let found;
    try {
      found = await ER.api(`/api/assessments/${id}/people`);
    } catch (err) {
      $("people-error").textContent = `Could not read the people found: ${err.message}`;
      return;
    }
    $("people-job-h").textContent = `${found.people.length} people found`;
    $("people-bar").hidden = true;
    $("people-text").textContent = "";
    const template = $("person-card");
    const base = form.dataset.worker;
    const cards = found.people.map(p => {
      const card = template.content.firstElementChild.cloneNode(true);
      card.dataset.person = p.id;
      const pick = card.querySelector("input[name=pick]");
      pick.value = p.id;
      pick.checked = p.main;
      pick.id = `pick-${p.id}`;
      card.querySelector(".person-title").textContent =
        `Person ${p.id}${p.main ? " (the one a plain upload assesses)" : ""}`;
      const img = card.querySelector(".person-thumb");
      img.src = p.thumbnail_url;
      img.alt = `Person ${p.id}, boxed and labelled ID ${p.id}`;
      card.querySelector(".person-seen").textContent =
        `Seen in ${p.frames_detected} frames, ${seconds(p.first_s)} to ${seconds(p.last_s)}.`;
      const worker = card.querySelector("input[name=worker]");
      worker.id = `worker-${p.id}`;
      worker.value = base ? `${base} (person ${p.id})` : "";
      worker.placeholder = `worker's name for person ${p.id}`;
      const label = card.querySelector(".person-worker-label");
      label.htmlFor = worker.id;
      return card;
    });
    $("people-list").replaceChildren(...cards);
    form.hidden = false;
  }

  const ticks = on => form.querySelectorAll("input[name=pick]").forEach(b => { b.checked = on; });
  $("pick-all").addEventListener("click", () => ticks(true));
  $("pick-none").addEventListener("click", () => ticks(false));

  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const people = [...form.querySelectorAll(".person")]
      .filter(card => card.querySelector("input[name=pick]").checked)
      .map(card => {
        const worker = card.querySelector("input[name=worker]").value.trim();
        return {id: Number(card.dataset.person), worker: worker || null};
      });
    if (!people.length) {
      $("pick-errors").textContent = "Tick at least one person to assess.";
      return;
    }
    $("pick-errors").textContent = "";
    $("pick-submit").disabled = true;
    try {
      const res = await ER.postJSON(`/api/assessments/${id}/people`, {people});
      const made = res.assessments;
      // Several people: the history of this video, where each picked person's row shows its
      // progress (the whole history left them to be found among every other assessment).
      const input = form.dataset.input;
      location.assign(made.length === 1 ? made[0].page_url
        : input ? `/history?q=${encodeURIComponent(input)}` : "/history");
    } catch (err) {
      $("pick-errors").textContent = `The pick was refused: ${err.message}`;
      $("pick-submit").disabled = false;
    }
  });

  if (!jobId) $("people-error").textContent = "This assessment has no job.";
  else poll();
})();
