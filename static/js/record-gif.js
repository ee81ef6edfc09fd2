// GIF frames with gifenc (static/vendor/gifenc, MIT). One palette for the whole clip, made
// from the first frame plus the runs' and the text's exact colours (so a legend swatch is the
// run's colour, not its nearest neighbour on the map), and every later frame stores only the
// pixels that changed (the rest is the transparent index over the previous frame): the map is
// stored once, so a 1280×720 clip stays small and each frame encodes in a few ms.
// Colours are mapped through a table of all 2^24 colours, filled as they appear: gifenc's own
// applyPalette caches by 16-bit colour, so which of two close colours it picks for a bucket
// depends on the order pixels arrive, and an unchanged pixel could change index frame to frame.
import { GIFEncoder, nearestColorIndex, quantize } from "../vendor/gifenc/gifenc.esm.js";
import { PALETTE } from "./state.js";
import { INK, PAPER } from "./record-frame.js";

const TRANSPARENT = 255; // the palette's last slot: "keep the previous frame's pixel"
const KEEP = 1; // GIF disposal method 1: leave the frame in place for the next to draw over

function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export class GifWriter {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.gif = GIFEncoder();
    this.palette = null;
    this.previous = null;
    this.frames = 0;
  }

  /** Palette indices of RGBA pixels, each colour's nearest palette colour (exact if there). */
  indices(rgba) {
    const pixels = new Uint32Array(rgba.buffer, rgba.byteOffset, rgba.length / 4);
    const table = this.table;
    const out = new Uint8Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) {
      const c = pixels[i] & 0xffffff; // little-endian RGBA: 0xAABBGGRR, alpha dropped
      let index = table[c];
      if (index === TRANSPARENT) {
        index = nearestColorIndex(this.colours, [c & 255, (c >> 8) & 255, c >> 16]);
        table[c] = index;
      }
      out[i] = index;
    }
    return out;
  }

  /** Add a frame (RGBA pixels of width × height) shown for `delayMs`. */
  add(rgba, delayMs) {
    const { width, height } = this;
    if (!this.palette) {
      const exact = [...PALETTE, INK, PAPER].map(rgb);
      const palette = quantize(rgba, TRANSPARENT - exact.length).concat(exact);
      while (palette.length < TRANSPARENT) palette.push([0, 0, 0]);
      palette.push([0, 0, 0]); // the transparent slot, never a colour of the picture
      this.palette = palette;
      this.colours = palette.slice(0, TRANSPARENT); // what a pixel may be mapped to
      this.table = new Uint8Array(1 << 24).fill(TRANSPARENT); // 16 MB: colour -> index, or unknown
      const index = this.indices(rgba);
      this.gif.writeFrame(index, width, height, { palette, delay: delayMs, repeat: 0, dispose: KEEP });
      this.previous = index;
    } else {
      const index = this.indices(rgba);
      const previous = this.previous;
      for (let i = 0; i < index.length; i++) {
        if (index[i] === previous[i]) index[i] = TRANSPARENT;
        else previous[i] = index[i];
      }
      this.gif.writeFrame(index, width, height, {
        delay: delayMs, transparent: true, transparentIndex: TRANSPARENT, dispose: KEEP,
      });
    }
    this.frames += 1;
  }

  /** The finished file. */
  blob() {
    this.gif.finish();
    return new Blob([this.gif.bytesView()], { type: "image/gif" });
  }
}
