// A store driven by a declared schema of its keys (as TensorFlow Playground's State.PROPS
// drives its URL): each key names a type, and the type's codec turns the value into link
// text and back. No key has hand-written URL code, so a new key cannot be forgotten by the
// link, and a boolean is written as a boolean (a hand-written "1" once came back a number).

export function urlNumber(value) {
  return String(+Number(value).toPrecision(8));
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);
const INVALID = Symbol("invalid");

function finite(n) {
  return Number.isFinite(n) ? n : INVALID;
}

/** type -> {encode(value, prop): text, decode(text, prop): value | INVALID}. */
export const CODECS = {
  number: { encode: urlNumber, decode: (t) => (t.trim() === "" ? INVALID : finite(Number(t))) },
  int: { encode: (v) => String(v), decode: (t) => (/^\s*-?\d+\s*$/.test(t) ? Number(t) : INVALID) },
  bool: {
    encode: (v) => (v ? "true" : "false"),
    decode: (t) => (TRUE.has(t.toLowerCase()) ? true : FALSE.has(t.toLowerCase()) ? false : INVALID),
  },
  string: { encode: String, decode: (t) => t.trim() || INVALID },
  enum: {
    encode: String,
    decode: (t, p) => {
      const v = p.values.find((x) => String(x) === t.trim());
      return v === undefined ? INVALID : v;
    },
  },
  numbers: {
    encode: (v) => v.map(urlNumber).join(","),
    decode: (t) => {
      const xs = t.split(",").map((s) => (s.trim() === "" ? NaN : Number(s)));
      return xs.length && xs.every(Number.isFinite) ? xs : INVALID;
    },
  },
  set: {
    encode: (v) => [...v].join(","),
    decode: (t) => new Set(t.split(",").map((s) => s.trim()).filter(Boolean)),
  },
};

function same(a, b) {
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((x) => b.has(x));
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function copy(value) {
  if (value instanceof Set) return new Set(value);
  if (Array.isArray(value)) return value.map(copy);
  return value;
}

// Commas, colons, pipes … stay readable in a shared link.
function keep(text) {
  return encodeURIComponent(text).replace(/%2C/g, ",").replace(/%3B/g, ";").replace(/%3A/g, ":").replace(/%7C/g, "|").replace(/%3D/g, "=");
}

/**
 * props: [{key, type, default, url?: query name (default key), values? (enum),
 *          codec?: {encode, decode} (a type of its own), check?: (value) => bool,
 *          include?: (state) => bool (written only when true), always?: bool}]
 */
export function createStore(props) {
  const state = {};
  const byUrl = new Map(props.map((p) => [p.url || p.key, p]));
  const listeners = [];
  const codecOf = (p) => p.codec || CODECS[p.type];
  for (const p of props) state[p.key] = copy(p.default);

  function toQuery(s = state) {
    const q = [];
    for (const p of props) {
      const value = s[p.key];
      if (p.include && !p.include(s)) continue;
      if (value === null || value === undefined) continue;
      if (!p.always && same(value, p.default)) continue;
      if (value instanceof Set && !value.size) continue;
      q.push(`${p.url || p.key}=${keep(codecOf(p).encode(value, p))}`);
    }
    return q.join("&");
  }

  /** Reset to the defaults, then read `search`. Returns the query names it could not read. */
  function fromQuery(search) {
    const q = new URLSearchParams(search);
    const problems = [];
    for (const p of props) state[p.key] = copy(p.default);
    for (const [name, text] of q) {
      const p = byUrl.get(name);
      if (!p) continue; // links from newer pages may carry keys this one does not know
      if (text.trim() === "" && p.type !== "set") continue;
      const value = codecOf(p).decode(text, p);
      if (value === INVALID || (p.check && !p.check(value))) problems.push(name);
      else state[p.key] = value;
    }
    return problems;
  }

  function writeUrl() {
    const query = toQuery();
    if (location.search.slice(1) !== query) history.replaceState(null, "", `${location.pathname}?${query}`);
  }

  /** Set every key of `patch`, write the URL once, then tell whoever watches a changed key. */
  function update(patch, { silent = false } = {}) {
    const changed = new Set();
    for (const [key, value] of Object.entries(patch)) {
      if (!same(state[key], value)) changed.add(key);
      state[key] = value;
    }
    writeUrl();
    if (!silent) notify(changed);
    return changed;
  }

  function notify(changed) {
    if (!changed.size) return;
    for (const { keys, fn } of listeners) {
      if (!keys || keys.some((k) => changed.has(k))) fn(state, changed);
    }
  }

  /** A value was edited in place (a run's parameter): write the URL and tell its watchers. */
  function touch(...keys) {
    writeUrl();
    notify(new Set(keys));
  }

  /** Call fn(state, changedKeys) after every update touching one of `keys` (null: any). */
  function subscribe(keys, fn) {
    listeners.push({ keys, fn });
  }

  // Events that are not state (an animation frame, a race, a surface): the session and the
  // landscape announce them, and each panel listens for what it draws, so none is called by
  // name. emit() returns true if some listener returned true ("I showed it").
  const events = new Map();
  function on(event, fn) {
    if (!events.has(event)) events.set(event, []);
    events.get(event).push(fn);
  }
  function emit(event, ...args) {
    let handled = false;
    for (const fn of events.get(event) || []) handled = fn(...args) === true || handled;
    return handled;
  }
  /** emit() for a question: every listener's answer (a value or a promise), in order. */
  function ask(event, ...args) {
    return (events.get(event) || []).map((fn) => fn(...args));
  }
  /** ask() and wait: the first answer that is not null/undefined, or null (nobody answered). */
  async function request(event, ...args) {
    const answers = await Promise.all(ask(event, ...args));
    return answers.find((a) => a !== null && a !== undefined) ?? null;
  }

  return { state, props, toQuery, fromQuery, writeUrl, update, touch, subscribe, on, emit, ask, request };
}

export { INVALID };
