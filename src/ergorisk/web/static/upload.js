// The upload form: file or hand-entered worksheet, checked here the way the server checks it,
// then sent to POST /api/assessments; the page follows the job at the assessment's page.
"use strict";

(() => {
  const form = document.getElementById("upload-form");
  const errors = document.getElementById("upload-errors");
  const fileInput = document.getElementById("file");
  const mappingInput = document.getElementById("mapping");
  const list = key => form.dataset[key].split(",");
  const ext = name => { const i = name.lastIndexOf("."); return i < 0 ? "" : name.slice(i).toLowerCase(); };
  const size = b => (b >= 1048576 ? `${(b / 1048576).toFixed(1)} MB` : `${Math.ceil(b / 1024)} KB`);

  const hasFaces = name => [...list("video"), ...list("image")].includes(ext(name));
  ER.setupLoad(form);

  function source() { return form.querySelector("input[name=source]:checked").value; }
  function showParts() {
    const isFile = source() === "file";
    document.getElementById("file-part").hidden = !isFile;
    document.getElementById("worksheet-part").hidden = isFile;
    const f = fileInput.files[0], several = fileInput.files.length > 1;
    document.getElementById("pose-part").hidden = !(isFile && f && list("pose").includes(ext(f.name)));
    document.getElementById("privacy-part").hidden = !(isFile && f && hasFaces(f.name));
    document.getElementById("views-part").hidden = !(isFile && several);
    // A calibration chosen for a take stays chosen, hidden, when one file is left: say it is
    // not sent, rather than drop it without a word.
    const calibration = document.getElementById("calibration").files[0];
    const note = document.getElementById("views-note");
    note.hidden = !(isFile && f && !several && calibration);
    note.textContent = note.hidden ? "" : `One file chosen: the calibration "${calibration.name}" ` +
      "is not used. It goes with several videos of one take: choose all of them together.";
    document.getElementById("people-part").hidden =
      !(isFile && !several && f && list("video").includes(ext(f.name)));
    const mapped = Boolean(f && list("needsMapping").includes(ext(f.name)));
    document.getElementById("mapping-part").hidden = !mapped;
    document.getElementById("layout-part").hidden = mapped;
    upDefault();
  }
  // What "default" means for the up axis depends on the kind of file: a layout's convention,
  // or (BVH, C3D) the mapping's `up` and else the format's own convention.
  const FORMAT_UP = {".bvh": "y", ".c3d": "z"};
  function upDefault() {
    const f = fileInput.files[0], e = f ? ext(f.name) : "";
    const option = document.getElementById("up-default");
    const help = document.getElementById("up-help");
    if (FORMAT_UP[e]) {
      const name = e.slice(1).toUpperCase();
      option.textContent = `default: the mapping's up, else ${FORMAT_UP[e]} (${name})`;
      help.textContent = `${name} files are ${FORMAT_UP[e]}-up unless the mapping file sets ` +
        "`up`; choose an axis to override both.";
    } else {
      const chosen = form.layout.selectedOptions[0];
      option.textContent = `default: ${chosen.dataset.up} (the ${chosen.value} layout's)`;
      help.textContent = `${chosen.value} poses are ${chosen.dataset.up}-up by convention; ` +
        "choose another axis if your file differs.";
    }
  }
  form.layout.addEventListener("change", upDefault);
  form.querySelectorAll("input[name=source]").forEach(r => r.addEventListener("change", showParts));
  // A .npy file's header gives its joint count: pick the one layout with that many joints.
  async function guessLayout() {
    const f = fileInput.files[0], note = document.getElementById("layout-guess");
    note.textContent = "";
    if (!f || ext(f.name) !== ".npy") return;
    const head = new TextDecoder("latin1").decode(await f.slice(0, 512).arrayBuffer());
    const shape = /'shape':\s*\((\d+),\s*(\d+),\s*(\d+)\)/.exec(head);
    if (!shape) return;
    const joints = shape[2];
    const fits = [...form.layout.options].filter(o => o.dataset.joints === joints);
    if (fits.length === 1) {
      form.layout.value = fits[0].value;
      upDefault();
      note.textContent = `${joints} joints: ${fits[0].value} chosen.`;
    } else {
      note.textContent = fits.length ? `${joints} joints: ${fits.map(o => o.value).join(" or ")}?`
        : `${joints} joints: no layout has that many.`;
    }
  }

  // On choosing a file, say at once what is wrong with it (a missing mapping only on sending).
  const recheck = () => {
    showParts(); const p = checkFile(false); showErrors(p ? [p] : []); guessLayout();
  };
  fileInput.addEventListener("change", recheck);
  mappingInput.addEventListener("change", recheck);
  const calibrationInput = document.getElementById("calibration");
  calibrationInput.addEventListener("change", recheck);

  // Several videos of one take: all videos, with their calibration (checked when sending).
  function checkViews(sending) {
    const files = [...fileInput.files];
    const maxViews = Number(form.dataset.maxViews);
    if (files.length > maxViews) return `${files.length} videos: at most ${maxViews} views of one take.`;
    const notVideo = files.find(f => !list("video").includes(ext(f.name)));
    if (notVideo) return `"${notVideo.name}": several files are the videos of one take; choose videos only.`;
    const maxBytes = Number(form.dataset.maxBytes);
    const total = files.reduce((n, f) => n + f.size, 0);
    if (total > maxBytes) return `The videos are ${size(total)} together; the limit is ${size(maxBytes)}.`;
    const c = calibrationInput.files[0];
    if (!c) return sending ? 'Several videos of one take need their calibration: choose it under "Calibration of the cameras".' : null;
    const cal = list("calibration");
    if (!cal.some(e => c.name.toLowerCase().endsWith(e))) {
      return `"${c.name}": not a calibration file; use one of ${cal.join(" ")}.`;
    }
    return null;
  }

  function checkFile(sending = true) {
    const f = fileInput.files[0];
    if (!f) return "Choose a file to assess (a video, a photo or a pose file).";
    if (fileInput.files.length > 1) return checkViews(sending);
    const e = ext(f.name);
    const all = [...list("video"), ...list("image"), ...list("pose")];
    if (!all.includes(e)) {
      return `"${f.name}": unsupported type ${e || "(no extension)"}; use one of ${all.join(" ")}.`;
    }
    if (f.size === 0) return `"${f.name}" is empty.`;
    const maxBytes = Number(form.dataset.maxBytes);
    if (f.size > maxBytes) return `"${f.name}" is ${size(f.size)}; the limit is ${size(maxBytes)}.`;
    if (list("needsMapping").includes(e)) {
      const m = mappingInput.files[0];
      if (!m) {
        return sending ? `"${f.name}": a ${e} file needs its joint mapping; ` +
                         'choose it under "Joint mapping".' : null;
      }
      if (m.size === 0) return `The joint mapping "${m.name}" is empty.`;
      if (m.size > 256 * 1024) return `The joint mapping "${m.name}" is ${size(m.size)}; the limit is 256 KB.`;
    }
    return null;
  }

  // Both sides the same (one record), or the right side entered apart: its grid is a copy of
  // the left one, made when the box is first unticked, starting from the left side's values.
  const same = document.getElementById("ws-same");
  const left = document.getElementById("ws-left"), right = document.getElementById("ws-right");
  same.addEventListener("change", () => {
    if (!same.checked && !right.querySelector(".ws-grid")) {
      const grid = left.querySelector(".ws-grid").cloneNode(true);
      const from = left.querySelectorAll(".ws-grid input");
      grid.querySelectorAll("input").forEach((inp, k) => {
        if (inp.type === "checkbox") inp.checked = from[k].checked; else inp.value = from[k].value;
      });
      right.append(grid);
    }
    right.hidden = same.checked;
    document.querySelectorAll(".ws-side-h").forEach(h => { h.hidden = same.checked; });
  });

  function worksheetRecord(box, side) {
    const rec = {};
    const problems = [];
    const where = side ? ` (${side} side)` : "";
    box.querySelectorAll(".ws-grid input").forEach(inp => {
      if (inp.type === "checkbox") rec[inp.name] = inp.checked;
      else {
        const what = `${inp.closest("fieldset").querySelector("legend").textContent} ` +
                     inp.parentElement.textContent.trim().replace(/ °$/, "").toLowerCase() + where;
        const v = ER.decimal(inp.value), min = inp.dataset.min;
        // the server's bound (scoring.validate.MAX_ANGLE_DEG): its refusal read "record 0, key
        // 'trunk_flexion_deg': ..." where this field's own words say which box
        const max = Number(inp.closest(".ws-grid").dataset.maxDeg);
        if (!Number.isFinite(v)) problems.push(`${what}: enter a number of degrees (12.5 or 12,5), got "${inp.value.trim()}".`);
        else if (min !== undefined && v < Number(min)) problems.push(`${what}: must be ${min}° or more, got ${v}.`);
        else if (Math.abs(v) > max) problems.push(`${what}: an angle is within ±${max}°, got ${v}.`);
        else rec[inp.name] = v;
      }
    });
    return [rec, problems];
  }

  function worksheet() {
    if (same.checked) return worksheetRecord(left, "");
    const [l, lp] = worksheetRecord(left, "left"), [r, rp] = worksheetRecord(right, "right");
    return [{left: l, right: r}, [...lp, ...rp]];
  }

  function showErrors(problems) {
    errors.replaceChildren(...problems.map(p => ER.el("p", {text: p})));
  }

  function collect() {
    const problems = [];
    const data = new FormData();
    if (source() === "file") {
      const p = checkFile();
      if (p) problems.push(p);
      else if (fileInput.files.length > 1) {
        for (const v of fileInput.files) data.append("file", v, v.name);
        const c = calibrationInput.files[0];
        data.append("calibration", c, c.name);
        data.append("sync", form.sync.value);
        if (form.cameras.value.trim()) data.append("cameras", form.cameras.value.trim());
        data.append("blur_faces", form.blur_faces.checked ? "true" : "false");
      } else {
        const f = fileInput.files[0];
        data.append("file", f, f.name);
        if (list("video").includes(ext(f.name)) && form.querySelector("#people-pick").checked) {
          data.append("people", "pick");
        }
        if (list("pose").includes(ext(f.name))) {
          if (list("needsMapping").includes(ext(f.name))) {
            const m = mappingInput.files[0];
            data.append("mapping", m, m.name);
          } else data.append("layout", form.layout.value);
          if (form.fps.value.trim()) {
            const fps = ER.decimal(form.fps.value);
            if (!(fps > 0)) problems.push(`Frames per second must be a number above 0, got "${form.fps.value.trim()}".`);
            else data.append("fps", String(fps));
          }
          if (form.up.value) data.append("up", form.up.value);
        }
        if (hasFaces(f.name)) data.append("blur_faces", form.blur_faces.checked ? "true" : "false");
      }
    } else {
      const [rec, wsProblems] = worksheet();
      problems.push(...wsProblems);
      data.append("worksheet", JSON.stringify(rec));
    }
    for (const key of ["worker", "task", "site", "assessor", "notes"]) {
      const v = form[key].value.trim();
      if (v.length > Number(form[key].maxLength)) problems.push(`${key}: at most ${form[key].maxLength} characters.`);
      if (v) data.append(key, v);
    }
    try { data.append("load_kg", String(ER.loadKg(form))); } catch (err) { problems.push(err.message); }
    data.append("coupling", form.coupling.value);
    data.append("shock", form.shock.checked ? "true" : "false");
    for (const key of ["static", "repeated", "rapid_change"]) data.append(key, form[key].value);
    const advanced = document.getElementById("options").value;
    if (advanced.trim()) data.append("options", advanced);
    return [data, problems];
  }

  form.addEventListener("submit", ev => {
    ev.preventDefault();
    const [data, problems] = collect();
    showErrors(problems);
    if (problems.length) return;
    const button = document.getElementById("submit");
    const bar = document.getElementById("upload-bar");
    const progress = document.getElementById("upload-progress");
    button.disabled = true;
    progress.hidden = false;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/assessments");
    xhr.upload.addEventListener("progress", e => { if (e.lengthComputable) bar.value = e.loaded / e.total; });
    xhr.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {detail: xhr.responseText}; }
      if (xhr.status === 202 || xhr.status === 200 || xhr.status === 201) {
        location.assign(body.page_url || `/assessments/${body.assessment_id}`);
        return;
      }
      const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
      const file = data.get("file");
      const calibration = data.get("calibration");
      // A calibration's fault is not the videos' ("The videos was refused: calib.toml: ...")
      const blamed = calibration && detail.startsWith(`${calibration.name}: `) ? calibration : file;
      const what = blamed === calibration ? `The calibration "${calibration.name}"`
        : data.getAll("file").length > 1 ? "The take" : file ? `"${file.name}"` : "The worksheet";
      const why = blamed && detail.startsWith(`${blamed.name}: `) ? detail.slice(blamed.name.length + 2) : detail;
      // An advanced option's fault is not the file's ('"photo.jpg" was refused: options:
      // unknown option ...' blamed a good photo).
      showErrors([/^options?\b/.test(detail)
        ? `Advanced options: ${detail.replace(/^options: /, "")}.`.replace(/\.\.$/, ".")
        : `${what} was refused: ${why}.`.replace(/\.\.$/, ".")]);
      button.disabled = false;
      progress.hidden = true;
      // The button was disabled while it had the focus, which fell to the page: a keyboard
      // user's next Tab went past the whole form. The message takes it (and is read out).
      errors.focus();
    });
    xhr.addEventListener("error", () => {
      showErrors(["The upload failed: the server could not be reached."]);
      button.disabled = false;
      progress.hidden = true;
      errors.focus();
    });
    xhr.send(data);
  });
  showParts();
})();
