/** Text and attribute values for XML we write ourselves. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Coordinates as CVAT writes them: two decimals. */
export function coordinate(value: number): string {
  return value.toFixed(2);
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';
