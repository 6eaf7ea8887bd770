import { describe, expect, it } from 'vitest';
import type { BoxPrediction } from '../../src/shared/review';
import { paintOverlay, type Overlay, type OverlayBox, type OverlayContext, type ViewTransform } from '../../src/renderer/src/canvas/paint';

/** One call on the context, with the style it was drawn in. */
interface Drawn {
  op: 'setTransform' | 'clearRect' | 'strokeRect' | 'fillRect' | 'fillText';
  args: Array<number | string>;
  strokeStyle: unknown;
  fillStyle: unknown;
  lineWidth: number;
  dash: number[];
}

/** A 2D context that records what is drawn; text is 0.5 em wide a character. */
class RecordingContext implements OverlayContext {
  lineWidth = 1;
  strokeStyle: OverlayContext['strokeStyle'] = '#000000';
  fillStyle: OverlayContext['fillStyle'] = '#000000';
  font = '10px sans-serif';
  drawn: Drawn[] = [];
  private dash: number[] = [];

  setTransform(...args: number[]): void {
    this.record('setTransform', args);
  }
  clearRect(...args: number[]): void {
    this.record('clearRect', args);
  }
  strokeRect(...args: number[]): void {
    this.record('strokeRect', args);
  }
  fillRect(...args: number[]): void {
    this.record('fillRect', args);
  }
  fillText(text: string, x: number, y: number): void {
    this.record('fillText', [text, x, y]);
  }
  measureText(text: string): { width: number } {
    return { width: (text.length * parseFloat(this.font)) / 2 };
  }
  setLineDash(segments: number[]): void {
    this.dash = segments;
  }
  private record(op: Drawn['op'], args: Array<number | string>): void {
    this.drawn.push({ op, args, strokeStyle: this.strokeStyle, fillStyle: this.fillStyle, lineWidth: this.lineWidth, dash: this.dash });
  }
  of(op: Drawn['op']): Drawn[] {
    return this.drawn.filter((entry) => entry.op === op);
  }
}

const COLOURS: Record<string, string> = { MW: '#3fb950', NM: '#ff7043' };
const THEME = { highlight: '#ffffff', tagText: '#0b0d10', tagBackdrop: 'rgb(11 13 16 / 80%)', modelDisagrees: '#ff4fd8' };
/** Two CSS pixels per video pixel, the frame at the stage's corner, one device pixel per CSS pixel. */
const VIEW: ViewTransform = { scale: 2, x: 0, y: 0, ratio: 1 };
/** One CSS pixel, in video pixels, at VIEW's scale. */
const PX = 0.5;

const box = (fields: Partial<OverlayBox> = {}): OverlayBox => ({
  trackId: 4,
  label: 'MW',
  occluded: false,
  geometry: { xtl: 10, ytl: 20, xbr: 50, ybr: 80 },
  model: null,
  ...fields,
});

function paint(boxes: OverlayBox[], fields: Partial<Overlay> = {}, view = VIEW): RecordingContext {
  const context = new RecordingContext();
  paintOverlay(context, 800, 600, view, {
    boxes,
    selectedTrackId: null,
    drawing: null,
    drafts: [],
    labelColour: (label) => COLOURS[label] ?? '#e0e0e0',
    theme: THEME,
    ...fields,
  });
  return context;
}

function prediction(predicted: string, probability: number): BoxPrediction {
  return { frame: 0, trackId: 4, label: 'MW', box: { xtl: 10, ytl: 20, xbr: 50, ybr: 80 }, predicted, probabilities: [probability, 1 - probability] };
}

