/**
 * Where valid JSON `text` first nests its arrays and objects deeper than `max`, or -1: counted without
 * recursion, so a hostile file or message cannot run the stack out before it is refused.
 */
export function jsonTooDeepAt(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') {
      if (++depth > max) return i;
    } else if (char === ']' || char === '}') depth--;
  }
  return -1;
}
