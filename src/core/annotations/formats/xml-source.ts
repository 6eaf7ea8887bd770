// Parsing annotation XML with fast-xml-parser, with line numbers for what it reports.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WorkbenchError } from '../../../shared/errors';

/** Elements that can repeat, read as lists even when there is one. */
const LISTS = new Set([
  'track',
  'box',
  'image',
  'object',
  'attribute',
  'label',
  'polygon',
  'polyline',
  'points',
  'ellipse',
  'cuboid',
  'mask',
  'skeleton',
  'tag',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '$',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => LISTS.has(name),
});

export type XmlNode = Record<string, unknown> & { $?: Record<string, string>; '#text'?: string };

/** Refuses XML that is not well formed, naming the file and line. */
export function parseXml(text: string, file: string): XmlNode {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new WorkbenchError('invalid-annotations', `${file}: the XML is malformed: ${valid.err.msg}`, { file, line: valid.err.line });
  }
  return parser.parse(text) as XmlNode;
}

/** The line of each `<tag` in the text, in document order: the n-th parsed element of that tag is on line n. */
export function tagLines(text: string, tag: string): number[] {
  const lines: number[] = [];
  const pattern = new RegExp(`<${tag}[\\s/>]`, 'g');
  let line = 1;
  let scanned = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    for (let i = scanned; i < match.index; i++) if (text.charCodeAt(i) === 10) line++;
    scanned = match.index;
    lines.push(line);
  }
  return lines;
}

/** A child element's text ('' when absent or empty). */
export function text(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  return String((node as XmlNode)['#text'] ?? '');
}

export function children(node: XmlNode, name: string): XmlNode[] {
  const value = node[name];
  return Array.isArray(value) ? (value as XmlNode[]) : value === undefined ? [] : [value as XmlNode];
}

/** The element's own XML attributes. */
export function attributes(node: XmlNode): Record<string, string> {
  return node.$ ?? {};
}

/** What is left of an element's XML attributes and children after taking the known ones. */
export function leftovers(
  node: XmlNode,
  knownAttributes: string[],
  knownChildren: string[],
): { xmlAttributes?: Record<string, string>; elements?: Record<string, unknown> } | undefined {
  const xmlAttributes = Object.fromEntries(Object.entries(attributes(node)).filter(([name]) => !knownAttributes.includes(name)));
  const elements = Object.fromEntries(Object.entries(node).filter(([name]) => name !== '$' && name !== '#text' && !knownChildren.includes(name)));
  const extra: { xmlAttributes?: Record<string, string>; elements?: Record<string, unknown> } = {};
  if (Object.keys(xmlAttributes).length) extra.xmlAttributes = xmlAttributes;
  if (Object.keys(elements).length) extra.elements = elements;
  return Object.keys(extra).length ? extra : undefined;
}
