// What the annotation overlay draws over the frame, given everything it depends on: no Vue, no DOM
// lookups, so a test can paint onto a fake context and read back what was drawn.

import type { BoxGeometry } from '../../../shared/annotations';
import type { BoxPrediction } from '../../../shared/review';
import type { Theme } from '../theme';
import { HANDLES, handlePoint } from './geometry';
import { placeTags, type PlacedTag, type Tag } from './tag-layout';

/** The part of a 2D context the overlay uses. */
export interface OverlayContext {
  lineWidth: number;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  fillStyle: string | CanvasGradient | CanvasPattern;
  font: string;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  clearRect(x: number, y: number, width: number, height: number): void;
  strokeRect(x: number, y: number, width: number, height: number): void;
  fillRect(x: number, y: number, width: number, height: number): void;
  fillText(text: string, x: number, y: number): void;
  measureText(text: string): { width: number };
  setLineDash(segments: number[]): void;
}

/** Video pixels to canvas pixels: `scale` CSS pixels per video pixel, the frame's corner at (x, y) CSS pixels, `ratio` device pixels per CSS pixel. */
export interface ViewTransform {
  scale: number;
  x: number;
  y: number;
  ratio: number;
}

/** What the chosen run's model says of a box, and the second run's when comparing. */
export interface ModelOpinion {
  mine: BoxPrediction;
  other: BoxPrediction | null;
  /** The model's label differs from the box's. */
  disagrees: boolean;
}

export interface OverlayBox {
  trackId: number;
  label: string;
  occluded: boolean;
  /** Where it is drawn: the box, or the draft that follows the pointer while it is moved or resized. */
  geometry: BoxGeometry;
  /** Null when the model's labels are hidden or the box has no prediction. */
  model: ModelOpinion | null;
  /** A people detector's draft covers this frame and has no box on this person. */
  notFound?: boolean;
}

export interface Overlay {
  /** In drawing order: the last is on top. */
  boxes: OverlayBox[];
  selectedTrackId: number | null;
  /** A new box being drawn. */
  drawing: BoxGeometry | null;
  /** People a detector proposed that are not among the labels yet (see DraftPanel). */
  drafts: Array<{ id: number; geometry: BoxGeometry }>;
  labelColour(label: string): string;
  theme: Pick<Theme, 'highlight' | 'tagText' | 'tagBackdrop' | 'modelDisagrees'>;
}

/** Clears the canvas (`width` × `height` device pixels) and draws the overlay through `view`. */
export function paintOverlay(context: OverlayContext, width: number, height: number, view: ViewTransform, overlay: Overlay): void {
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.clearRect(0, 0, width, height);
  const k = view.scale * view.ratio;
  context.setTransform(k, 0, 0, k, view.x * view.ratio, view.y * view.ratio);
  // One CSS pixel in video pixels: lines and text keep their on-screen size at any zoom.
  const px = 1 / view.scale;
  paintDrafts(context, overlay, px);
  for (const box of overlay.boxes) paintBox(context, box, box.trackId === overlay.selectedTrackId, px, overlay);
  paintTags(context, overlay, px);
  if (overlay.drawing) {
    context.strokeStyle = overlay.theme.highlight;
    context.lineWidth = 1.5 * px;
    context.setLineDash([4 * px, 3 * px]);
    strokeBox(context, overlay.drawing);
    context.setLineDash([]);
  }
}

function paintBox(context: OverlayContext, box: OverlayBox, selected: boolean, px: number, overlay: Overlay): void {
  const shown = box.geometry;
  context.lineWidth = (selected ? 3 : 2) * px;
  context.strokeStyle = overlay.labelColour(box.label);
  // Occluded boxes are dashed: the colour is never the only cue.
  context.setLineDash(box.occluded ? [6 * px, 4 * px] : []);
  strokeBox(context, shown);
  context.setLineDash([]);
  // Where the model disagrees with the label, a dashed outline in the disagreement colour.
  if (box.model?.disagrees) {
    context.strokeStyle = overlay.theme.modelDisagrees;
    context.lineWidth = 2 * px;
    context.setLineDash([5 * px, 3 * px]);
    context.strokeRect(shown.xtl - 4 * px, shown.ytl - 4 * px, shown.xbr - shown.xtl + 8 * px, shown.ybr - shown.ytl + 8 * px);
    context.setLineDash([]);
  }
  // Where the detector found no one, a dotted outline in the draft's colour.
  if (box.notFound) {
    context.strokeStyle = overlay.theme.highlight;
    context.lineWidth = 1.5 * px;
    context.setLineDash([2 * px, 3 * px]);
    context.strokeRect(shown.xtl - 7 * px, shown.ytl - 7 * px, shown.xbr - shown.xtl + 14 * px, shown.ybr - shown.ytl + 14 * px);
    context.setLineDash([]);
  }
  if (selected) {
    context.fillStyle = overlay.theme.highlight;
    for (const handle of HANDLES) {
      const at = handlePoint(shown, handle);
      context.fillRect(at.x - 3 * px, at.y - 3 * px, 6 * px, 6 * px);
    }
  }
}

