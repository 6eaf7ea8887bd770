import { describe, expect, it } from 'vitest';
import type { AnnotationTrack, ProjectAnnotations, Shape } from '../../src/shared/annotations';
import { annotationsFileText, parseAnnotations } from '../../src/core/project/annotations-file';
import { decodeBridgeMessage, encodeBridgeMessage, type BridgeMessage } from '../../src/shared/bridge-protocol';
import { packAnnotations, unpackAnnotations, type PackedAnnotations } from '../../src/shared/packed-annotations';

const base = { frame: 0, xtl: 1, ytl: 2, xbr: 30, ybr: 40, label: 'MW', occluded: false, outside: false, zOrder: 0, attributes: {} } satisfies Shape;

/** Every field a shape or a track can have, set and unset, as imports leave them. */
const tracks: AnnotationTrack[] = [
  {
    id: 9007199254740991,
    shapes: [
      { ...base, xtl: 0.1 + 0.2, ytl: 1e-7, xbr: 1919.999, ybr: 1079.5 },
      { ...base, frame: 4, label: 'NM', occluded: true, zOrder: -3 },
      { ...base, frame: 9, outside: true, label: 'Unknown label' },
    ],
  },
  {
    id: 0,
    extra: { xmlAttributes: { source: 'manual' } },
    shapes: [
      { ...base, frame: 2, attributes: { helmet: 'yes', $typed: 'Float64Array' }, pose: 'Frontal', truncated: true, difficult: false },
      { ...base, frame: 3, truncated: false, extra: { elements: { note: { '#text': 'blurred' } } } },
      { ...base, frame: 5, pose: '', difficult: true, label: 'ND' },
    ],
  },
  { id: 7, shapes: [{ ...base, frame: 89_999, xtl: -5, ybr: 2160 }] },
];

const annotations: ProjectAnnotations = {
  schema: 2,
  width: 1920,
  height: 1080,
  frameCount: 90_000,
  frameNames: Array.from({ length: 90_000 }, (_, frame) => `${frame}.jpg`),
  tracks,
  extra: { cvatTask: { start: 0, stop: 10, step: 1, projectFrames: 'video' } },
};

/** What the page receives: a frame's bytes in an ArrayBuffer of their own. */
function overTheWire(message: BridgeMessage): BridgeMessage {
  const sent = encodeBridgeMessage(message);
  return decodeBridgeMessage(typeof sent === 'string' ? sent : sent.slice().buffer);
}

describe('packed annotations', () => {
  it('give back exactly the annotations they were packed from, absent fields absent', () => {
    const packed = packAnnotations(annotations);
    expect(packed.tracks.labelNames).toEqual(['MW', 'NM', 'Unknown label', 'ND']);
    // 0.1 + 0.2 is no whole number of hundredths: every corner goes as it is.
    expect([packed.tracks.boxes.scale, packed.tracks.zOrders.length]).toEqual([1, 7]);
    expect(unpackAnnotations(packed)).toStrictEqual(annotations);
  });

  it('send corners of two decimals as whole hundredths, and no depth order when all are 0, exactly', () => {
    const twoDecimals = [
      { id: 1, shapes: [0.07, 1234.56, 4095.99, 2160, 0.29, 1e-2].map((x, frame) => ({ ...base, frame, xtl: -x, ytl: x, xbr: x + 0.01, ybr: 2 * x })) },
    ];
    const packed = packAnnotations({ ...annotations, tracks: twoDecimals });
    expect([packed.tracks.boxes.scale, packed.tracks.zOrders.length]).toEqual([100, 0]);
    expect(unpackAnnotations(packed).tracks).toStrictEqual(twoDecimals);
  });

  it('give back any mix of jumps, gaps and labels exactly, however narrow or wide the steps between keyframes', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (const [spread, gap, labels, decimals] of [
      [1, 1, 3, 2],
      [300, 1, 3, 2],
      [5000, 400, 300, 2],
      [20_000, 70_000, 70_000, 2],
      [50, 3, 3, 5],
    ] as const) {
      const tracks = Array.from({ length: 12 }, (_, t) => {
        let frame = Math.floor(random() * 1000);
        let x = 100;
        return {
          id: t * 3,
          shapes: Array.from({ length: 1 + Math.floor(random() * 40) }, () => {
            frame += 1 + Math.floor(random() * gap);
            x += Math.round((random() - 0.5) * spread * 10 ** decimals) / 10 ** decimals;
            return { ...base, frame, xtl: x, ytl: -x, xbr: x + 40.5, ybr: 2 * x, label: `L${Math.floor(random() * labels)}`, zOrder: t % 2 };
          }),
        };
      });
      expect(unpackAnnotations(packAnnotations({ ...annotations, tracks })).tracks).toStrictEqual(tracks);
    }
  });

  it('are what annotations.json holds too: every field, written as columns and read back', () => {
    const text = annotationsFileText(annotations);
    const file = JSON.parse(text) as { schema: number; tracks: Array<Record<string, unknown>> };
    expect(file.schema).toBe(2);
    expect(file.tracks[1]).toMatchObject({ pose: ['Frontal', null, ''], truncated: [1, 0, null], difficult: [0, null, 1], more: [{ shape: 0 }, { shape: 1 }] });
    expect(file.tracks[0]).not.toHaveProperty('pose');
    expect(parseAnnotations(text, 'annotations.json')).toStrictEqual(annotations);
  });

  it('keep a project without tracks', () => {
    const empty = { ...annotations, tracks: [] };
    expect(unpackAnnotations(packAnnotations(empty))).toStrictEqual(empty);
  });

  it('cross the WebSocket bridge as one binary frame, read in place', () => {
    const message: BridgeMessage = { type: 'result', id: 3, ok: true, value: packAnnotations(annotations) };
    const sent = encodeBridgeMessage(message);
    expect(sent).toBeInstanceOf(Uint8Array);
    const received = overTheWire(message) as { value: PackedAnnotations };
    expect(received.value.tracks.frames.steps).toBeInstanceOf(Uint8Array);
    expect(received.value.tracks.flags).toBeInstanceOf(Uint8Array);
    expect(unpackAnnotations(received.value)).toStrictEqual(annotations);
  });

  it('leave messages without typed arrays as JSON text, lookalikes included', () => {
    const lookalike = { $typed: 'Float64Array', offset: 0, length: 2, more: true };
    const message: BridgeMessage = { type: 'result', id: 1, ok: true, value: lookalike };
    expect(typeof encodeBridgeMessage(message)).toBe('string');
    expect(overTheWire(message)).toEqual(message);
  });

  it('refuse a typed array the page could not rebuild', () => {
    expect(() => encodeBridgeMessage({ type: 'result', id: 1, ok: true, value: new Float32Array(2) })).toThrow('The bridge cannot send a Float32Array');
  });
});