describe('painting the overlay', () => {
  it('clears the whole canvas, then draws through the zoom and pan: video pixels scaled, the frame’s corner moved, in device pixels', () => {
    const context = paint([box()], {}, { scale: 3, x: 10, y: 5, ratio: 2 });
    expect(context.drawn.slice(0, 3).map(({ op, args }) => [op, ...args])).toEqual([
      ['setTransform', 1, 0, 0, 1, 0, 0],
      ['clearRect', 0, 0, 800, 600],
      ['setTransform', 6, 0, 0, 6, 20, 10],
    ]);
    // Lines keep their on-screen width whatever the zoom: 2 CSS pixels at 3 CSS pixels per video pixel.
    expect(context.of('strokeRect')[0]!.lineWidth).toBeCloseTo(2 / 3);
  });

  it('outlines a box in its label’s colour, with a tag naming the label and the track', () => {
    const context = paint([box()]);
    expect(context.of('strokeRect')).toEqual([expect.objectContaining({ args: [10, 20, 40, 60], strokeStyle: COLOURS.MW, lineWidth: 2 * PX, dash: [] })]);
    const [tag] = context.of('fillRect');
    expect(tag).toMatchObject({ args: [10, 20 - 15 * PX, 4 * 6 * PX + 6 * PX, 15 * PX], fillStyle: COLOURS.MW });
    expect(context.of('fillText')).toEqual([expect.objectContaining({ args: ['MW 4', 10 + 3 * PX, 20 - 4 * PX], fillStyle: THEME.tagText })]);
  });

  it('draws a box whose label the project does not define in the fallback colour it is given', () => {
    const context = paint([box({ label: 'XX' })]);
    expect(context.of('strokeRect')[0]!.strokeStyle).toBe('#e0e0e0');
  });

  it('draws the selected box thicker, with its eight handles in the highlight colour', () => {
    const context = paint([box({ trackId: 1, geometry: { xtl: 0, ytl: 0, xbr: 100, ybr: 100 } }), box()], { selectedTrackId: 4 });
    const [other, selected] = context.of('strokeRect');
    expect([other!.lineWidth, selected!.lineWidth]).toEqual([2 * PX, 3 * PX]);
    const handles = context.of('fillRect').filter((entry) => entry.fillStyle === THEME.highlight);
    const centres = handles.map(({ args }) => [(args[0] as number) + 3 * PX, (args[1] as number) + 3 * PX]);
    expect(centres).toEqual([
      [10, 20],
      [30, 20],
      [50, 20],
      [50, 50],
      [50, 80],
      [30, 80],
      [10, 80],
      [10, 50],
    ]);
    expect(handles.every(({ args }) => args[2] === 6 * PX && args[3] === 6 * PX)).toBe(true);
  });

  it('dashes an occluded box’s outline, the colour never the only cue, and draws its tag solid', () => {
    const context = paint([box({ occluded: true })]);
    expect(context.of('strokeRect')[0]!.dash).toEqual([6 * PX, 4 * PX]);
    expect(context.of('fillRect')[0]!.dash).toEqual([]);
    expect(paint([box()]).of('strokeRect')[0]!.dash).toEqual([]);
  });

  it('draws the box being moved where the pointer has it', () => {
    const context = paint([box({ geometry: { xtl: 30, ytl: 40, xbr: 70, ybr: 100 } })]);
    expect(context.of('strokeRect')[0]!.args).toEqual([30, 40, 40, 60]);
  });

  it('outlines a box being drawn, dashed, in the highlight colour, over the boxes', () => {
    const context = paint([box()], { drawing: { xtl: 100, ytl: 100, xbr: 160, ybr: 130 } });
    expect(context.drawn.at(-1)).toMatchObject({
      op: 'strokeRect',
      args: [100, 100, 60, 30],
      strokeStyle: THEME.highlight,
      lineWidth: 1.5 * PX,
      dash: [4 * PX, 3 * PX],
    });
  });

  it('draws proposed people dotted in the highlight colour, named, under the labelled boxes', () => {
    const context = paint([box()], { drafts: [{ id: 7, geometry: { xtl: 200, ytl: 50, xbr: 240, ybr: 150 } }] });
    expect(context.of('strokeRect')[0]).toMatchObject({ args: [200, 50, 40, 100], strokeStyle: THEME.highlight, dash: [2 * PX, 3 * PX] });
    expect(context.of('strokeRect')[1]).toMatchObject({ args: [10, 20, 40, 60], strokeStyle: COLOURS.MW, dash: [] });
    expect(context.of('fillText')[0]).toMatchObject({ args: ['draft 7', 200 + 2 * PX, 50 + 11 * PX], fillStyle: THEME.highlight });
  });

  it('outlines a labelled box the detector found no one at, dotted, in the highlight colour', () => {
    const context = paint([box({ notFound: true })]);
    expect(context.of('strokeRect')[1]).toMatchObject({
      args: [10 - 7 * PX, 20 - 7 * PX, 40 + 14 * PX, 60 + 14 * PX],
      strokeStyle: THEME.highlight,
      dash: [2 * PX, 3 * PX],
    });
  });

  it('tags a box with what the model says, in the predicted label’s colour when it agrees', () => {
    const context = paint([box({ model: { mine: prediction('MW', 0.87), other: null, disagrees: false } })]);
    expect(context.of('strokeRect')).toHaveLength(1);
    expect(context.of('fillText')[1]).toMatchObject({ args: ['model MW 87%', 10 + 3 * PX, 80 + 13 * PX], fillStyle: COLOURS.MW });
    expect(context.of('fillRect')[1]).toMatchObject({ args: [10, 80 + 2 * PX, 12 * 6 * PX + 6 * PX, 15 * PX], fillStyle: THEME.tagBackdrop });
  });

  it('marks a disagreement with a dashed outline and a “≠” in the disagreement colour, and a second run that differs with a “≠” too', () => {
    const context = paint([box({ model: { mine: prediction('NM', 0.6), other: prediction('MW', 0.7), disagrees: true } })]);
    const outlines = context.of('strokeRect');
    expect(outlines[1]).toMatchObject({
      args: [10 - 4 * PX, 20 - 4 * PX, 40 + 8 * PX, 60 + 8 * PX],
      strokeStyle: THEME.modelDisagrees,
      dash: [5 * PX, 3 * PX],
    });
    expect(context.of('fillText')[1]).toMatchObject({ args: ['≠ model NM 60% · ≠ B MW 70%', 10 + 3 * PX, 80 + 13 * PX], fillStyle: THEME.modelDisagrees });
    const differs = paint([box({ model: { mine: prediction('MW', 0.6), other: prediction('NM', 0.7), disagrees: false } })]);
    expect(differs.of('strokeRect')).toHaveLength(1);
    expect(differs.of('fillText')[1]).toMatchObject({ args: ['model MW 60% · ≠ B NM 70%', 10 + 3 * PX, 80 + 13 * PX], fillStyle: THEME.modelDisagrees });
  });

  it('keeps tags in a crowd apart: a tag whose place is taken steps away from its box, the selected box’s and the nearest box’s keeping theirs', () => {
    // Three far people side by side, boxes 6 px wide: their tags ("MW 4", 15 px wide) would overlap.
    const crowd = [1, 2, 3].map((trackId) =>
      box({
        trackId,
        geometry: { xtl: 10 + 6 * trackId, ytl: 20, xbr: 15 + 6 * trackId, ybr: 40 },
        model: { mine: prediction('MW', 0.9), other: null, disagrees: false },
      }),
    );
    const overlaps = (context: RecordingContext) => {
      // The tags' backdrops (not the selected box's handles).
      const rects = context
        .of('fillRect')
        .filter(({ fillStyle }) => fillStyle !== THEME.highlight)
        .map(({ args }) => args as number[]);
      return rects.some((a, i) =>
        rects.some((b, j) => i < j && a[0]! < b[0]! + b[2]! && b[0]! < a[0]! + a[2]! && a[1]! < b[1]! + b[3]! && b[1]! < a[1]! + a[3]!),
      );
    };
    const context = paint(crowd);
    expect(overlaps(context)).toBe(false);
    const tagAt = (context: RecordingContext, text: string) =>
      context
        .of('fillText')
        .find(({ args }) => args[0] === text)!
        .args.slice(1);
    // The nearest (drawn last) keeps the place above its box; the others step up, and the model's tags down.
    expect(tagAt(context, 'MW 3')).toEqual([28 + 3 * PX, 20 - 4 * PX]);
    expect(tagAt(context, 'MW 2')[1]).toBeLessThan(20 - 4 * PX);
    expect(new Set(context.of('fillText').map(({ args }) => args[2])).size).toBe(6);
    // Selected, the farthest keeps its place and the others make way.
    const selected = paint(crowd, { selectedTrackId: 1 });
    expect(tagAt(selected, 'MW 1')).toEqual([16 + 3 * PX, 20 - 4 * PX]);
    expect(overlaps(paint(crowd, { selectedTrackId: 1 }))).toBe(false);
  });
});
