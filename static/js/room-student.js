// A student's page in class mode: join (optional nickname), pick an optimizer within the
// teacher's ranges, tap the landscape to start a run there. Runs also appear, live, on the
// teacher's projector (room-projector.js).
import { eventToData } from "./pick.js";
import { RoomSocket, describe, item, redraw, runTraces, setStatus, showLandscape } from "./room-live.js";

const $ = (id) => document.getElementById(id);
const code = document.body.dataset.code;
const gd = $("landscape");
const saved = `descent-room-${code}`;
const page = { room: null, view: null, runs: [], you: null, revision: 0, socket: null, ended: false };

function defaultValue(name, lo, hi) {
  const torch = { lr: 0.01, momentum: 0.9 }[name];
  if (torch !== undefined && torch >= lo && torch <= hi) return torch;
  return name === "lr" ? +Math.sqrt(lo * hi || hi).toPrecision(2) : lo;
}

function showChoices(room) {
  const select = $("optimizer");
  const current = select.value;
  select.replaceChildren(...room.optimizers.map((o) => new Option(o.name, o.name)));
  if (room.optimizers.some((o) => o.name === current)) select.value = current;
  showParams();
}

function showParams() {
  const rule = page.room.optimizers.find((o) => o.name === $("optimizer").value);
  const box = $("params");
  box.replaceChildren();
  for (const [name, [lo, hi]] of Object.entries(rule ? rule.ranges : {})) {
    const label = document.createElement("label");
    label.htmlFor = `param-${name}`;
    label.textContent = `${name} (${lo} – ${hi})`;
    const input = document.createElement("input");
    Object.assign(input, { id: `param-${name}`, type: "number", min: lo, max: hi, step: "any", value: defaultValue(name, lo, hi) });
    input.dataset.param = name;
    input.inputMode = "decimal";
    box.append(label, input);
  }
}

function chosenOptimizer() {
  const optimizer = { name: $("optimizer").value };
  for (const input of $("params").querySelectorAll("input")) optimizer[input.dataset.param] = Number(input.value);
  return optimizer;
}

function hint(text) {
  $("room-hint").textContent = text;
}

function redrawRuns() {
  return redraw(gd, page.view, page.runs.flatMap((run) => runTraces(run, { width: 3, label: describe(run) })));
}

function showRuns() {
  $("my-runs").replaceChildren(...page.runs.slice().reverse().map((run) => item(describe(run))));
  return redrawRuns();
}

async function showRoom(room, cleared) {
  const landscapeChanged = !page.room || room.revision !== page.revision;
  page.room = room;
  page.revision = room.revision;
  showChoices(room);
  if (cleared) page.runs = [];
  setStatus(room.locked ? "The teacher has paused the runs" : `Class ${room.code}: tap the landscape to start a run`);
  if (landscapeChanged) page.view = await showLandscape(gd, room);
  await showRuns();
  document.body.dataset.revision = String(room.revision);
}

function end(text) {
  page.ended = true;
  setStatus(text);
  hint(text);
  $("student-form").querySelectorAll("input, select, button").forEach((el) => (el.disabled = true));
}

function onMessage(message) {
  switch (message.type) {
    case "welcome":
      document.body.dataset.welcomes = String(Number(document.body.dataset.welcomes || 0) + 1);
      page.you = message.you;
      sessionStorage.setItem(saved, JSON.stringify(message.you));
      $("nickname").value = message.you.nickname;
      $("nickname").disabled = true;
      $("join").hidden = true;
      page.runs = message.runs;
      showRoom(message.room, false);
      break;
    case "state":
      showRoom(message.room, message.cleared);
      break;
    case "run":
      page.runs.push(message.run);
      hint(describe(message.run));
      showRuns();
      break;
    case "error":
      hint(message.detail);
      if (["removed", "closed", "full", "code", "rate"].includes(message.field) && !page.you) setStatus(message.detail);
      if (message.field === "removed") end("The teacher removed you from this room");
      break;
    case "removed":
      end("The teacher removed you from this room");
      page.socket.stop();
      break;
    case "closed":
      end("The teacher closed this room");
      page.socket.stop();
      break;
  }
}

function join() {
  if (page.socket) return;
  const resume = JSON.parse(sessionStorage.getItem(saved) || "null");
  page.socket = new RoomSocket(code, () => {
    const hello = { type: "hello", role: "student", nickname: $("nickname").value };
    const you = page.you || resume;
    if (you) hello.resume = { id: you.id, secret: you.secret };
    return hello;
  }, onMessage);
  setStatus("Joining…");
  page.socket.connect();
}

let lastTap = -Infinity;
gd.addEventListener("click", (event) => {
  if (!page.you || page.ended) return;
  // On touch screens Plotly's drag layer sends a click of its own after the browser's.
  const start = eventToData(gd, event);
  if (!start || !start.every(Number.isFinite) || event.timeStamp - lastTap < 300) return;
  lastTap = event.timeStamp;
  if (!page.socket.send({ type: "run", start, optimizer: chosenOptimizer() })) hint("Not connected: reconnecting…");
  else hint("Running…");
});
$("optimizer").addEventListener("change", showParams);
$("student-form").addEventListener("submit", (event) => {
  event.preventDefault();
  join();
});
window.descentRoom = page;
if (sessionStorage.getItem(saved)) join();
else setStatus(`Class ${code}: choose a nickname (optional) and join`);
