// The teacher's projector in class mode: every student's trail as it arrives, end points
// coloured by basin, the leaderboard, counts per optimizer, the basins map on demand, and
// the teacher's controls. The teacher token comes from the URL fragment (never sent in a
// request line, so never in a log) and is sent on the socket only.
import { getFunctions, postJson } from "./api.js";
import { RoomSocket, describe, item, redraw, roomTraces, setStatus, showLandscape } from "./room-live.js";

const $ = (id) => document.getElementById(id);
const code = document.body.dataset.code;
const gd = $("landscape");
const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
const page = { room: null, view: null, runs: [], basins: null, revision: 0, socket: null };

function label(run) {
  return `${run.nickname || run.participant}: ${describe(run)}`;
}

function traces() {
  return [...(page.basins ? [page.basins] : []), ...roomTraces(page.runs, label)];
}

// At most one redraw per animation frame, however fast the runs arrive.
let pending = null;
function draw() {
  if (!pending) {
    pending = new Promise((resolve) => requestAnimationFrame(resolve)).then(async () => {
      pending = null;
      const shown = page.runs.length;
      await redraw(gd, page.view, traces());
      document.body.dataset.trails = String(shown);
    });
  }
  return pending;
}

function showBoard(board, counts) {
  $("board").replaceChildren(...board.map((run) => item(label(run))));
  $("counts").replaceChildren(...Object.entries(counts).map(([name, n]) => item(`${name}: ${n}`)));
  $("run-count").textContent = String(page.runs.length);
}

function showPeople(people) {
  $("people-count").textContent = String(people.length);
  $("participants").replaceChildren(...people.map((p) => {
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.className = "room-remove";
    remove.dataset.participant = p.id;
    remove.setAttribute("aria-label", `Remove ${p.nickname}`);
    remove.addEventListener("click", () => control({ type: "remove", participant: p.id }));
    return item(`${p.nickname} `, remove);
  }));
}

async function showRoom(message) {
  const room = message.room;
  const changed = !page.room || room.revision !== page.revision;
  const newLandscape = Boolean(page.room) && room.revision !== page.revision;
  page.room = room;
  page.revision = room.revision;
  if (message.cleared || newLandscape) {
    page.runs = [];
    page.basins = null;
    $("reveal").setAttribute("aria-pressed", "false");
  }
  $("lock").textContent = room.locked ? "Unlock runs" : "Lock runs";
  $("lock").setAttribute("aria-pressed", String(room.locked));
  const choice = $("landscape-choice");
  if (typeof room.function === "string") {
    if (![...choice.options].some((o) => o.value === room.function)) choice.add(new Option(room.function, room.function));
    choice.value = room.function;
  }
  setStatus(`Class ${room.code}: ${room.open ? "open" : "closed to new students"}${room.locked ? ", runs locked" : ""}`);
  if (message.participants) showPeople(message.participants);
  if (message.board) showBoard(message.board, message.counts);
  if (changed) page.view = await showLandscape(gd, room);
  await draw();
  document.body.dataset.revision = String(room.revision);
}

function onMessage(message) {
  switch (message.type) {
    case "welcome":
      page.runs = message.runs;
      showRoom(message);
      break;
    case "state":
      showRoom(message);
      break;
    case "joined":
      showPeople(message.participants);
      break;
    case "runs": // the runs recorded together (one message per batch, not per run)
      page.runs.push(...message.runs);
      showBoard(message.board, message.counts);
      draw();
      break;
    case "error":
      setStatus(message.detail);
      break;
    case "closed":
      setStatus("This room is closed");
      page.socket.stop();
      break;
  }
}

function control(message) {
  page.socket.send({ ...message, token });
}

async function reveal() {
  const button = $("reveal");
  if (page.basins) {
    page.basins = null;
    button.setAttribute("aria-pressed", "false");
    return draw();
  }
  const room = page.room;
  const rule = room.optimizers[0];
  const optimizer = { name: rule.name };
  if (rule.ranges.lr) optimizer.lr = +Math.sqrt(rule.ranges.lr[0] * rule.ranges.lr[1] || rule.ranges.lr[1]).toPrecision(2);
  button.disabled = true;
  try {
    const map = await postJson("/basins", { function: room.function, optimizer, steps: room.steps, tol: 1e-6, resolution: 60 });
    page.basins = {
      // A contour coloured as a heatmap: Plotly draws heatmaps under every contour trace.
      type: "contour", x: map.x, y: map.y, z: map.labels.map((row) => row.map((v) => (v < 0 ? null : v))),
      contours: { coloring: "heatmap", showlines: false }, line: { width: 0 },
      opacity: 0.4, showscale: false, hoverinfo: "skip", colorscale: "Portland", name: "basins",
    };
    await draw();
    button.setAttribute("aria-pressed", "true");
    setStatus(`Basins of ${describe({ optimizer, final_loss: null, steps_taken: room.steps }).split(" →")[0]}`);
  } catch (error) {
    setStatus(String(error.message || error));
  } finally {
    button.disabled = false;
  }
}

async function fillLandscapes() {
  const choice = $("landscape-choice");
  const current = choice.value;
  const functions = (await getFunctions()).filter((f) => f.dims === 2 && !f.data);
  choice.replaceChildren(...functions.map((f) => new Option(f.title, f.id)));
  if (current) choice.value = current;
}

$("reveal").addEventListener("click", reveal);
$("lock").addEventListener("click", () => control({ type: "settings", settings: { locked: !page.room.locked } }));
$("clear").addEventListener("click", () => control({ type: "clear" }));
$("close-room").addEventListener("click", () => control({ type: "close" }));
$("landscape-choice").addEventListener("change", (e) => control({ type: "settings", settings: { function: e.target.value } }));
$("room-qr").src = `/api/v1/rooms/${encodeURIComponent(code)}/qr.svg`;
$("join-url").textContent = `${location.origin}/rooms/${code}`;
window.descentRoom = page;
fillLandscapes().then(() => {
  page.socket = new RoomSocket(code, () => ({ type: "hello", role: "teacher", token }), onMessage);
  page.socket.connect();
});
