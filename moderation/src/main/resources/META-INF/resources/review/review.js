// The review page: a thin client of /v1/reviews on this service. No framework, no build step.
"use strict";
const state = { key: sessionStorage.getItem("genq-review-key"), items: [], selected: 0 };
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: Object.assign({ Authorization: "Bearer " + state.key }, body ? { "Content-Type": "application/json" } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(json.detail || res.statusText);
    err.status = res.status;
    err.code = json.code;
    throw err;
  }
  return json;
}

function say(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

function showSignedIn(on) {
  $("sign-in").hidden = on;
  $("queue-view").hidden = !on;
  $("sign-out").hidden = !on;
}

async function load() {
  try {
    const concept = $("concept").value.trim();
    const page = await api("GET", "/v1/reviews" + (concept ? "?concept=" + encodeURIComponent(concept) : ""));
    state.items = page.data;
    state.selected = Math.min(state.selected, Math.max(0, state.items.length - 1));
    render();
    say(state.items.length + " pending");
    showSignedIn(true);
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      sessionStorage.removeItem("genq-review-key");
      state.key = null;
      showSignedIn(false);
    }
    say(e.message, true);
  }
}

function render() {
  const body = $("queue").querySelector("tbody");
  body.replaceChildren();
  state.items.forEach((item, i) => {
    const tr = document.createElement("tr");
    tr.dataset.id = item.id;
    tr.className = i === state.selected ? "selected" : "";
    const img = document.createElement("img");
    img.className = "thumb";
    img.alt = "sample " + item.sample + " of job " + item.job_id;
    if (item.thumbnail_url) img.src = item.thumbnail_url;
    const cells = [img, item.prompt || "", item.concepts.join(", "),
      Object.entries(item.scores || {}).map(([k, v]) => k + " " + v.toFixed(2)).join(", "),
      qualityText(item.quality),
      new Date(item.created_at).toLocaleString(), item.claimed_by ? "claimed by " + item.claimed_by : ""];
    for (const c of cells) {
      const td = document.createElement("td");
      if (typeof c === "string") td.textContent = c; else td.appendChild(c);
      tr.appendChild(td);
    }
    const actions = document.createElement("td");
    for (const [label, fn] of [["Claim", claim], ["Approve", () => decide("approve")], ["Reject", () => decide("reject")]]) {
      const b = document.createElement("button");
      b.textContent = label;
      b.className = label.toLowerCase();
      b.addEventListener("click", () => { state.selected = i; fn(); });
      actions.appendChild(b);
    }
    tr.appendChild(actions);
    tr.addEventListener("click", () => { state.selected = i; render(); history(); });
    body.appendChild(tr);
  });
}

// moderation's quality verdict beside the safety scores: a picture at all, and how well it shows its prompt
function qualityText(q) {
  if (!q) return "";
  const score = q.score == null ? "" : " · adherence " + q.score.toFixed(2) + " (passes at " + q.threshold.toFixed(2) + ")";
  return (q.passed ? "passed" : q.reasons.map(r => r.replace("_", " ")).join(", ")) + score;
}

function current() {
  return state.items[state.selected];
}

async function history() {
  const item = current();
  if (!item) { $("detail").hidden = true; return; }
  const full = await api("GET", "/v1/reviews/" + item.id);
  const list = $("history");
  list.replaceChildren();
  for (const h of full.history) {
    const li = document.createElement("li");
    li.textContent = new Date(h.at).toLocaleString() + " — " + h.actor + " " + h.action + (h.note ? ": " + h.note : "");
    list.appendChild(li);
  }
  $("detail").hidden = false;
}

async function claim() {
  const item = current();
  if (!item) return;
  try {
    await api("POST", "/v1/reviews/" + item.id + "/claim");
    say("claimed");
    await load();
    await history();
  } catch (e) {
    say(e.message, true);
  }
}

async function decide(decision) {
  const item = current();
  if (!item) return;
  try {
    await api("POST", "/v1/reviews/" + item.id + "/decision", { decision, note: $("note").value || null });
    $("note").value = "";
    say(decision === "approve" ? "approved: released" : "rejected: removed");
    await load();
  } catch (e) {
    say(e.message, true);
  }
}

$("sign-in").addEventListener("submit", (ev) => {
  ev.preventDefault();
  state.key = $("key").value.trim();
  sessionStorage.setItem("genq-review-key", state.key);
  load();
});
$("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem("genq-review-key");
  state.key = null;
  showSignedIn(false);
});
$("refresh").addEventListener("click", load);
$("concept").addEventListener("change", load);
document.addEventListener("keydown", (ev) => {
  if (!state.key || ev.target.tagName === "INPUT") return;
  const keys = {
    j: () => { state.selected = Math.min(state.selected + 1, state.items.length - 1); render(); history(); },
    k: () => { state.selected = Math.max(state.selected - 1, 0); render(); history(); },
    c: claim, a: () => decide("approve"), r: () => decide("reject"), u: load,
  };
  if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
});
if (state.key) load(); else showSignedIn(false);
