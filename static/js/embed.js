// Embed mode (?embed=1), for slides and course pages in an <iframe>: the landscape, the
// transport and the loss curve only, filling the frame. The class goes on <body> as this
// module loads, before the first draw, so the plots are sized for the frame from the start.
import { CODECS } from "./store.js";
import { shareUrl, state, store } from "./state.js";

function fromLink() {
  const raw = new URLSearchParams(location.search).get("embed");
  return raw !== null && CODECS.bool.decode(raw) === true;
}

export function applyEmbed(on) {
  document.body.classList.toggle("embed", on);
  const link = document.getElementById("embed-open");
  link.hidden = !on;
  link.href = fullPage();
  window.dispatchEvent(new Event("resize")); // Plotly's responsive plots refit
}

/** This race on the full page, in a new tab: the current link without embed. */
function fullPage() {
  const url = new URL(shareUrl());
  url.searchParams.delete("embed");
  return url.href;
}

document.getElementById("embed-open").addEventListener("click", (event) => (event.currentTarget.href = fullPage()));
applyEmbed(fromLink());
store.subscribe(["embed"], () => applyEmbed(state.embed));
