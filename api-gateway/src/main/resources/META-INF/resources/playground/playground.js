// The playground: a thin client of this gateway's /v1 API, signed in with a client key. No framework, no build step.
"use strict";
const KEY = "genq-playground-key";
const state = { key: sessionStorage.getItem(KEY), models: [], job: null, stream: null, cursor: null, galleryAsked: 0 };
const $ = (id) => document.getElementById(id);
const TERMINAL = ["succeeded", "failed", "canceled", "rejected"];

/** A problem+json answer as an Error: status, code, detail and the invalid fields. */
class ProblemError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || "HTTP " + status);
    this.status = status;
    this.code = problem.code || "http_" + status;
    this.errors = problem.errors || [];
  }
}

async function api(method, path, body, extraHeaders) {
  const headers = Object.assign({ Authorization: "Bearer " + state.key }, extraHeaders || {});
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return null;
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new ProblemError(res.status, json);
  return json;
}

/** Shows an API problem as the API gave it (status, stable code, detail, each invalid field); null clears it. */
function showProblem(e) {
  const box = $("problem");
  box.replaceChildren();
  box.hidden = !e;
  if (!e) return;
  if (!(e instanceof ProblemError)) {
    box.textContent = "Could not reach the gateway: " + e.message;
    return;
  }
  const head = document.createElement("p");
  const code = document.createElement("code");
  code.textContent = e.code;
  head.append(e.status + " ", code, " — " + e.message);
  box.append(head);
  if (e.errors.length > 1) {
    const list = document.createElement("ul");
    e.errors.forEach((f) => {
      const li = document.createElement("li");
      li.textContent = f.field + ": " + f.message + " (" + f.code + ")";
      list.append(li);
    });
    box.append(list);
  }
}

function signedIn(on) {
  $("sign-in").hidden = on;
  $("studio").hidden = !on;
  $("sign-out").hidden = !on;
}

async function start() {
  try {
    state.models = (await api("GET", "/v1/models")).data.filter((m) => m.kind === "text-to-image");
    fillModels();
    signedIn(true);
    showProblem(null);
    await loadGallery(false);
    $("prompt").focus();
  } catch (e) {
    if (e.status === 401 || e.status === 403) signOut();
    showProblem(e);
  }
}

function signOut() {
  sessionStorage.removeItem(KEY);
  state.key = null;
  closeStream();
  signedIn(false);
  $("key").focus();
}

function fillModels() {
  const select = $("model");
  select.replaceChildren();
  state.models.forEach((m) => {
    const o = document.createElement("option");
    o.value = m.name;
    o.textContent = m.name + " " + (m.stable_version || m.latest_version);
    o.selected = m.is_default;
    select.append(o);
  });
  modelChanged();
}

/** Defaults and limits of the chosen model (its latest version: the one a submit is validated against). */
function modelChanged() {
  const m = state.models.find((x) => x.name === $("model").value);
  if (!m) return;
  const v = m.versions.find((x) => x.version === m.latest_version) || m.versions[0];
  $("steps").value = v.default_steps;
  $("guidance").value = v.default_guidance_scale;
  $("samples").max = m.max_samples;
  // the sizes every served version draws, native square first (the default: sent as no width/height)
  const sizes = m.sizes && m.sizes.length ? m.sizes : [v.resolution + "x" + v.resolution];
  $("size").replaceChildren(...sizes.map((s, i) => {
    const o = document.createElement("option");
    o.value = i === 0 ? "" : s;
    o.textContent = s.replace("x", "×") + (i === 0 ? " (native)" : "");
    return o;
  }));
  const cost = m.cost_per_sample_step_usd;
  $("model-hint").textContent = "steps " + v.min_steps + "–" + v.max_steps
      + ", guidance up to " + m.max_guidance_scale + ", " + usd(cost.base) + " per sample-step"
      + (Number(cost.base_per_step) > 0 ? " + " + usd(cost.base_per_step) + " per step" : "")
      + (cost.base_measured ? " (measured)" : " (configured)") + (v.license ? ", licence " + v.license : "");
}

function request() {
  const body = {
    prompt: $("prompt").value,
    mode: $("mode").value,
    model: $("model").value,
    num_samples: Number($("samples").value),
    steps: Number($("steps").value),
    guidance_scale: Number($("guidance").value),
  };
  if ($("negative-prompt").value.trim()) body.negative_prompt = $("negative-prompt").value;
  if ($("seed").value !== "") body.seed = Number($("seed").value);
  if ($("size").value) {
    const [w, h] = $("size").value.split("x").map(Number);
    body.width = w;
    body.height = h;
  }
  // about four live frames per sample; previews are moderated like the final images
  if ($("live").checked) body.preview_every = Math.max(1, Math.ceil(body.steps / 4));
  return body;
}

