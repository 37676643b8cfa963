// The results page: job progress, then the video synced with the timeline, the per-frame
// panel (both sides, every score down to its angles), the 3D skeleton and live re-scoring.
"use strict";

(() => {
  const item = JSON.parse(document.getElementById("page-data").textContent);
  const $ = id => document.getElementById(id);
  const el = ER.el;
  const SIDES = ["left", "right"];
  // One picture has no time: its page speaks of the picture, not of frames and seconds.
  const PICTURE = item.kind === "image";
  // Hand-entered worksheet records: read as "1 frame ... peak ... from 0.00 s ... the pose's
  // uncertainty", a video's words (a web walkthrough).
  const RECORDS = item.kind === "worksheet";

  // ---- job progress -------------------------------------------------------------------
  let pollTimer = null;

  const PHASES = ER.PHASES;
  function showJob(job) {
    const badge = document.querySelector(".meta .status");  // the header says the same
    if (badge) { badge.textContent = job.status; badge.className = `status status-${job.status}`; }
    const pct = Math.round(100 * (job.progress || 0));
    $("job-bar").value = job.progress || 0;
    const words = PICTURE && job.phase === "pose" ? "estimating the pose" : PHASES[job.phase];
    const phase = job.phase ? `${words || job.phase}: ` : "";
    $("job-text").textContent = job.status === "queued" ? waiting(job.queue_position)
      : job.status === "cancelled" ? "Cancelled. Retry runs it again from the start."
      : job.status === "failed" ? "failed"  // "failed · 75%" read as three quarters done
      : `${job.status} · ${phase}${pct}%`;
    const failed = job.status === "failed" || job.status === "interrupted";
    const ended = failed || job.status === "cancelled";
    $("job-error").textContent = failed
      ? (job.message || (job.status === "interrupted"
        ? "The server stopped while this job ran." : "The job failed.")) : "";
    $("retry").hidden = !ended;
    $("cancel").hidden = ended;
    $("retry-help").hidden = job.status !== "failed";
    $("job-h").textContent = {queued: "Waiting", interrupted: "Interrupted", failed: "Failed",
                              cancelled: "Cancelled"}[job.status] || "Processing";
    return ended;
  }
  // "waiting: 2nd in line" (1-based place among the jobs not yet started).
  function waiting(position) {
    if (!position) return "queued: waiting for a free worker";
    const tens = position % 100, last = position % 10;
    const suffix = tens >= 11 && tens <= 13 ? "th" : ({1: "st", 2: "nd", 3: "rd"}[last] || "th");
    return `waiting: ${position}${suffix} in line`;
  }

  async function poll() {
    try {
      const job = await ER.api(`/api/jobs/${item.job_id}`);
      if (job.status === "done") { location.reload(); return; }
      if (job.status === "pick") { location.assign(`/assessments/${item.id}/people`); return; }
      if (showJob(job)) return;
    } catch (err) {
      $("job-error").textContent = `Could not read the job status: ${err.message}`;
    }
    pollTimer = setTimeout(poll, 800);
  }

  $("retry").addEventListener("click", async () => {
    $("retry").disabled = true;
    try {
      showJob(await ER.postJSON(`/api/jobs/${item.job_id}/retry`, {}));
      clearTimeout(pollTimer);
      poll();
    } catch (err) {
      $("job-error").textContent = `Retry refused: ${err.message}`;
    } finally {
      $("retry").disabled = false;
    }
  });

  $("cancel").addEventListener("click", async () => {
    $("cancel").disabled = true;
    $("job-text").textContent = "cancelling…";
    try {
      clearTimeout(pollTimer);
      showJob(await ER.postJSON(`/api/jobs/${item.job_id}/cancel`, {}));
    } catch (err) {
      $("job-error").textContent = `Not cancelled: ${err.message}`;
      poll();
    } finally {
      $("cancel").disabled = false;
    }
  });

  $("delete").addEventListener("click", async () => {
    if (!confirm("Delete this assessment, its upload and its results? This cannot be undone.")) return;
    try {
      await ER.api(`/api/assessments/${item.id}`, {method: "DELETE"});
      location.assign("/history");
    } catch (err) {
      alert(`Not deleted: ${err.message}`);
    }
  });

  // ---- details (metadata) ------------------------------------------------------------------
  const metaForm = $("meta-form");
  $("edit-meta").addEventListener("click", () => {
    const card = $("meta-card");
    card.hidden = !card.hidden;
    $("edit-meta").setAttribute("aria-expanded", String(!card.hidden));
    if (!card.hidden) $("meta-worker").focus();
  });
  metaForm.addEventListener("submit", async ev => {
    ev.preventDefault();
    const status = $("meta-status");
    const body = {};
    for (const key of ["worker", "task", "site", "assessor", "notes"]) body[key] = metaForm[key].value.trim();
    status.className = "";
    status.textContent = "Saving… (the reports are written again)";
    $("save-meta").disabled = true;
    try {
      await ER.api(`/api/assessments/${item.id}`, {method: "PATCH",
        headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
      status.textContent = "Saved.";
      metaForm.dataset.state = "saved";
      location.reload();
    } catch (err) {
      status.textContent = `Not saved: ${err.message}`;
      status.className = "error";
      metaForm.dataset.state = "error";
    } finally {
      $("save-meta").disabled = false;
    }
  });

  if (item.status !== "done") { poll(); return; }

  // ---- results ----------------------------------------------------------------------------
  const video = $("video");
  const fps = item.fps || (item.summary && item.summary.fps) || 30;
  let D = null;          // frames: {column: [values]}
  let n = 0;
  let cur = 0;
  let skel = null;

  const col = name => (D[name] ? D[name] : null);
  const val = (name, i) => (D[name] ? D[name][i] : undefined);

  // The annotated video holds one picture per row of the frames table.
  function rowAtVideoTime(t) { return Math.min(n - 1, Math.max(0, Math.floor(t * fps + 1e-6))); }
  function rowAtTime(ts) {
    const times = D.time_s;
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] < ts) lo = mid + 1; else hi = mid;
    }
    if (lo > 0 && Math.abs(times[lo - 1] - ts) <= Math.abs(times[lo] - ts)) lo -= 1;
    return lo;
  }

  function seekRow(i) {
    i = Math.min(n - 1, Math.max(0, i));
    if (video) {
      video.pause();
      video.currentTime = (i + 0.5) / fps;
    }
    setFrame(i);
  }

  // ---- formatting -----------------------------------------------------------------------
  const COUPLING = ["good", "fair", "poor", "unacceptable"];
  function fmtInput(key, v) {
    if (v === null || v === undefined) return "–";
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (key === "coupling") return typeof v === "number" ? (COUPLING[v] ?? v) : v;
    if (key.endsWith("_deg")) return `${Number(v).toFixed(1)}°`;
    if (key.endsWith("_kg")) return `${ER.kgText(Number(v))} kg`;  // 22 lb: not 9.979032140000001
    if (key.endsWith("_m")) return `${(100 * v).toFixed(1)} cm`;
    return String(v);
  }

  // [label, input column, measured angle shown beside a flag]
  const REBA_ROWS = [
    {section: "Group A"},
    {label: "Trunk", score: "trunk", inputs: [["flexion", "trunk_flexion_deg"],
      ["twisted", "trunk_twist", "trunk_twist_deg"], ["side-bent", "trunk_side_bend", "trunk_side_bend_deg"]]},
    {label: "Neck", score: "neck", inputs: [["flexion", "neck_flexion_deg"],
      ["twisted", "neck_twist", "neck_twist_deg"], ["side-bent", "neck_side_bend", "neck_side_bend_deg"]]},
    {label: "Legs", score: "legs", inputs: [["knee flexion", "knee_flexion_deg"],
      ["unilateral", "legs_unilateral", "foot_lift_m"], ["sitting", "sitting"]]},
    {label: "Load / force", score: "load", inputs: [["load", "load_kg"], ["shock", "shock"]]},
    {label: "Score A", score: "score_a", sub: true},
    {section: "Group B"},
    {label: "Upper arm", score: "upper_arm", inputs: [["flexion", "upper_arm_flexion_deg"],
      ["abducted", "upper_arm_abducted", "upper_arm_abduction_deg"], ["rotated", "upper_arm_rotated"],
      ["shoulder raised", "shoulder_raised", "shoulder_elevation_deg"], ["supported", "arm_supported"]]},
    {label: "Lower arm", score: "lower_arm", inputs: [["flexion", "lower_arm_flexion_deg"]]},
    {label: "Wrist", score: "wrist", inputs: [["flexion", "wrist_flexion_deg"],
      ["deviated", "wrist_deviated", "wrist_deviation_deg"], ["twisted", "wrist_twisted"]]},
    {label: "Coupling", score: "coupling", inputs: [["grip", "coupling"]]},
    {label: "Score B", score: "score_b", sub: true},
    {section: "Result"},
    {label: "Table C", score: "table_c", sub: true},
    {label: "Activity", score: "activity", inputs: [["static", "static"], ["repeated", "repeated"],
      ["rapid change", "rapid_change"]]},
    {label: "REBA total", score: "total", total: true},
    {label: "Risk level", score: "risk_level", level: true},
    {label: "Action level", score: "action_level", sub: true},
  ];
  const RULA_ROWS = [
    {section: "Arm and wrist (A)"},
    {label: "Upper arm", score: "upper_arm", inputs: [["flexion", "upper_arm_flexion_deg"],
      ["shoulder raised", "shoulder_raised", "shoulder_elevation_deg"],
      ["abducted", "upper_arm_abducted", "upper_arm_abduction_deg"], ["supported", "arm_supported"]]},
    {label: "Lower arm", score: "lower_arm", inputs: [["flexion", "lower_arm_flexion_deg"],
      ["midline or out", "lower_arm_midline_or_out", "wrist_lateral_m"]]},
    {label: "Wrist", score: "wrist", inputs: [["flexion", "wrist_flexion_deg"],
      ["deviated", "wrist_deviated", "wrist_deviation_deg"]]},
    {label: "Wrist twist", score: "wrist_twist", inputs: [["end of range", "wrist_twist_end_range"]]},
    {label: "Score A", score: "score_a", sub: true},
    {label: "Score C = A + muscle + force", score: "score_c", sub: true, inputs: [
      ["muscle use", "arm_muscle_use"], ["load", "arm_load_kg"],
      ["static/repeated", "arm_load_static_or_repeated"], ["shock", "arm_shock"]]},
    {section: "Neck, trunk and legs (B)"},
    {label: "Neck", score: "neck", inputs: [["flexion", "neck_flexion_deg"], ["twisted", "neck_twist"],
      ["side-bent", "neck_side_bend"]]},
    {label: "Trunk", score: "trunk", inputs: [["flexion", "trunk_flexion_deg"], ["twisted", "trunk_twist"],
      ["side-bent", "trunk_side_bend"], ["seated, supported", "sitting_supported"]]},
    {label: "Legs", score: "legs", inputs: [["supported", "legs_supported"]]},
    {label: "Score B", score: "score_b", sub: true},
    {label: "Score D = B + muscle + force", score: "score_d", sub: true, inputs: [
      ["muscle use", "body_muscle_use"], ["load", "body_load_kg"],
      ["static/repeated", "body_load_static_or_repeated"], ["shock", "body_shock"]]},
    {section: "Result"},
    {label: "RULA grand score (Table C)", score: "total", total: true},
    {label: "Action level", score: "action_level", level: true},
  ];

  // The body part (confidence column) behind each part score.
  const CONFIDENCE_OF = {trunk: "trunk", neck: "neck", legs: "legs", upper_arm: "upper_arm",
                         lower_arm: "lower_arm", wrist: "wrist", wrist_twist: "wrist"};

  // Readings no body reaches, per part (kinematics/posture.py IMPOSSIBLE_DEG): a part whose
  // reading is beyond them was left out (frames.csv beyond_range_parts), not lost.
  const BODY_LIMITS = JSON.parse(document.getElementById("body-limits").textContent);

  // "trunk twist 123° is beyond a body's range (over 90°)", or "" where the part was not
  // left out for a reading (its joints were not seen).
  function beyondRange(part, side, i) {
    const listed = String(val("beyond_range_parts", i) || "").split(" ");
    if (!listed.includes(`${part}_${side}`)) return "";
    for (const [column, name, limit] of BODY_LIMITS[part] || []) {
      const v = val(`${column}_${side}`, i);
      if (v !== null && v !== undefined && Math.abs(v) > limit) {
        return `${name} ${Math.round(v)}° is beyond a body's range (over ${limit}°)`;
      }
    }
    return "a reading beyond a body's range";  // a wrist's flexion: its column is emptied
  }

  const kneePerSide = () => Boolean(item.summary && item.summary.config &&
    item.summary.config.kinematics && item.summary.config.kinematics.knee_per_side);

  // Angles are always shown; a flag only when set (with the measured angle behind it).
  function evidence(inputs, side, i) {
    const parts = [];
    for (const [label, key, measured] of inputs || []) {
      const v = val(`${key}_${side}`, i);
      if (v === undefined || v === null) continue;
      if (key === "knee_flexion_deg" && !kneePerSide()) {
        // REBA scores both sides' legs with the more flexed knee (docs/kinematics.md): say
        // so where it is the other side's, or this knee's angle does not explain the score.
        const other = val(`knee_flexion_deg_${side === "left" ? "right" : "left"}`, i);
        if (other !== null && other !== undefined && other > v) {
          parts.push(`${label} ${fmtInput(key, v)} (scored: ${fmtInput(key, other)}, the more flexed knee)`);
          continue;
        }
      }
      if (typeof v !== "boolean") { parts.push(`${label} ${fmtInput(key, v)}`); continue; }
      if (!v) continue;
      const m = measured ? val(`${measured}_${side}`, i) : null;
      parts.push(m !== null && m !== undefined ? `${label} (${fmtInput(measured, m)})` : label);
    }
    return parts.join(", ");
  }

  // "6–8": a score's interval from the angles' uncertainty ("" when unknown).
  function scoreRange(low, high) {
    if (low === null || low === undefined || high === null || high === undefined) return "";
    return `${low}–${high}`;
  }

  function scoreCell(method, row, side, i) {
    const name = `${method}_${row.score}_${side}`;
    const v = val(name, i);
    const td = el("td", {id: `p-${method}_${row.score}-${side}`});
    if ((v === undefined || v === null) && row.total && val("person_detected", i)) {
      // A part left out for a reading no body reaches was seen: say so, as its row does.
      const leftOut = String(val("beyond_range_parts", i) || "").split(" ")
        .some(token => token.endsWith(`_${side}`));
      const why = leftOut ? "not seen or left out (see above)" : "not seen";
      td.append(el("span", {class: "muted", text: `not scored: part of this side was ${why}`}));
    } else if (v === undefined || v === null) {
      td.append(el("span", {class: "muted", text: "–"}));
    } else if (row.total) {
      const span = scoreRange(val(`${method}_total_low_${side}`, i), val(`${method}_total_high_${side}`, i));
      td.append(el("span", {class: "badge", style: `background:${ER.colour(method, v)}`,
        text: String(v)}), " ", el("span", {class: "lvl", text: ER.levelName(method, v)}),
        // "3 low (1–4)" read as the band's own range: say it is the score's
        span ? el("span", {class: "range", title: "lowest and highest score within the angles' uncertainty",
          text: ` · range ${span}`}) : null);
    } else if (row.level) {
      const total = val(`${method}_total_${side}`, i);
      td.append(el("span", {class: "lvl-chip", style: `border-color:${ER.colour(method, total)}`,
        text: String(v)}));
    } else {
      td.append(el("strong", {class: "sc", text: String(v)}));
    }
    // A body part the pose could not show (confidence 0) has assumed values, not measured ones;
    // a frame without a person has none to show.
    const part = CONFIDENCE_OF[row.score];
    const conf = part ? val(`confidence_${part}_${side}`, i) : undefined;
    let ev = part && val("person_detected", i) === false ? "" : evidence(row.inputs, side, i);
    if (conf === 0 && val("person_detected", i) !== false) {
      const why = beyondRange(part, side, i);
      if (why) ev = ev ? `left out: ${why}; ${ev} (assumed)` : `left out: ${why}`;
      else ev = ev ? `${ev} (assumed: not seen)` : "not seen";
      // The side's total takes an unseen wrist as neutral (docs/kinematics.md), where it has
      // one (another part unseen leaves none: "scored" would say what did not happen).
      const total = val(`${method}_total_${side}`, i);
      if (part === "wrist" && !ev.includes("assumed") && total !== null && total !== undefined) {
        ev += "; scored as neutral";
      }
    }
    if (ev) td.append(el("span", {class: "ev", text: ev}));
    return td;
  }

  function methodTable(method, rows, i) {
    const title = method === "reba" ? "REBA" : "RULA";
    const t = el("table", {class: "panel", id: `panel-${method}`},
      el("caption", {text: title}),
      el("thead", {}, el("tr", {}, el("th", {scope: "col", text: "Step"}),
        el("th", {scope: "col", text: "Left side"}), el("th", {scope: "col", text: "Right side"}))));
    const body = el("tbody");
    for (const row of rows) {
      if (row.section) {
        body.append(el("tr", {class: "sec"}, el("th", {colspan: "3", scope: "colgroup",
          text: row.section})));
        continue;
      }
      const tr = el("tr", {class: row.total ? "total" : (row.sub ? "sub" : "part")},
        el("th", {scope: "row", text: row.label}));
      for (const side of SIDES) tr.append(scoreCell(method, row, side, i));
      body.append(tr);
    }
    t.append(body);
    return t;
  }

  // frames.csv's pose_issue (pose/quality.py) in a reader's words; frames.csv keeps its own.
  const ISSUE_WORDS = {
    "unconfirmed track": "followed for under 0.3 s between two losses or jumps " +
      "(an unconfirmed track)",
    "torso colour unlike the person's (someone else?)": "the skeleton may be on someone " +
      "else (its torso's colour changed at once)",
    "bone lengths unlike the person's (track segment)": "limb lengths unlike the person's " +
      "over this stretch",
    "bone lengths unlike the person's (frame)": "limb lengths unlike the person's on this frame",
    "implausible motion": "the limbs move faster than a body can",
  };

  function renderPanel(i) {
    const panel = $("panel");
    const detected = val("person_detected", i);
    const unreliable = detected !== false && val("pose_reliable", i) === false;
    const issue = val("pose_issue", i);
    const head = el("p", {class: "frame-head", id: "panel-frame"},
      PICTURE ? "The picture" : RECORDS ? (n === 1 ? "The record" : `Record ${i + 1} of ${n}`)
        : `Frame ${val("frame", i)} · ${Number(val("time_s", i)).toFixed(2)} s`,
      detected === false ? el("span", {class: "warn", text: " · no person detected"}) : null,
      unreliable ? el("span", {class: "warn", text: ` · pose unreliable${issue ? `: ${
        ISSUE_WORDS[issue] || issue}` : ""}; these scores are left out of the levels, peaks ` +
        "and worst moments"}) : null);
    panel.replaceChildren(head, methodTable("reba", REBA_ROWS, i),
      methodTable("rula", RULA_ROWS, i));
    panel.dataset.row = String(i);
    // records are not frames of a video (they read "frame 0 (1 of 3) · 0.00 s")
    $("frame-label").textContent = RECORDS ? `record ${i + 1} of ${n}`
      : `frame ${val("frame", i)} (${i + 1} of ${n}) · ${Number(val("time_s", i)).toFixed(2)} s`;
  }

  // ---- timeline ---------------------------------------------------------------------------
  const MARKER = {type: "line", xref: "x", yref: "paper", y0: 0, y1: 1, x0: 0, x1: 0,
                  line: {color: "#111", width: 2}};
  // A score on an unreliable frame is left out of every figure: a gap in the line, as in
  // the report (the frame's panel still shows it, marked).
  function shownScores(name) { return ER.reliableOnly(col(name), col("pose_reliable")); }
  function timelineTraces() {
    const traces = [];
    for (const [method, axis] of [["reba", "y"], ["rula", "y2"]]) {
      for (const side of SIDES) {
        traces.push({x: D.time_s, y: shownScores(`${method}_total_${side}`), yaxis: axis,
          name: `${method.toUpperCase()} ${side}`, type: "scatter",
          mode: n < 50 ? "lines+markers" : "lines",
          line: {shape: "hv", color: ER.SIDE_COLOURS[side], width: 1.6,
                 dash: side === "right" ? "dot" : "solid"},
          hovertemplate: `%{y} (${side})<extra>${method.toUpperCase()}</extra>`});
      }
    }
    // Every frame, invisible: a click lands on the frame under the pointer. The scores
    // have gaps where a frame is unreliable, and a click snapped past them (6.1 s went to
    // 6.37 s), so flagged frames could not be reached from the chart.
    traces.push({x: D.time_s, y: D.time_s.map(() => 1), yaxis: "y", name: FRAMES_TRACE,
      type: "scatter", mode: "lines", line: {width: 0}, hoverinfo: "none", showlegend: false});
    if (unreliableSpans().length) {  // the shading's legend entry (shapes have none)
      traces.push({x: [null], y: [null], type: "scatter", mode: "markers", name: UNRELIABLE,
        hoverinfo: "skip", marker: {symbol: "square", size: 12, color: UNRELIABLE_FILL}});
    }
    return traces;
  }
  // Frames whose pose is unreliable (pose_reliable false, no person included) as [start, end]
  // times, each run drawn to the next frame's start: shaded grey, as the report hatches them.
  const UNRELIABLE = "no person or pose unreliable (left out)";
  const FRAMES_TRACE = "frames";
  const UNRELIABLE_FILL = "rgba(90, 90, 90, 0.35)";
  function unreliableSpans() {
    const ok = col("pose_reliable");
    if (!ok) return [];
    const step = n > 1 ? D.time_s[1] - D.time_s[0] : 0;
    const spans = [];
    for (let i = 0; i < n; i++) {
      if (ok[i] !== false) continue;
      let j = i;
      while (j + 1 < n && ok[j + 1] === false) j++;
      spans.push([D.time_s[i], D.time_s[j] + step]);
      i = j;
    }
    return spans;
  }
  function timelineLayout() {
    const marker = {...MARKER, x0: D.time_s[cur], x1: D.time_s[cur]};
    return {
      // The legend under the time axis: above the chart it ran into Plotly's toolbar.
      height: 420, margin: {l: 55, r: 20, t: 30, b: 80}, hovermode: "x unified",
      legend: {orientation: "h", x: 0, y: -0.2, yanchor: "top"}, uirevision: "keep",
      xaxis: {title: {text: RECORDS ? "record (0: the first)" : "time (s)"}, anchor: "y2"},
      yaxis: {domain: [0.55, 1], range: [0.5, 15.5], title: {text: "REBA"}, dtick: 2},
      yaxis2: {domain: [0, 0.42], range: [0.5, 7.5], title: {text: "RULA"}, dtick: 1},
      // The marker stays the last shape (moveMarker moves shapes[length - 1]).
      shapes: [...ER.bandShapes("reba", "y"), ...ER.bandShapes("rula", "y2"),
        ...unreliableSpans().map(([x0, x1]) => ({type: "rect", xref: "x", yref: "paper", x0, x1,
          y0: 0, y1: 1, fillcolor: UNRELIABLE_FILL, line: {width: 0}, layer: "above"})),
        marker],
    };
  }
  function renderTimeline() {
    const div = $("timeline");
    Plotly.react(div, timelineTraces(), timelineLayout(),
                 {responsive: true, displaylogo: false});
    if (!div.dataset.bound) {
      div.dataset.bound = "1";
      div.on("plotly_click", ev => {
        if (!ev.points || !ev.points.length) return;
        const p = ev.points.find(q => q.data.name === FRAMES_TRACE) || ev.points[0];
        seekRow(rowAtTime(p.x));
      });
    }
  }
  function moveMarker(i) {
    const div = $("timeline");
    if (!div.layout) return;
    const k = div.layout.shapes.length - 1;
    Plotly.relayout(div, {[`shapes[${k}].x0`]: D.time_s[i], [`shapes[${k}].x1`]: D.time_s[i]});
    div.dataset.marker = String(D.time_s[i]);
  }

  // ---- 3D skeleton ------------------------------------------------------------------------
  function sideOf(name) {
    return name.startsWith("left") ? "left" : (name.startsWith("right") ? "right" : "centre");
  }
  function skeletonTraces(i) {
    const pose = skel.frames[Math.min(i, skel.frames.length - 1)] || [];
    const groups = {left: [[], [], []], right: [[], [], []], centre: [[], [], []]};
    for (const [a, b] of skel.edges) {
      const pa = pose[a], pb = pose[b];
      if (!pa || !pb) continue;
      const sa = sideOf(skel.joints[a]), sb = sideOf(skel.joints[b]);
      const g = groups[sa === sb ? sa : (sa === "centre" ? sb : sa)];
      for (let k = 0; k < 3; k++) g[k].push(pa[k], pb[k], null);
    }
    const colours = {left: ER.SIDE_COLOURS.left, right: ER.SIDE_COLOURS.right, centre: "#555"};
    const traces = Object.entries(groups).map(([side, g]) => ({
      type: "scatter3d", mode: "lines", name: side, x: g[0], y: g[1], z: g[2],
      line: {color: colours[side], width: 6}, hoverinfo: "skip"}));
    const pts = [[], [], [], []];
    pose.forEach((p, j) => {
      if (!p) return;
      pts[0].push(p[0]); pts[1].push(p[1]); pts[2].push(p[2]);
      pts[3].push(skel.joints[j].replace(/_/g, " "));
    });
    traces.push({type: "scatter3d", mode: "markers", name: "joints", x: pts[0], y: pts[1],
      z: pts[2], text: pts[3], marker: {size: 3, color: "#222"}, hoverinfo: "text"});
    return traces;
  }
  // The view follows the body: centred on the current frame's joints, with one size for all
  // frames (the largest body extent) so that postures compare at a glance.
  let skelSpan = null;
  function skeletonLayout(i) {
    if (skelSpan === null) {
      skelSpan = {floor: Infinity, size: 1.0};
      for (const pose of skel.frames) {
        const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
        for (const p of pose) if (p) for (let k = 0; k < 3; k++) {
          lo[k] = Math.min(lo[k], p[k]); hi[k] = Math.max(hi[k], p[k]);
        }
        if (lo[0] === Infinity) continue;
        skelSpan.floor = Math.min(skelSpan.floor, lo[2]);
        skelSpan.size = Math.max(skelSpan.size, ...hi.map((h, k) => h - lo[k]));
      }
      skelSpan.size = Math.min(skelSpan.size * 1.1, 2.5);
      if (skelSpan.floor === Infinity) skelSpan.floor = 0;
    }
    const pose = (skel.frames[Math.min(i, skel.frames.length - 1)] || []).filter(Boolean);
    const mid = k => (pose.length ? pose.reduce((a, p) => a + p[k], 0) / pose.length : 0);
    const half = skelSpan.size / 2;
    const axis = (lo, title) => ({range: [lo, lo + skelSpan.size], title: {text: title},
                                  showspikes: false});
    // A frame without a person left an empty box: say so.
    const annotations = pose.length ? [] : [{text: "no person on this frame", showarrow: false,
      xref: "paper", yref: "paper", x: 0.5, y: 0.5, font: {size: 14, color: "#555"}}];
    return {height: 340, margin: {l: 0, r: 0, t: 0, b: 0}, showlegend: false, uirevision: "keep",
      annotations,
      scene: {xaxis: axis(mid(0) - half, "x (m)"), yaxis: axis(mid(1) - half, "y (m)"),
              zaxis: axis(skelSpan.floor - 0.05, "z, up (m)"), aspectmode: "cube",
              // far enough that the whole cube fits the 340 px box (the lower ticks and the x, y
              // titles were cut off at 1.0, -1.25, 0.45)
              camera: {eye: {x: 1.35, y: -1.7, z: 0.6}}}};
  }
  let skelPending = null;
  function renderSkeleton(i) {
    if (!skel) return;
    if (skelPending !== null) { skelPending = i; return; }
    skelPending = i;
    requestAnimationFrame(async () => {
      const j = skelPending;
      await Plotly.react($("skeleton"), skeletonTraces(j), skeletonLayout(j),
                         {displaylogo: false, responsive: true});
      $("skeleton").dataset.row = String(j);
      const again = skelPending !== j;
      skelPending = null;
      if (again) renderSkeleton(j);
    });
  }

  // ---- summary parts ----------------------------------------------------------------------
  // On a phone the levels run down the table, the sides across: a row of eight levels fitted
  // the screen only in 8.7 px type, its figures running together.
  const NARROW = window.matchMedia("(max-width: 600px)");
  NARROW.addEventListener("change", () => renderShares());
  function renderShares() {
    const box = $("shares");
    box.replaceChildren();
    // "REBA: % of time ... 100.0%" of a picture: its level is the headline's
    $("share-h").parentElement.hidden = PICTURE;
    if (PICTURE) return;
    for (const method of ["reba", "rula"]) {
      const names = [...ER.bands(method).map(b => b[2]), "pose unreliable", "part not seen",
        "no person"];
      const cols = [...ER.colours(method), ER.UNRELIABLE, ER.NOT_SEEN, ER.NO_PERSON];
      const rows = [];  // [side's label, its shares]
      for (const side of [...SIDES, "either"]) {
        const totals = side === "either" ? col(`${method}_total`) : col(`${method}_total_${side}`);
        if (!totals) continue;
        rows.push([side === "either" ? "higher side" : side,
          ER.shares(method, totals, col("person_detected"), col("pose_reliable"))]);
      }
      const bar = s => {
        const b = el("div", {class: "bar", "aria-hidden": "true"});
        s.forEach((p, k) => { if (p > 0) b.append(el("span", {style: `width:${p}%;background:${cols[k]}`})); });
        return b;
      };
      const share = p => el("td", {text: p > 0 ? `${p.toFixed(1)}%` : "–"});
      const level = k => [el("span", {class: "swatch", style: `background:${cols[k]}`}), names[k]];
      const t = el("table", {class: NARROW.matches ? "shares tall" : "shares", id: `shares-${method}`},
        el("caption", {text: `${method.toUpperCase()}: % of ${RECORDS ? "records" : "time"}`}));
      const tb = el("tbody");
      if (NARROW.matches) {
        t.append(el("thead", {}, el("tr", {}, el("th", {scope: "col", text: "level"}),
          ...rows.map(([label, s]) => el("th", {scope: "col"}, label, bar(s))))));
        names.forEach((_, k) => tb.append(el("tr", {}, el("th", {scope: "row"}, ...level(k)),
          ...rows.map(([, s]) => share(s[k])))));
      } else {
        t.append(el("thead", {}, el("tr", {}, el("th", {scope: "col", text: "side"}),
          ...names.map((_, k) => el("th", {scope: "col"}, ...level(k))))));
        for (const [label, s] of rows) {
          tb.append(el("tr", {}, el("th", {scope: "row"}, label, bar(s)), ...s.map(share)));
        }
      }
      t.append(tb);
      box.append(t);
    }
    box.append(el("p", {class: "help", text: "Pose unreliable: a person was found but the " +
      "pose cannot be trusted: a glitch, a track not yet confirmed, or the skeleton on " +
      "someone else (the frame's panel says which; left out of the levels, peaks and worst " +
      "moments). Part not " +
      "seen: a person was found, but part of that side was out of view or hidden, so it has " +
      "no score. No person: the person assessed was not found" +
      (item.kind === "views" ? " by two or more cameras (a take is triangulated)." : "; someone " +
        "else may be in view.")}));
  }

  // The worst moments come from the server (report/episodes.py): the reports list the same.
  let worst = [];
  function renderWorst() {
    const list = $("worst");
    list.replaceChildren();
    if (PICTURE) {  // one picture: nothing is held for a time
      $("worst-help").textContent = "The picture's posture. Click it to see its scores panel.";
      $("activity-help").textContent = "Activity is judged from angles over time: not from " +
        "one picture. The task factors below can still set a flag for the whole task.";
    }
    if (RECORDS) {  // records are postures as typed: nothing is held for a time
      $("worst-help").textContent = "The records of highest REBA, highest first: the same " +
        "list as the reports. Click one to see its scores.";
    }
    if (!worst.length) {
      list.append(el("li", {text: "No posture held long enough to rank (or nobody was seen)."}));
      return;
    }
    for (const e of worst) {
      // RULA's own higher side there, named where it is not REBA's (as the report's card)
      const rula = (e.peak_rula === null ? "–" : e.peak_rula) +
        (e.rula_side && e.rula_side !== e.side ? ` (${e.rula_side} side)` : "");
      list.append(el("li", {"data-peak": String(e.peak)}, el("button", {type: "button", class: "link",
        onclick: () => showMoment(e)},
        // the picture's frame's RULA: one frame, not a held peak as the headline's
        `${momentTitle(e)} · RULA ${rula} ${item.kind === "worksheet" ? "in the record" : item.kind === "pose" || item.kind === "skeleton" ? "then" : "at the picture"}`)));
    }
  }
  // The same words as the reports' titles (report/model.py: moment_title).
  function momentTitle(e) {
    if (item.kind === "worksheet") return `Record ${e.peak + 1}: REBA ${e.score} (${e.side} side)`;
    if (item.kind === "image") return `The picture: REBA ${e.score} (${e.side} side)`;
    const shown = item.kind === "pose" || item.kind === "skeleton" ? "at" : "picture at";  // no pictures
    return `${e.start_s.toFixed(2)}–${e.end_s.toFixed(2)} s: REBA ${e.score} or more for ` +
      `${e.duration_s.toFixed(1)} s (${shown} ${e.peak_s.toFixed(2)} s, ${e.side} side there` +
      (e.max_reba > e.score ? `; briefly ${e.max_reba} at ${e.max_s.toFixed(2)} s` : "") + ")";
  }
  // A worst moment: its peak frame in the video and the panel, both brought into view.
  function showMoment(e) {
    seekRow(e.peak);
    for (const li of $("worst").children) li.classList.toggle("current", li.dataset.peak === String(e.peak));
    const target = $("media-col").hidden ? $("panel") : $("main-grid");
    target.scrollIntoView({behavior: "smooth", block: "start"});
  }

  // REBA's activity flags with their evidence, worded by the server (report/activity.py) as
  // in the reports; re-scoring sends them again (a factor set to yes/no overrides a flag).
  let activity = item.activity || [];
  function renderActivity() {
    const body = $("activity-rows");
    body.replaceChildren();
    // Hand-entered worksheets carry their flags ticked per record: nothing to show here.
    $("activity-card").hidden = !activity.length || activity.every(a => a.state === "entered");
    // A factor set on a worksheet shows the card: it has records, not angles over time.
    if (RECORDS) {
      $("activity-help").textContent = "REBA adds 1 for each kind of activity ticked in a " +
        "record (static and repeated also count as RULA's muscle use); the task factors below " +
        "can set or clear a flag for every record.";
    }
    for (const a of activity) {
      const ev = el("td", {});
      if (a.episodes.length) {
        const list = el("ul", {class: "act-episodes"});
        for (const e of a.episodes) {
          list.append(el("li", {}, el("button", {type: "button", class: "link",
            title: "Go to the start of this episode", onclick: () => seekRow(rowAtTime(e.start_s))},
            `${e.part}, ${e.when}`), `: ${e.evidence}`));
        }
        if (a.more_text) list.append(el("li", {class: "muted", text: a.more_text}));
        ev.append(list);
      } else {
        ev.textContent = a.finding;
      }
      body.append(el("tr", {"data-kind": a.kind, "data-state": a.state},
        el("th", {scope: "row"}, el("strong", {text: a.label}), el("span", {class: "rule", text: a.rule})),
        ev, el("td", {text: a.adds})));
    }
  }

  // The scores over the video: drawn here, so they follow re-scoring (the video has none).
  const overlayOn = Boolean(item.media) && item.summary && item.summary.config &&
    item.summary.config.media && item.summary.config.media.banner === false;
  function renderOverlay(i) {
    const box = $("score-overlay");
    if (!overlayOn) return;
    box.hidden = false;
    const num = v => (v === null || v === undefined ? "not seen" : String(v));
    const t = PICTURE ? "" : ` · t ${Number(D.time_s[i]).toFixed(2)} s`;
    if (!val("person_detected", i)) {
      box.textContent = `no person${t}`;
      box.style.background = ER.NO_PERSON;
      return;
    }
    const reba = val("reba_total", i);
    // An unreliable frame is grey and says so, as the annotated video's banner does.
    const leftOut = val("pose_reliable", i) === false;
    box.textContent = (leftOut ? "pose unreliable, left out: " : "") +
      `REBA L ${num(val("reba_total_left", i))} R ${num(val("reba_total_right", i))} ` +
      // A person with no total (a part that blanks both sides not seen): not "no person".
      `(${reba === null || reba === undefined ? "not scored" : ER.levelName("reba", reba)}) · ` +
      `RULA L ${num(val("rula_total_left", i))} ` +
      `R ${num(val("rula_total_right", i))}${t}`;
    box.style.background = leftOut ? ER.UNRELIABLE : ER.colour("reba", reba);
    box.dataset.reba = num(reba);
  }

  function renderHeadline() {
    // The peaks are the summary's: the highest score held for a sustained episode on frames
    // whose pose is reliable (scoring/summary.py), the same the history and reports show.
    const parts = [];
    const peaks = {};
    for (const method of ["reba", "rula"]) {
      const peak = item.summary && item.summary[method] && item.summary[method].total &&
        item.summary[method].total.peak;
      if (!peak) {
        // A few reliable frames hold no score for 0.3 s: say so, not "Nobody detected."
        const mean = item.summary && item.summary[method] && item.summary[method].total &&
          item.summary[method].total.mean;
        if (mean !== null && mean !== undefined) parts.push(`${method.toUpperCase()}: no score held 0.3 s`);
        continue;
      }
      peaks[method] = peak.score;
      // The interval: the same held peak of the frames' low and high scores (summary.json).
      const span = scoreRange(peak.low, peak.high);
      const what = `(${span ? `range ${span}, ` : ""}${ER.levelName(method, peak.score)})`;
      // A picture, or one worksheet record, has one score and no time ("peak ... from 0.00 s"
      // read as a video's); worksheet records have no time either.
      parts.push(item.kind === "image" || (RECORDS && n === 1)
        ? `${method.toUpperCase()} ${peak.score} ${what}`
        : RECORDS ? `${method.toUpperCase()} highest ${peak.score} ${what}`
        : `${method.toUpperCase()} peak ${peak.score} ${what} from ${Number(peak.time_s).toFixed(2)} s` +
          higherLevelsNote(method, peak.score) + (method === "reba" ? highOrWorse() : ""));
    }
    const head = item.kind === "image" ? "The picture: "
      : RECORDS ? (n === 1 ? "The worksheet record: " : `${n} worksheet records. `)
      : `${n} frame${n === 1 ? "" : "s"}. `;
    $("headline").textContent = head + `${parts.join("; ") ||
      (item.summary && item.summary.person_detected_frames ? "No reliable pose." : "Nobody detected.")}`;
    $("headline").dataset.rebaPeak = String(peaks.reba ?? "");
    // "held 0.3 s ... the pose's uncertainty": a video's words, not typed records'
    $("headline-help").hidden = PICTURE || RECORDS || !Object.keys(peaks).length;
    renderWarnings();
  }

  // " (19% of the scored time at a higher level, in runs under 0.3 s)" where that share is
  // 10 % or more, as the command line and the reports say it (report.model.higher_levels_note):
  // "REBA peak 7 (medium)" sat over a table giving "high 19%" (a web walkthrough).
  function higherLevelsNote(method, score) {
    const byLevel = (item.summary[method].total || {}).time_s_by_level || {};
    // by name: the page's JSON has its keys sorted (REBA's are the bands' names, RULA's its
    // action levels')
    const names = ER.bands(method).map((b, i) => method === "reba" ? b[2] : `action level ${i + 1}`);
    const seconds = names.map(name => Number(byLevel[name] || 0));
    const scored = seconds.reduce((a, b) => a + b, 0);
    const above = seconds.slice(ER.band(method, score) + 1).reduce((a, b) => a + b, 0);
    if (!scored || above / scored < 0.1) return "";
    return ` (${Math.round(100 * above / scored)}% of the scored time at a higher level, ` +
      "in runs under 0.3 s)";
  }

  // ", high or worse 55% of the scored time", as the command line and the reports' verdict
  // say it: the page gave the clip's parts per level alone (a web walkthrough: the manager
  // read 55 % in the PDF, the engineer 30.4 % high and 17.8 % very high on the page).
  function highOrWorse() {
    const byLevel = (item.summary.reba.total || {}).time_s_by_level || {};
    const names = ER.bands("reba").map(b => b[2]);
    const seconds = names.map(name => Number(byLevel[name] || 0));
    const scored = seconds.reduce((a, b) => a + b, 0);
    if (!scored) return "";
    const high = seconds.slice(ER.band("reba", 8)).reduce((a, b) => a + b, 0);
    const p = 100 * high / scored;
    // never 0 % or 100 % where some time is or is not (report.model.percent_text)
    const text = high > 0 && p < 0.5 ? "<1" : high < scored && p >= 99.5 ? ">99" : String(Math.round(p));
    return `, high or worse ${text}% of the scored time`;
  }

  // The summary's warnings (the CLI prints them, the reports list them; the page showed
  // none), in the page's words where they name a command-line flag or an output file.
  const WEB_WORDS = [
    // The job words warnings with keyword names (camera_pitch_deg): the flag's form never
    // reached the page, and a photo's warning named an option the form has no field for.
    [/(give )?(?:--camera-pitch-deg|\bcamera_pitch_deg\b)/g, (_, give) => give
      ? "give the camera pitch (camera_pitch_deg: degrees, under Advanced options on a new upload)"
      : "the camera pitch (camera_pitch_deg, under Advanced options)"],
    [/annotated\.mp4/g, "the annotated video"],
    // A take's warnings name the command line's words; the form's here (a walkthrough).
    [/annotated-(\w+)\.mp4/g, "the annotated video of $1"],
    [/(?:--)?sync motion/g, 'Sync "from the movement (motion)"'],
    [/\((?:--)?cameras\)/g, "(the Cameras field)"],
    // No docs/ path, as the reports and the compare page (report/model.py reader_words):
    // "the project's docs/accuracy.md" was a file a web user has no link to.
    [/,\s*docs\/[\w-]+\.md\)/g, ")"],
    [/\s*\(docs\/[\w-]+\.md\)/g, ""],
    [/docs\/[\w-]+\.md/g, "ergorisk's documentation"],
  ];

  function renderWarnings() {
    const warnings = (item.summary && item.summary.warnings) || [];
    const list = $("warnings-list");
    list.replaceChildren(...warnings.map(w => el("li", {
      text: WEB_WORDS.reduce((text, [from, to]) => text.replace(from, to), w)})));
    $("warnings").hidden = !warnings.length;
    renderMeasured();
  }

  // How the camera's view was taken into account, as the report's data quality says it: the
  // page corrected a tilt (pitch 25°, roll -24° at confidence 0.30 on the demo's cam04)
  // without a word, and its back view only as a warning (a web walkthrough).
  const TILT_HOW = {
    "estimated": "estimated from standing frames",
    "vanishing point": "estimated from the scene's vertical lines",
    "given": "as given",
  };
  function renderMeasured() {
    const s = item.summary || {};
    const tilt = (s.options || {}).camera_tilt;
    const said = [];
    if (tilt && TILT_HOW[tilt.method]) {
      const conf = tilt.confidence == null ? "" : `, confidence ${Number(tilt.confidence).toFixed(2)}`;
      said.push(`Camera tilt corrected: pitch ${Number(tilt.pitch_deg).toFixed(1)}°, roll ` +
        `${Number(tilt.roll_deg).toFixed(1)}° (${TILT_HOW[tilt.method]}${conf}); another ` +
        "can be given under Advanced options (camera_pitch_deg, camera_roll_deg) on a new upload.");
    }
    const view = s.view || {};
    if (view.back_share != null && !PICTURE) {
      said.push(`Seen from behind on ${Math.round(100 * view.back_share)}% of the reliable ` +
        "frames (the angles least reliable from there).");
    }
    $("measured").textContent = said.join(" ");
    $("measured").hidden = !said.length;
  }

  function setFrame(i) {
    if (i === cur && $("panel").dataset.row === String(i)) return;
    cur = i;
    renderPanel(i);
    renderOverlay(i);
    moveMarker(i);
    renderSkeleton(i);
  }

  function renderAll() {
    renderPanel(cur);
    renderOverlay(cur);
    if (n > 1) renderTimeline();
    renderShares();
    renderWorst();
    renderActivity();
    renderHeadline();
    renderSkeleton(cur);
  }

  // ---- factors ---------------------------------------------------------------------------
  // Re-scoring returns scores only; the inputs the factors set are rebuilt here the way
  // kinematics.worksheet.task_columns sets them, so the panel shows what produced each score.
  const SET_BY_FACTORS = ["load_kg", "arm_load_kg", "body_load_kg", "shock", "arm_shock",
    "body_shock", "coupling", "static", "repeated", "rapid_change", "arm_muscle_use",
    "body_muscle_use", "arm_load_static_or_repeated", "body_load_static_or_repeated"];
  let stored = {};                       // those columns as stored, with the saved factors
  let savedFactors = {...item.factors};
  function keepStoredInputs() {
    stored = {};
    for (const k of SET_BY_FACTORS) for (const side of SIDES) {
      if (D[`${k}_${side}`]) stored[`${k}_${side}`] = D[`${k}_${side}`];
    }
  }
  function factorInputs(f) {
    const fill = v => new Array(n).fill(v);
    const known = k => f[k] === savedFactors[k];
    const flag = (k, side) => (f[k] === "yes" ? fill(true) : f[k] === "no" ? fill(false)
      : (known(k) ? stored[`${k}_${side}`] : null));
    const use = (k, side) => {
      if (known("static") && known("repeated")) return stored[`${k}_${side}`];
      if (f.static === "yes" || f.repeated === "yes") return fill(true);
      if (f.static === "no" && f.repeated === "no") return fill(false);
      return null;  // depends on detected activity that is not stored for this setting
    };
    for (const side of SIDES) {
      const cols = {load_kg: fill(f.load_kg), arm_load_kg: fill(f.load_kg),
        body_load_kg: fill(f.load_kg), shock: fill(f.shock), arm_shock: fill(f.shock),
        body_shock: fill(f.shock), coupling: fill(COUPLING.indexOf(f.coupling)),
        static: flag("static", side), repeated: flag("repeated", side),
        rapid_change: flag("rapid_change", side), arm_muscle_use: use("arm_muscle_use", side),
        body_muscle_use: use("body_muscle_use", side)};
      for (const part of ["arm", "body"]) {
        const u = cols[`${part}_muscle_use`];
        cols[`${part}_load_static_or_repeated`] = u ? u.map(x => Boolean(x) && f.load_kg > 0) : null;
      }
      for (const [k, v] of Object.entries(cols)) {
        if (v) D[`${k}_${side}`] = v; else delete D[`${k}_${side}`];
      }
    }
  }

  const form = $("factors-form");
  let rescoreSeq = 0;
  ER.setupLoad(form);
  function readFactors() {
    return {load_kg: ER.loadKg(form), coupling: form.coupling.value, shock: form.shock.checked,
            static: form.static.value, repeated: form.repeated.value,
            rapid_change: form.rapid_change.value};
  }
  // Factors shown but not saved: the downloads still hold the saved ones.
  function unsaved() {
    let f;
    try { f = readFactors(); } catch (err) { return false; }
    const same = k => (k === "load_kg" ? Math.abs(f[k] - savedFactors[k]) < 0.01 : f[k] === savedFactors[k]);
    return !Object.keys(f).every(same);
  }
  // The downloads say which factors they hold: a report handed on read 5 kg and REBA 10
  // where the page showed 12 kg and 12; while a save writes them again, the links wait (one
  // clicked then gave the earlier version).
  function showDownloads(saving) {
    const note = $("dl-note");
    for (const a of document.querySelectorAll("#downloads a")) {
      a.classList.toggle("pending", saving);
      if (saving) a.setAttribute("aria-disabled", "true"); else a.removeAttribute("aria-disabled");
    }
    const s = savedFactors;
    note.textContent = saving
      ? "Saving: these files are being written again with the factors above."
      : `These files hold the saved factors (load ${ER.kgText(Number(s.load_kg))} kg, coupling ${s.coupling}${s.shock ? ", shock" : ""}): save the factors to write them with the ones shown.`;
    note.hidden = !(saving || unsaved());
  }
  async function rescore(save) {
    const status = $("factors-status");
    let factors;
    try { factors = readFactors(); } catch (err) { status.textContent = err.message; status.className = "error"; return; }
    const seq = ++rescoreSeq;
    status.className = "";
    status.textContent = save ? "Saving…" : "Re-scoring…";
    form.dataset.state = "busy";
    if (save) showDownloads(true);
    try {
      const res = await ER.postJSON(`/api/assessments/${item.id}/rescore`, {...factors, save});
      if (seq !== rescoreSeq) return;
      Object.assign(D, res.frames.data);
      worst = res.worst_moments;
      item.summary = res.summary;  // peaks held 0.3 s, as the history and reports show them
      activity = res.activity;
      factorInputs(factors);
      if (save) { savedFactors = {...factors}; keepStoredInputs(); }
      renderAll();
      status.textContent = save ? "Saved: the history and the downloads (reports written again) use these factors."
                                : "Re-scored (not saved).";
      form.dataset.state = save ? "saved" : "changed";
      showDownloads(false);
      // Beside the headline too: its figures changed at once while "Re-scored (not saved)"
      // stood 2,000 px below, and a screenshot of the top showed unsaved figures unmarked.
      $("headline-unsaved").hidden = !unsaved();
    } catch (err) {
      if (seq !== rescoreSeq) return;
      // Deleted in another tab or by someone else: "no assessment 2" did not say so.
      status.textContent = err.status === 404
        ? "Could not re-score: this assessment has been deleted (in another tab, or by someone else)."
        : `Could not re-score: ${err.message}`;
      status.className = "error";
      form.dataset.state = "error";
      showDownloads(false);
    }
  }
  // A save still under way when the page was (re)loaded: the page showed the old factors
  // with no word of it; it now says so and reloads once the save is done.
  if (item.saving) {
    const poll = setInterval(async () => {
      try {
        const now = await ER.api(`/api/assessments/${item.id}`);
        if (!now.saving) { clearInterval(poll); location.reload(); }
      } catch (err) { /* the server is busy writing: ask again */ }
    }, 2000);
  }
  let debounce = null;
  form.addEventListener("input", () => { clearTimeout(debounce); debounce = setTimeout(() => rescore(false), 250); });
  form.addEventListener("submit", ev => ev.preventDefault());
  $("save-factors").addEventListener("click", () => { clearTimeout(debounce); rescore(true); });
  // Leaving the page with factors changed but not saved: the browser asks first.
  window.addEventListener("beforeunload", ev => {
    if (!unsaved()) return;
    ev.preventDefault();
    ev.returnValue = "";
  });

  // ---- video sync --------------------------------------------------------------------------
  let lastSync = 0;
  function syncFromVideo() {
    if (!D) return;
    const i = rowAtVideoTime(video.currentTime);
    if (i !== cur) setFrame(i);
  }
  function playLoop(ts) {
    if (video.paused || video.ended) return;
    if (ts - lastSync > 100) { lastSync = ts; syncFromVideo(); }
    requestAnimationFrame(playLoop);
  }
  if (video) {
    video.addEventListener("timeupdate", syncFromVideo);
    video.addEventListener("seeked", syncFromVideo);
    video.addEventListener("play", () => requestAnimationFrame(playLoop));
  }
  document.addEventListener("keydown", ev => {
    const t = ev.target;
    if (!D || ev.altKey || ev.ctrlKey || ev.metaKey || t.closest("input, select, textarea, video")) return;
    if (ev.key === "ArrowLeft" || ev.key === "ArrowRight") {
      ev.preventDefault();
      seekRow(cur + (ev.key === "ArrowLeft" ? -1 : 1));
    }
  });
  $("prev-frame").addEventListener("click", () => seekRow(cur - 1));
  $("next-frame").addEventListener("click", () => seekRow(cur + 1));

  async function load() {
    try {
      const [frames, moments] = await Promise.all([
        ER.api(`/api/assessments/${item.id}/frames`),
        ER.api(`/api/assessments/${item.id}/worst-moments`)]);
      D = frames.data;
      worst = moments;
      n = D.time_s ? D.time_s.length : 0;
      keepStoredInputs();
      if (item.kind !== "worksheet") {
        try { skel = await ER.api(`/api/assessments/${item.id}/skeleton`); } catch (err) { skel = null; }
      }
      $("skeleton-box").hidden = !skel;
      $("timeline-box").hidden = n <= 1;
      if (!video) $("frame-nav").hidden = n <= 1;
      if (!video && !$("still") && !skel && n <= 1) {  // one hand-entered worksheet
        $("media-col").hidden = true;
        $("main-grid").classList.add("one-col");
      }
      renderAll();
      document.body.dataset.ready = "1";
    } catch (err) {
      $("headline").textContent = `Could not load the results: ${err.message}`;
      $("headline").className = "error";
    }
  }
  load();
})();