/** Proposed people: dotted, in the highlight colour, named inside their box (under the labelled boxes and their tags). */
function paintDrafts(context: OverlayContext, overlay: Overlay, px: number): void {
  context.strokeStyle = overlay.theme.highlight;
  context.fillStyle = overlay.theme.highlight;
  context.lineWidth = 1.5 * px;
  context.font = `${11 * px}px system-ui, sans-serif`;
  context.setLineDash([2 * px, 3 * px]);
  for (const { id, geometry } of overlay.drafts) {
    strokeBox(context, geometry);
    context.fillText(`draft ${id}`, geometry.xtl + 2 * px, geometry.ytl + 11 * px);
  }
  context.setLineDash([]);
}

/** A tag to draw: its text, the colours of its backdrop and its text, and the track it belongs to. */
interface TagText {
  text: string;
  backdrop: string;
  colour: string;
  trackId: number;
}

/** Tags step this far (CSS pixels) from their box, one above or below another, to keep clear of other tags. */
const TAG_STEP = 16;
const TAG_HEIGHT = 15;

/**
 * Each box's tag above it ("MW 4") and the model's below it, over all the boxes, placed so that none
 * hides another: the selected box's first, then from the nearest box back, each moving a step further
 * from its box while its place is taken.
 */
function paintTags(context: OverlayContext, overlay: Overlay, px: number): void {
  context.font = `${12 * px}px system-ui, sans-serif`;
  const texts: TagText[] = [];
  const tags: Tag[] = [];
  const add = (text: TagText, x: number, y: number, direction: 1 | -1) => {
    texts.push(text);
    tags.push({
      width: context.measureText(text.text).width + 6 * px,
      height: TAG_HEIGHT * px,
      spots: [0, 1, 2, 3].map((step) => ({ x, y: y + direction * step * TAG_STEP * px })),
    });
  };
  for (const box of overlay.boxes) {
    const { xtl, ytl, ybr } = box.geometry;
    add(
      { text: `${box.label} ${box.trackId}`, backdrop: overlay.labelColour(box.label), colour: overlay.theme.tagText, trackId: box.trackId },
      xtl,
      ytl - TAG_HEIGHT * px,
      -1,
    );
    if (box.model) add(modelTag(box.model, box.trackId, overlay), xtl, ybr + 2 * px, 1);
  }
  // Most important first: the selected box's, then the nearest box's (drawn last).
  const selected = (i: number) => Number(texts[i]!.trackId === overlay.selectedTrackId);
  const order = texts.map((_, i) => i).reverse();
  order.sort((a, b) => selected(b) - selected(a));
  const placed = placeTags(order.map((i) => tags[i]!));
  const spots = new Map<number, PlacedTag>(order.map((i, k) => [i, placed[k]!]));
  texts.forEach((text, i) => {
    const spot = spots.get(i)!;
    context.fillStyle = text.backdrop;
    context.fillRect(spot.x, spot.y, spot.width, spot.height);
    context.fillStyle = text.colour;
    context.fillText(text.text, spot.x + 3 * px, spot.y + 11 * px);
  });
}

const percent = (prediction: BoxPrediction) => `${Math.round(Math.max(...prediction.probabilities) * 100)}%`;

/**
 * What the model says of a box: "model NM 87%", and " · B MW 60%" when comparing; "≠ " marks a
 * disagreement or a difference, in the disagreement colour: the colour is never the only cue.
 */
function modelTag({ mine, other, disagrees }: ModelOpinion, trackId: number, overlay: Overlay): TagText {
  const differs = other !== null && other.predicted !== mine.predicted;
  const compared = other ? ` · ${differs ? '≠ ' : ''}B ${other.predicted} ${percent(other)}` : '';
  return {
    text: `${disagrees ? '≠ ' : ''}model ${mine.predicted} ${percent(mine)}${compared}`,
    backdrop: overlay.theme.tagBackdrop,
    colour: disagrees || differs ? overlay.theme.modelDisagrees : overlay.labelColour(mine.predicted),
    trackId,
  };
}

function strokeBox(context: OverlayContext, box: BoxGeometry): void {
  context.strokeRect(box.xtl, box.ytl, box.xbr - box.xtl, box.ybr - box.ytl);
}
