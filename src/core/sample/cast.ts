// The people in the clip: how each looks, where they walk, and what their face shows, frame by frame.

import { Camera, DOOR_Z, WALKWAY_HALF_WIDTH_M, walkwayCenter } from './camera';
import { Prng } from '../util/prng';

export type Rgb = readonly [number, number, number];
export type Facing = 'front' | 'back' | 'left' | 'right';
export type MaskStyle = 'surgical' | 'cup' | 'cloth';

export interface Appearance {
  heightM: number;
  build: number;
  skin: Rgb;
  hair: Rgb;
  hairStyle: 'short' | 'long' | 'bald' | 'cap';
  capColor: Rgb;
  shirt: Rgb;
  trousers: Rgb;
  shoes: Rgb;
  backpack: Rgb | null;
  mask: { color: Rgb; style: MaskStyle };
}

/** Where a person is and what they show in one frame. */
export interface PersonState {
  x: number;
  z: number;
  facing: Facing;
  masked: boolean;
  /** Walk cycle angle in radians; constant while standing. */
  phase: number;
}

export interface Pedestrian {
  id: number;
  appearance: Appearance;
  /** The first frame the person is in the clip. */
  firstFrame: number;
  /** One state per frame from firstFrame on. */
  states: PersonState[];
}

const SKIN: Rgb[] = [
  [247, 217, 193],
  [234, 192, 160],
  [209, 160, 120],
  [176, 122, 84],
  [133, 88, 58],
  [94, 61, 42],
];
const HAIR: Rgb[] = [
  [30, 26, 24],
  [62, 44, 32],
  [110, 78, 50],
  [196, 160, 100],
  [150, 150, 150],
  [140, 60, 30],
];
const SHIRTS: Rgb[] = [
  [200, 40, 40],
  [40, 90, 170],
  [240, 240, 235],
  [30, 30, 35],
  [70, 130, 80],
  [230, 190, 60],
  [120, 60, 140],
  [200, 120, 60],
  [110, 115, 125],
  [60, 160, 170],
];
const TROUSERS: Rgb[] = [
  [50, 70, 110],
  [30, 30, 35],
  [150, 130, 100],
  [90, 90, 95],
  [60, 50, 40],
  [110, 120, 150],
];
// No mask the colour of a skin: a pale pink one (232, 160, 184) was within 32 of the second skin in every
// channel, and a model took its wearers for unmasked (masked recall on the default clip 0.75, now 0.86).
const MASKS: Rgb[] = [
  [142, 197, 232],
  [238, 238, 240],
  [34, 34, 38],
  [222, 96, 150],
  [150, 160, 170],
  [43, 58, 103],
];
const MASK_STYLES: MaskStyle[] = ['surgical', 'surgical', 'cup', 'cloth'];

const STRIDE_M = 1.5;

type Leg = { kind: 'walk'; x: number; z: number; speed: number } | { kind: 'pause'; seconds: number; toggleMask: boolean };

interface Plan {
  start: { x: number; z: number };
  legs: Leg[];
  masked: boolean;
}

/**
 * What a person is cast to show for most of their time in view: a masked or an unmasked face (walking
 * toward the camera or across it), or their back (walking away).
 */
type Role = 'masked' | 'unmasked' | 'away';
/**
 * The share of the clear view each role is cast to fill. Walking away has the least: faces hidden behind
 * others are unseen too.
 */
const ROLE_SHARE: Record<Role, number> = { masked: 0.37, unmasked: 0.37, away: 0.26 };
const ROLES = Object.keys(ROLE_SHARE) as Role[];
/**
 * Mean seconds between two people coming into clear view, where each stays about 10 s. A model learns
 * masks rather than the people wearing them only from many people: at 1.8 s (forty a minute) conv-bn
 * scored 0.62 on the default clip's head crops, at 0.9 s 0.79.
 */
const ARRIVAL_PERIOD_S = 0.9;
/** How far ahead a newcomer's role is chosen to fill: their first seconds in clear view. */
const LOOK_AHEAD_S = 6;
/** How long before the clip starts the first people come into clear view, so that it opens on a full scene. */
const LEAD_IN_S = 20;
/** The share of people who walk in or out at the side of the walkway rather than through the far door. */
const SIDE_SHARE = 0.7;
/** The share of people who stop for a while (putting a mask on or taking it off, half of them). */
const PAUSE_CHANCE = 0.35;
/** The share of people who turn back the way they came. */
const TURN_CHANCE = 0.15;
/** Nearer than this, a person is at least 8 px wide (a dataset's smallest box by default) in a 640x360 frame. */
const CLEAR_Z_M = 26;