async function generate(ev) {
  ev.preventDefault();
  try {
    showProblem(null);
    const job = await api("POST", "/v1/jobs", request(), { "Idempotency-Key": crypto.randomUUID() });
    follow(job);
    loadGallery(false);
  } catch (e) {
    showProblem(e);
  }
}

async function estimate() {
  try {
    showProblem(null);
    const e = await api("POST", "/v1/jobs", Object.assign(request(), { dry_run: true }));
    const wait = e.estimated_queue_seconds != null ? ", starts in about " + Math.round(e.estimated_queue_seconds) + " s" : "";
    $("estimate-result").textContent = e.cache_hit ? "The result cache would answer this for $0. Nothing was created."
        : "Would cost about " + usd(e.estimated_cost_usd) + " (" + e.num_samples + " samples × " + e.billed_steps + " steps"
        + (e.upscale_steps ? " + " + e.upscale_steps + " upscale steps" : "") + ", " + (e.cost_measured ? "measured" : "configured")
        + " cost per step)" + (e.queue_position ? ", " + e.queue_position + (e.queue_position_at_least ? "+" : "")
        + " jobs ahead" : "") + wait + ". Nothing was created.";
  } catch (e) {
    showProblem(e);
  }
}

async function act(path, body) {
  try {
    showProblem(null);
    follow(await api("POST", path, body, { "Idempotency-Key": crypto.randomUUID() }));
    loadGallery(false);
  } catch (e) {
    showProblem(e);
  }
}

function closeStream() {
  if (state.stream) state.stream.abort();
  state.stream = null;
}

/** Shows a job and follows it on its event stream until it ends; previews replace their tile's image as they come. */
function follow(job) {
  closeStream();
  state.job = job;
  state.previews = {};
  render(job);
  if (TERMINAL.includes(job.status)) return;
  const controller = new AbortController();
  state.stream = controller;
  readStream(job.id, controller.signal).catch(() => {}).finally(() => {
    if (state.stream === controller) pollUntilDone(job.id, controller.signal);
  });
}

/** Server-Sent Events over fetch (EventSource cannot send the Authorization header). */
async function readStream(id, signal) {
  const res = await fetch("/v1/jobs/" + id + "/events", { headers: { Authorization: "Bearer " + state.key }, signal });
  if (!res.ok) throw new ProblemError(res.status, await res.json().catch(() => ({})));
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      block.split("\n").forEach((line) => {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (data.length && await onEvent(id, name, JSON.parse(data.join("\n")))) return;
    }
  }
}

/** Handles one event; true once the job ended (and was shown as it ended). */
async function onEvent(id, name, data) {
  if (!state.job || state.job.id !== id) return true;
  if (name === "preview") {
    state.previews[data.sample] = data;
    renderTiles(state.job);
  } else if (name === "queue") {
    $("job-status").textContent = "queued, " + data.position + " ahead"
        + (data.eta_seconds != null ? ", starts in about " + Math.round(data.eta_seconds) + " s" : "");
  } else if (name === "message") {
    state.job.status = data.status;
    state.job.progress = data.progress;
    renderStatus(state.job);
    if (TERMINAL.includes(data.status) || data.status === "needs_review") {
      await refreshJob(id);
      return TERMINAL.includes(data.status);
    }
  }
  return false;
}

/** The fallback when the stream is refused or drops: poll with a growing interval (1 s to 5 s) until the job ends. */
async function pollUntilDone(id, signal) {
  let delay = 1000;
  while (!signal.aborted && state.job && state.job.id === id && !TERMINAL.includes(state.job.status)) {
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(5000, delay * 1.5);
    await refreshJob(id);
  }
}

async function refreshJob(id) {
  try {
    const job = await api("GET", "/v1/jobs/" + id);
    if (state.job && state.job.id === id) {
      state.job = job;
      render(job);
    }
    if (TERMINAL.includes(job.status)) loadGallery(false);
  } catch (e) {
    showProblem(e);
  }
}

// three significant digits: a preview sample can cost a millionth of a dollar, and that still reads as a figure
const USD = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumSignificantDigits: 3 });
const usd = (x) => USD.format(Number(x));

function costPerSample(job) {
  const n = (job.samples || []).length || (job.params && job.params.num_samples) || 1;
  return job.cost ? usd(job.cost.usd / n) : "";
}

function render(job) {
  $("current").hidden = false;
  $("job-id").textContent = job.id;
  renderStatus(job);
  const cost = $("job-cost");
  cost.textContent = job.cost && TERMINAL.includes(job.status)
      ? "cost " + usd(job.cost.usd) + " (" + costPerSample(job) + " per sample)" : "";
  const lineage = $("job-lineage");
  lineage.replaceChildren();
  if (job.parent_id) {
    lineage.append((job.mode === "full" ? "upscale" : "variation") + " of ", jobLink(job.parent_id, job.parent_sample));
  }
  renderTiles(job);
}

function renderStatus(job) {
  const s = $("job-status");
  s.textContent = job.status + (job.error ? ": " + job.error.code + " — " + job.error.message : "")
      + (job.model_version ? " · " + job.model_version : "");
  s.className = "status-" + job.status;
  $("job-progress").value = job.progress || 0;
}

