// Compare: both assessments' REBA and RULA timelines (higher side) on one time axis.
"use strict";

(async () => {
  const div = document.getElementById("cmp-timeline");
  const msg = document.getElementById("cmp-timeline-msg");
  const ids = [["A (before)", div.dataset.a, "#1f4e9c", "solid"], ["B (after)", div.dataset.b, "#b0306a", "dot"]];
  const traces = [];
  for (const [label, id, colour, dash] of ids) {
    try {
      const f = await ER.api(`/api/assessments/${id}/frames`);
      for (const [method, axis] of [["reba", "y"], ["rula", "y2"]]) {
        // Unreliable frames are gaps, as on each assessment's page and in the reports.
        const y = ER.reliableOnly(f.data[`${method}_total`], f.data.pose_reliable);
        traces.push({x: f.data.time_s, y, yaxis: axis, type: "scatter",
          mode: f.data.time_s.length < 50 ? "lines+markers" : "lines",
          name: `${label} ${method.toUpperCase()}`, line: {shape: "hv", color: colour, dash, width: 1.6}});
      }
    } catch (err) {
      msg.textContent += `${label}: no frames (${err.message}). `;
    }
  }
  if (traces.every(t => t.x.length <= 1)) {
    div.hidden = true;
    // its help speaks of gaps in lines that are not drawn
    div.parentElement.querySelectorAll("p.help").forEach(p => { p.hidden = true; });
    msg.textContent += "One frame each: no timeline to compare.";
    document.body.dataset.ready = "1";
    return;
  }
  Plotly.newPlot(div, traces, {
    height: 380, margin: {l: 55, r: 20, t: 10, b: 40}, hovermode: "x unified",
    legend: {orientation: "h", y: 1.1},
    xaxis: {title: {text: "time (s)"}, anchor: "y2"},
    yaxis: {domain: [0.55, 1], range: [0.5, 15.5], title: {text: "REBA"}, dtick: 2},
    yaxis2: {domain: [0, 0.42], range: [0.5, 7.5], title: {text: "RULA"}, dtick: 1},
    shapes: [...ER.bandShapes("reba", "y"), ...ER.bandShapes("rula", "y2")],
  }, {responsive: true, displaylogo: false});
  document.body.dataset.ready = "1";
})();