/**
 * The cast for a clip of `frameCount` frames: about twenty people in view at a time. Each newcomer takes
 * the role least seen over the seconds they will be in clear view, counting the masks put on or taken
 * off and the turns of those already cast, so that every label is on screen throughout the clip and any
 * chronological split of it sees every class, shown by many different people.
 */
export function createCast(camera: Camera, frameCount: number, fps: number, random: Prng): Pedestrian[] {
  const leadIn = Math.round(LEAD_IN_S * fps);
  /** Per role, the people of it in clear view in each frame from the lead-in on. */
  const seen = Object.fromEntries(ROLES.map((role) => [role, new Float64Array(leadIn + frameCount)])) as Record<Role, Float64Array>;
  const schedule = random.fork(100);
  const cast: Pedestrian[] = [];
  for (let index = 1, clearAt = -leadIn; clearAt < frameCount; index++, clearAt += Math.round(ARRIVAL_PERIOD_S * fps * schedule.range(0.6, 1.4))) {
    const window = (role: Role) => seen[role].subarray(leadIn + clearAt, leadIn + clearAt + Math.round(LOOK_AHEAD_S * fps)).reduce((sum, n) => sum + n, 0);
    const role = ROLES.reduce((best, role) => (window(role) / ROLE_SHARE[role] < window(best) / ROLE_SHARE[best] ? role : best));
    const personRandom = random.fork(index);
    const appearance = createAppearance(personRandom);
    const states = walk(createPlan(camera, appearance, role, personRandom), fps);
    const firstFrame = clearAt - firstClearState(camera, states);
    states.forEach((state, i) => {
      const frame = leadIn + firstFrame + i;
      if (frame >= 0 && frame < seen.masked.length && isClear(camera, state)) seen[roleShown(state)][frame]!++;
    });
    // Only the part of the walk inside the clip is kept.
    const from = Math.max(0, -firstFrame);
    const inClip = states.slice(from, Math.max(from, frameCount - firstFrame));
    if (inClip.length > 0) cast.push({ id: cast.length + 1, appearance, firstFrame: firstFrame + from, states: inClip });
  }
  return cast;
}

/** The role a state shows: its back, or its face with or without a mask. */
function roleShown(state: PersonState): Role {
  return state.facing === 'back' ? 'away' : state.masked ? 'masked' : 'unmasked';
}

/** On screen and near enough to be seen clearly. */
function isClear(camera: Camera, { x, z }: PersonState): boolean {
  return z <= CLEAR_Z_M && Math.abs(camera.screenX(x, z) - camera.centerX) <= camera.width / 2;
}

/** The first state in which the person is seen clearly (the first of all if never). */
function firstClearState(camera: Camera, states: PersonState[]): number {
  return Math.max(
    0,
    states.findIndex((state) => isClear(camera, state)),
  );
}

function createAppearance(random: Prng): Appearance {
  const hairStyle = random.pick(['short', 'short', 'long', 'long', 'bald', 'cap'] as const);
  return {
    heightM: random.range(1.55, 1.92),
    build: random.range(0.9, 1.15),
    skin: random.pick(SKIN),
    hair: random.pick(HAIR),
    hairStyle,
    capColor: random.pick(SHIRTS),
    shirt: random.pick(SHIRTS),
    trousers: random.pick(TROUSERS),
    shoes: random.pick([
      [25, 25, 25],
      [230, 230, 230],
      [90, 60, 40],
    ] as Rgb[]),
    backpack: random.chance(0.3) ? random.pick(SHIRTS) : null,
    mask: { color: random.pick(MASKS), style: random.pick(MASK_STYLES) },
  };
}

