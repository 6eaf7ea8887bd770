import { XMLBuilder } from 'fast-xml-parser';

/** Text and attribute values for XML we write ourselves. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Coordinates as CVAT writes them: two decimals. */
export function coordinate(value: number): string {
  return value.toFixed(2);
}

/**
 * Coordinates as read (Pascal VOC has no fixed precision: 84, 84.5 or 84.237 come back as they were),
 * without float noise from arithmetic on them (84.23700000000001 is written 84.237).
 */
export function exactCoordinate(value: number): string {
  return String(Number(value.toFixed(6)));
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/** ` name="value"` for each attribute, escaped. */
export function xmlAttributes(values: Record<string, string> | undefined): string {
  return Object.entries(values ?? {})
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '$',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: false,
});

/** Elements kept from an imported file (fast-xml-parser objects), written back at the given indent. */
export function keptElements(elements: Record<string, unknown> | undefined, indent: string): string {
  if (!elements || Object.keys(elements).length === 0) return '';
  return (
    (builder.build(elements) as string)
      .trimEnd()
      .split('\n')
      .map((line) => indent + line)
      .join('\n') + '\n'
  );
}
