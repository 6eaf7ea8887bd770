import { describe, expect, it } from 'vitest';
import { combinationOf, matchesKeys } from '../../src/renderer/src/composables/shortcuts';

const key = (init: KeyboardEventInit) => new KeyboardEvent('keydown', init);

describe('matchesKeys', () => {
  it('matches Ctrl or Cmd with a letter, in either case, and nothing else', () => {
    expect(matchesKeys('Ctrl+O', key({ key: 'o', ctrlKey: true }))).toBe(true);
    expect(matchesKeys('Ctrl+O', key({ key: 'o', metaKey: true }))).toBe(true);
    expect(matchesKeys('Ctrl+O', key({ key: 'o' }))).toBe(false);
    expect(matchesKeys('Ctrl+O', key({ key: 'O', ctrlKey: true, shiftKey: true }))).toBe(false);
    expect(matchesKeys('Ctrl+Shift+Z', key({ key: 'Z', ctrlKey: true, shiftKey: true }))).toBe(true);
  });

  it('matches Alt+digit by the physical key, whatever character the layout types', () => {
    expect(matchesKeys('Alt+1', key({ key: '¡', code: 'Digit1', altKey: true }))).toBe(true);
    expect(matchesKeys('Alt+1', key({ key: '1', code: 'Digit1' }))).toBe(false);
  });

  it('matches printable keys like ? whatever Shift it took to type them', () => {
    expect(matchesKeys('?', key({ key: '?', shiftKey: true }))).toBe(true);
    expect(matchesKeys('?', key({ key: '/' }))).toBe(false);
    expect(matchesKeys('Escape', key({ key: 'Escape' }))).toBe(true);
  });
});

describe('combinationOf', () => {
  it.each([
    [{ key: 'f', code: 'KeyF' }, 'F'],
    [{ key: 'Z', code: 'KeyZ', ctrlKey: true, shiftKey: true }, 'Ctrl+Shift+Z'],
    [{ key: '!', code: 'Digit1', shiftKey: true }, 'Shift+1'],
    [{ key: '?', code: 'Slash', shiftKey: true }, '?'],
    [{ key: ' ', code: 'Space' }, 'Space'],
    [{ key: 'ArrowRight', code: 'ArrowRight', altKey: true }, 'Alt+ArrowRight'],
    [{ key: 'Shift', code: 'ShiftLeft', shiftKey: true }, null],
  ])('names %j as %s, the form matchesKeys reads back', (init, expected) => {
    const event = key(init);
    expect(combinationOf(event)).toBe(expected);
    if (expected) expect(matchesKeys(expected, event)).toBe(true);
  });
});
