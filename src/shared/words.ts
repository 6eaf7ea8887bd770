// Counts in words, as the window and the command line write them: "1 box", "2 boxes".

/** `count` and its noun, singular for exactly one: `counted(1, 'box', 'boxes')` is "1 box". */
export function counted(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}
