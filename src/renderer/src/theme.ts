// The colours canvases and charts draw with. A canvas cannot use CSS variables, so the theme's colours
// are read from the stylesheet's custom properties (styles.css, :root): one list for CSS and canvas.

import type { LabelDef } from '../../shared/project';

/** Each colour's custom property in styles.css. */
const PROPERTIES = {
  text: '--text',
  textDim: '--text-dim',
  border: '--border',
  bgSunken: '--bg-sunken',
  accent: '--accent',
  warning: '--warning',
  modelDisagrees: '--model-disagrees',
  runsDiffer: '--runs-differ',
  labelOutsideSet: '--label-outside-set',
  labelOutsideSetMark: '--label-outside-set-mark',
  highlight: '--highlight',
  tagText: '--tag-text',
  tagBackdrop: '--tag-backdrop',
  range: '--range',
} as const;

export type Theme = { readonly [Name in keyof typeof PROPERTIES]: string };

let read: Theme | null = null;

/** The theme's colours as the stylesheet sets them; read once, as the theme never changes while the app runs. */
export function theme(): Theme {
  if (!read) {
    const style = getComputedStyle(document.documentElement);
    read = Object.fromEntries(Object.entries(PROPERTIES).map(([name, property]) => [name, style.getPropertyValue(property).trim()])) as Theme;
  }
  return read;
}

/**
 * One colour per run, the same in every chart, table and matrix (see run-colours.ts). Okabe-Ito's
 * colour-blind-safe set, then a few more. Only scripts use these, so they live here rather than in CSS.
 */
export const RUN_PALETTE: readonly string[] = ['#56b4e9', '#e69f00', '#009e73', '#f0e442', '#cc79a7', '#d55e00', '#0072b2', '#999999', '#a6761d', '#66a61e'];

/** Train and validation curves of one run, told apart by colour (Okabe-Ito's sky blue and reddish purple). */
export const SPLIT_COLOURS = { train: '#56b4e9', val: '#cc79a7' } as const;

/** A label's colour, from the project's label settings; `outsideSet` for a label the project does not define. */
export function labelColour(labels: readonly LabelDef[], label: string, outsideSet: string): string {
  return labels.find((candidate) => candidate.name === label)?.color ?? outsideSet;
}