function jobLink(id, sample) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "link";
  b.textContent = id.slice(0, 8) + (sample != null ? " #" + sample : "");
  b.addEventListener("click", () => open(id));
  return b;
}

/** One tile per sample: the released image, else the latest live preview, else what moderation decided. */
function renderTiles(job) {
  const tiles = $("tiles");
  tiles.replaceChildren();
  const n = job.params ? job.params.num_samples : 0;
  const samples = {};
  (job.samples || []).forEach((s) => (samples[s.index] = s));
  for (let i = 0; i < n; i++) {
    const li = document.createElement("li");
    li.dataset.sample = i;
    const s = samples[i];
    const preview = state.previews && state.previews[i];
    if (s && s.url) {
      li.append(image(s.url, "sample " + i + " of " + job.params.prompt, s.width >= 128 ? "final large" : "final"));
    } else if (preview && preview.image && !TERMINAL.includes(job.status)) {
      li.append(image(preview.image, "live preview of sample " + i + ", step " + preview.step + " of " + preview.steps, "preview"));
    } else {
      const empty = document.createElement("div");
      empty.className = "empty";
      empty.textContent = s ? s.status.replace("_", " ") : preview && preview.status === "withheld" ? "preview withheld" : "…";
      li.append(empty);
    }
    const caption = document.createElement("span");
    caption.className = "hint";
    caption.textContent = "#" + i + (s ? " · seed " + s.seed + " · " + s.width + "×" + s.height
        + (s.cost ? " · " + usd(s.cost.usd) : "") + (s.cache_hit ? " · from cache" : "")
        : preview ? " · step " + preview.step + "/" + preview.steps : "");
    li.append(caption);
    if (s && s.url && job.mode === "preview" && job.status === "succeeded") {
      const actions = document.createElement("div");
      actions.className = "actions";
      actions.append(button("Upscale", "upscale", "Upscale sample " + i, () => act("/v1/jobs/" + job.id + "/upscale", { sample: i })),
          button("Vary", "vary", "Vary sample " + i, () => act("/v1/jobs/" + job.id + "/variations", { sample: i })));
      li.append(actions);
    }
    tiles.append(li);
  }
}

function image(src, alt, kind) {
  const img = document.createElement("img");
  img.src = src;
  img.alt = alt;
  img.className = kind;
  return img;
}

function button(text, cls, label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = cls;
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

async function open(id) {
  try {
    showProblem(null);
    follow(await api("GET", "/v1/jobs/" + id));
    $("current").scrollIntoView();
  } catch (e) {
    showProblem(e);
  }
}

/** The tenant's jobs, newest first; "More" follows the page's cursor. */
async function loadGallery(more) {
  const asked = ++state.galleryAsked;
  try {
    const page = await api("GET", "/v1/jobs?limit=10" + (more && state.cursor ? "&cursor=" + encodeURIComponent(state.cursor) : ""));
    if (asked !== state.galleryAsked) return; // a later reload was asked for: an older answer must not overwrite it
    const body = $("gallery").querySelector("tbody");
    if (!more) body.replaceChildren();
    page.data.forEach((job) => body.append(galleryRow(job)));
    state.cursor = page.next_cursor;
    $("more").hidden = !page.next_cursor;
  } catch (e) {
    showProblem(e);
  }
}

function galleryRow(job) {
  const tr = document.createElement("tr");
  tr.dataset.id = job.id;
  const cell = (text, cls) => {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    if (text instanceof Node) td.append(text); else td.textContent = text;
    tr.append(td);
    return td;
  };
  cell(new Date(job.timings.created_at).toLocaleTimeString());
  cell(job.params.prompt || "(deleted)", "prompt").title = job.params.prompt || "";
  cell(job.mode);
  cell(job.status, "status-" + job.status);
  const thumbs = cell("");
  (job.samples || []).filter((s) => s.url).forEach((s) => thumbs.append(image(s.url, "sample " + s.index, "thumb")));
  cell(TERMINAL.includes(job.status) ? costPerSample(job) : "");
  cell(job.parent_id ? jobLink(job.parent_id, job.parent_sample) : "");
  cell(button("Open", "open", "Open job " + job.id, () => open(job.id)));
  return tr;
}

$("sign-in").addEventListener("submit", (ev) => {
  ev.preventDefault();
  state.key = $("key").value.trim();
  sessionStorage.setItem(KEY, state.key);
  $("key").value = "";
  start();
});
$("sign-out").addEventListener("click", signOut);
$("generate").addEventListener("submit", generate);
$("estimate").addEventListener("click", estimate);
$("model").addEventListener("change", modelChanged);
$("refresh").addEventListener("click", () => loadGallery(false));
$("more").addEventListener("click", () => loadGallery(true));
if (state.key) start(); else $("key").focus();
