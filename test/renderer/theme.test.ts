import { describe, expect, it } from 'vitest';
import { DEFAULT_LABELS } from '../../src/shared/project';
import { labelColour, theme } from '../../src/renderer/src/theme';

describe('the theme', () => {
  it('takes canvas and chart colours from the stylesheet’s custom properties, every one of them set there', async () => {
    // Read with Node's fs, untyped: the renderer's tsconfig knows the DOM only, and vitest empties imported CSS.
    const { readFileSync } = (await import('node:fs' as string)) as { readFileSync(path: string, encoding: 'utf8'): string };
    const style = document.createElement('style');
    style.textContent = readFileSync('src/renderer/src/styles.css', 'utf8');
    document.head.append(style);
    const colours = theme();
    expect(Object.entries(colours).filter(([, value]) => value === '')).toEqual([]);
    expect([colours.modelDisagrees, colours.textDim, colours.tagBackdrop]).toEqual(['#ff4fd8', '#8b93a1', 'rgb(11 13 16 / 80%)']);
  });

  it('gives a label the colour the project’s settings give it, and a label outside the set the fallback', () => {
    expect(labelColour(DEFAULT_LABELS, 'NM', 'grey')).toBe(DEFAULT_LABELS.find((label) => label.name === 'NM')!.color);
    expect(labelColour(DEFAULT_LABELS, 'XX', 'grey')).toBe('grey');
  });
});