function createPlan(camera: Camera, appearance: Appearance, role: Role, random: Prng): Plan {
  const speed = random.range(0.9, 1.5);
  // Walking away, the face is unseen (ND) whether masked or not.
  const masked = role === 'away' ? random.chance(0.5) : role === 'masked';
  const lane = (z: number) => walkwayCenter(z) + random.range(-0.75, 0.75) * WALKWAY_HALF_WIDTH_M;
  /** Just off the frame's left or right edge at depth z. */
  const offSide = (z: number, left: boolean) =>
    camera.worldX(left ? -appearance.heightM * camera.scale(z) : camera.width + appearance.heightM * camera.scale(z), z);
  const pause = (): Leg[] => (random.chance(PAUSE_CHANCE) ? [{ kind: 'pause', seconds: random.range(1.5, 5), toggleMask: random.chance(0.5) }] : []);
  const near = camera.exitDepth(appearance.heightM);
  const kind = role === 'away' ? 'depart' : random.pick(['approach', 'approach', 'cross'] as const);

  if (kind === 'cross') {
    // Across the view at one depth, from off one side to off the other: seen in profile.
    // Near enough that the face is more than a few pixels, even in a small frame.
    const z = random.range(5, 16);
    const left = random.chance(0.5);
    const legs: Leg[] = [{ kind: 'walk', x: walkwayCenter(z) + random.range(-1, 1), z: z + random.range(-1, 1), speed }, ...pause()];
    legs.push({ kind: 'walk', x: offSide(z, !left), z, speed });
    return { start: { x: offSide(z, left), z }, legs, masked };
  }

  // The far end: most come from or go to the side of the walkway a little way off, the rest the door.
  // Passing through in seconds, many different people are seen in any part of the clip.
  const sideZ = random.chance(SIDE_SHARE) ? random.range(10, 20) : null;
  const sideLeft = random.chance(0.5);
  const farEnd = sideZ === null ? { x: walkwayCenter(DOOR_Z), z: DOOR_Z } : { x: offSide(sideZ, sideLeft), z: sideZ };
  const farZ = sideZ ?? DOOR_Z;
  const pauseZ = random.range(5, Math.min(14, farZ - 2));
  /** A walk to (x, z). */
  const to = ({ x, z }: { x: number; z: number }, pace = speed): Leg => ({ kind: 'walk', x, z, speed: pace });

  if (kind === 'approach') {
    const legs: Leg[] = [to({ x: lane(pauseZ), z: pauseZ }), ...pause()];
    if (random.chance(TURN_CHANCE)) {
      // Walks on a little, then turns back the way they came: their face disappears.
      const turnZ = Math.max(near + 2, pauseZ - random.range(2, 5));
      legs.push(
        to({ x: lane(turnZ), z: turnZ }),
        { kind: 'pause', seconds: random.range(0.5, 2), toggleMask: false },
        to(farEnd, speed * random.range(0.9, 1.2)),
      );
    } else {
      legs.push(to({ x: lane(near), z: near }));
    }
    return { start: farEnd, legs, masked };
  }

  const legs: Leg[] = [to({ x: lane(pauseZ), z: pauseZ }), ...pause()];
  if (random.chance(TURN_CHANCE)) {
    // Walks on a little, then turns back toward the camera: their face appears.
    const turnZ = Math.min(farZ - 1, pauseZ + random.range(2, 5));
    legs.push(to({ x: lane(turnZ), z: turnZ }), { kind: 'pause', seconds: random.range(0.5, 2), toggleMask: false }, to({ x: lane(near), z: near }));
  } else {
    legs.push(to(farEnd));
  }
  return { start: { x: lane(near), z: near }, legs, masked };
}

/** Follows a plan frame by frame: one state per frame, from setting out to the plan's end. */
function walk(plan: Plan, fps: number): PersonState[] {
  const states: PersonState[] = [];
  let { x, z } = plan.start;
  let masked = plan.masked;
  let phase = 0;
  let facing: Facing = 'front';
  const record = () => states.push({ x, z, facing, masked, phase });

  for (const leg of plan.legs) {
    if (leg.kind === 'pause') {
      const frames = Math.round(leg.seconds * fps);
      for (let i = 0; i < frames; i++) {
        // A mask goes on or off halfway through the pause.
        if (leg.toggleMask && i === Math.floor(frames / 2)) masked = !masked;
        record();
      }
      continue;
    }
    const step = leg.speed / fps;
    for (;;) {
      const dx = leg.x - x;
      const dz = leg.z - z;
      const distance = Math.hypot(dx, dz);
      if (distance < 1e-6) break;
      facing = Math.abs(dz) >= Math.abs(dx) ? (dz < 0 ? 'front' : 'back') : dx > 0 ? 'right' : 'left';
      const move = Math.min(step, distance);
      x += (dx / distance) * move;
      z += (dz / distance) * move;
      phase += (2 * Math.PI * move) / STRIDE_M;
      record();
      if (move < step) break;
    }
  }
  return states;
}
