// Shared by the pages: risk levels and colours (the same as the offline report), API calls.
"use strict";

const ER = (() => {
  // [lowest, highest total, name] of each band: the server's contract, in the page (base.html).
  const RISK_BANDS = JSON.parse(document.getElementById("risk-bands").textContent);
  const REBA_BANDS = RISK_BANDS.reba;
  const RULA_BANDS = RISK_BANDS.rula;
  const REBA_COLOURS = ["#2ecc40", "#b8e986", "#ffdc00", "#ff851b", "#e62828"];
  const RULA_COLOURS = ["#2ecc40", "#ffdc00", "#ff851b", "#e62828"];
  const SIDE_COLOURS = {left: "#1f4e9c", right: "#b0306a"};
  const NO_PERSON = "#aaaaaa";
  const NOT_SEEN = "#d4d4d4";
  const UNRELIABLE = "#6e6e6e";

  function bands(method) { return method === "reba" ? REBA_BANDS : RULA_BANDS; }
  function colours(method) { return method === "reba" ? REBA_COLOURS : RULA_COLOURS; }

  // Index of the risk band of a total, or -1 when there is no score.
  function band(method, total) {
    if (total === null || total === undefined || Number.isNaN(total)) return -1;
    const b = bands(method);
    for (let i = 0; i < b.length; i++) if (total <= b[i][1]) return i;
    return b.length - 1;
  }
  function levelName(method, total) {
    const i = band(method, total);
    return i < 0 ? "no person" : bands(method)[i][2];
  }
  function colour(method, total) {
    const i = band(method, total);
    return i < 0 ? NO_PERSON : colours(method)[i];
  }

  async function api(path, options = {}) {
    const res = await fetch(path, {credentials: "same-origin", ...options});
    let body = null;
    const text = await res.text();
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = {detail: text}; }
    if (!res.ok) {
      const detail = body && body.detail ? body.detail : `${res.status} ${res.statusText}`;
      const err = new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
      err.status = res.status;
      throw err;
    }
    return body;
  }
  function postJSON(path, data) {
    return api(path, {method: "POST", headers: {"Content-Type": "application/json"},
                      body: JSON.stringify(data)});
  }

  // Share (%) of frames in each band, then of frames not scored although a person was seen
  // (part of the body out of view), then without a person; `detected` per frame, if known.
  // % of the frames in each band over the reliable frames, then pose unreliable (left out,
  // as in summary.json and the report), part not seen, no person.
  function shares(method, totals, detected = null, reliable = null) {
    const n = Math.max(totals.length, 1);
    const k = bands(method).length;
    const counts = new Array(k + 3).fill(0);
    totals.forEach((t, j) => {
      const person = !detected || detected[j];
      const i = band(method, t);
      if (!person) counts[k + 2] += 1;
      else if (reliable && reliable[j] === false) counts[k] += 1;
      else counts[i >= 0 ? i : k + 1] += 1;
    });
    return counts.map(c => 100 * c / n);
  }

  // The load field of a factors form (_factors.html) is typed in kg or lb; the API and the
  // database always hold kg. Switching the unit converts the value shown and the bound.
  const LB_KG = 0.45359237;
  const round2 = x => Math.round(x * 100) / 100;
  // A number as typed in a text field: "12.5", or "12,5" with a decimal comma. Number fields
  // would not do: Chromium drops a comma it cannot place, so "12,5" kg was sent as 125. NaN
  // for anything else ("1,000.5", "12,5,3", "12 kg"), which the forms refuse by name.
  function decimal(text) {
    const t = String(text).trim();
    if (!/^-?\d*([.,]\d*)?$/.test(t) || !/\d/.test(t)) return NaN;
    return Number(t.replace(",", "."));
  }
  function loadUnit(form) { return form.load_unit && form.load_unit.value === "lb" ? "lb" : "kg"; }
  // The field keeps the exact kg behind a converted value: 25 kg shown as 55.12 lb was saved
  // as 25.0021 kg. Typing in the field drops it.
  function setupLoad(form) {
    const input = form.load_kg, maxKg = Number(input.dataset.maxKg);
    const equiv = form.querySelector(".load-equiv");
    let unit = loadUnit(form);
    const show = () => {
      input.max = String(unit === "lb" ? round2(maxKg / LB_KG) : maxKg);
      const label = form.querySelector(".load-bound");
      if (label) label.textContent = `0 to ${input.max} ${unit}`;
      // In pounds, the kg it is stored and scored in, so that a value typed in kg before
      // the unit was switched (converted with it) is seen as the same load.
      if (equiv) {
        let kg = NaN;
        try { kg = loadKg(form); } catch (err) { /* nothing to show */ }
        equiv.hidden = unit !== "lb" || !Number.isFinite(kg);
        equiv.textContent = equiv.hidden ? "" : `= ${kgText(kg)} kg`;
      }
    };
    input.addEventListener("input", () => { delete input.dataset.kg; show(); });
    if (form.load_unit) form.load_unit.addEventListener("change", () => {
      let kg = NaN;  // the value as typed, in the unit it was typed in
      try { kg = loadKg(form, unit); } catch (err) { /* left as typed */ }
      unit = loadUnit(form);
      if (Number.isFinite(kg)) showLoad(form, kg);
      show();
    });
    show();
  }
  // The load in kg, or an Error saying the bound in the unit typed.
  function loadKg(form, unit = loadUnit(form)) {
    const input = form.load_kg, v = decimal(input.value);
    if (input.dataset.kg !== undefined && input.value === input.dataset.shown) {
      return Number(input.dataset.kg);
    }
    if (!Number.isFinite(v) || v < 0 || v > Number(input.max)) {
      throw new Error(`Load must be a number of ${unit === "lb" ? "pounds" : "kilograms"} from 0 to ${input.max} (12.5 or 12,5), got "${input.value.trim()}".`);
    }
    return unit === "lb" ? Math.min(Number(input.dataset.maxKg), v * LB_KG) : v;
  }
  // Shown to 0.01 in either unit (26.5 lb switched to kg read "12.0202"); the exact kg stays
  // behind it (dataset.kg) while the field is not typed in, so a load just over an edge
  // (10.004 kg, shown 10) is not saved onto it.
  function showLoad(form, kg) {
    const input = form.load_kg, unit = loadUnit(form);
    input.value = String(round2(unit === "lb" ? kg / LB_KG : kg));
    Object.assign(input.dataset, {kg: String(kg), shown: input.value});
  }
  // A load as the reports show it (report/explain.py kg_text): to 0.1 kg, unless rounding
  // puts a load over a score's edge (the server's, read off the scorers) on it (10.02 kg
  // read "10 kg" beside REBA load 2).
  function kgText(kg) {
    for (const digits of [1, 2]) {
      const shown = +kg.toFixed(digits);
      if (!(RISK_BANDS.load_edges_kg.includes(shown) && kg > shown)) return String(shown);
    }
    return `just over ${+kg.toFixed(2)}`;
  }

  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  // A score on an unreliable frame (pose_reliable false) is left out of every figure: null,
  // a gap in a Plotly line, as in the report.
  function reliableOnly(values, reliable) {
    return values && reliable ? values.map((v, j) => (reliable[j] === false ? null : v)) : values;
  }

  function bandShapes(method, yref) {
    return bands(method).map(([lo, hi], i) => ({
      type: "rect", xref: "paper", yref, x0: 0, x1: 1, y0: lo - 0.5, y1: hi + 0.5,
      fillcolor: colours(method)[i], opacity: 0.18, line: {width: 0}, layer: "below"}));
  }

  // A job's phase in words, for the progress lines of the results page and the people picker.
  const PHASES = {pose: "estimating the pose in every frame", video: "drawing the annotated video",
                  reading: "reading the file", scoring: "scoring", writing: "writing the results",
                  // the job's last phase, while its outputs are put in place ("running · done")
                  done: "finishing"};

  return {REBA_BANDS, RULA_BANDS, REBA_COLOURS, RULA_COLOURS, SIDE_COLOURS, NO_PERSON, bands,
          colours, band, levelName, colour, NOT_SEEN, UNRELIABLE, api, postJSON, shares, el, bandShapes, reliableOnly, decimal, setupLoad, loadKg, showLoad, kgText, PHASES};
})();
