// Reading annotation XML (in the encoding it declares) and parsing it with fast-xml-parser, with line
// numbers for what it reports.

import { readFile, stat } from 'node:fs/promises';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MAX_XML_DEPTH } from '../../../shared/annotations';
import { WorkbenchError, type ErrorLocation } from '../../../shared/errors';

/** Larger XML files are refused rather than risk running the app out of memory. */
export const MAX_XML_BYTES = 512 * 1024 * 1024;

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
  // It reads one level more than this.
  maxNestedTags: MAX_XML_DEPTH - 1,
});

export type XmlNode = Record<string, unknown> & { $?: Record<string, string>; '#text'?: string };

/** Where a problem with a file is: its line, or where no line says, the import's `source` as a whole. */
export function whereIn(file: string, line?: number): ErrorLocation {
  return line === undefined ? { file, field: 'source' } : { file, line };
}

/** The text of an XML file, decoded as its byte order mark or its declaration says (UTF-8 when neither does). */
export async function readXmlFile(file: string): Promise<string> {
  const { size } = await stat(file).catch(cannotRead(file));
  if (size > MAX_XML_BYTES) {
    throw new WorkbenchError(
      'invalid-annotations',
      `${file} is ${(size / 2 ** 20).toFixed(0)} MB, more than the ${MAX_XML_BYTES / 2 ** 20} MB Maskbench reads from one XML file`,
      whereIn(file),
    );
  }
  const bytes = await readFile(file).catch(cannotRead(file));
  const encoding = encodingOf(bytes);
  try {
    // The decoder drops a byte order mark.
    return new TextDecoder(encoding).decode(bytes);
  } catch {
    throw new WorkbenchError(
      'invalid-annotations',
      `${file} is in the "${encoding}" encoding, which Maskbench cannot read: save it as UTF-8`,
      whereIn(file, 1),
    );
  }
}

function cannotRead(file: string): (error: Error) => never {
  return (error) => {
    throw new WorkbenchError('io-error', `Cannot read ${file}: ${error.message}`, whereIn(file));
  };
}

/**
 * The encoding of XML bytes: a byte order mark, or UTF-16's zero bytes around the first '<', or else
 * the declaration's `encoding` (which can only name an 8-bit encoding, since it was read as ASCII).
 */
function encodingOf(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0x3c && bytes[1] === 0)) return 'utf-16le';
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0 && bytes[1] === 0x3c)) return 'utf-16be';
  const declared = /^<\?xml\s[^>]*?encoding\s*=\s*["']([^"']*)["']/
    .exec(bytes.toString('latin1', 0, 200))?.[1]
    ?.trim()
    .toLowerCase();
  return declared === undefined || declared.startsWith('utf-16') ? 'utf-8' : declared;
}

/** Refuses XML that is not well formed, naming the file and line. */
export function parseXml(text: string, file: string): XmlNode {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw malformed(file, valid.err.msg, valid.err.line);
  try {
    return parser.parse(text) as XmlNode;
  } catch (error) {
    // Well-formed XML the parser still refuses: nested too deep, a name JavaScript reserves (__proto__), a DOCTYPE or entity it does not take.
    const message = (error as Error).message;
    throw malformed(file, message, lineAt(text, parserErrorIndex(text, message)));
  }
}

function malformed(file: string, message: string, line: number | undefined): WorkbenchError {
  return new WorkbenchError('invalid-annotations', `the XML is malformed: ${message}`, whereIn(file, line));
}

/** Where in the text the parser's error is, as near as its message tells; -1 when it does not. */
function parserErrorIndex(text: string, message: string): number {
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return Number(position);
  const name = /Invalid name: "([^"]*)"/.exec(message)?.[1];
  if (name !== undefined) return text.search(new RegExp(`[<\\s]${name.replace(/[^\w]/g, '\\$&')}[\\s=/>]`));
  if (/nested tags/i.test(message)) return tooDeep(text);
  if (/doctype|entit/i.test(message)) return text.indexOf('<!DOCTYPE');
  return -1;
}

/** Where the first element deeper than the parser reads opens (comments and CDATA are not told apart). */
function tooDeep(text: string): number {
  let depth = 0;
  for (const tag of text.matchAll(/<(\/?)[^\s/>!?][^>]*?(\/?)>/g)) {
    if (tag[1]) depth--;
    else if (!tag[2] && ++depth > MAX_XML_DEPTH) return tag.index;
  }
  return -1;
}

/** The 1-based line of a character index; undefined for -1. */
function lineAt(text: string, index: number): number | undefined {
  if (index < 0) return undefined;
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The line of the first `<tag` in the text, if there is one. */
export function firstTagLine(text: string, tag: string): number | undefined {
  return lineAt(text, text.search(new RegExp(`<${tag}[\\s/>]`)));
}

/** The line of the first `<tag` whose attribute `name` is `value`, written as is (undefined when the file escapes it, or has none). */
export function firstAttributeLine(text: string, tag: string, name: string, value: string): number | undefined {
  const literal = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return lineAt(text, text.search(new RegExp(`<${tag}\\s(?:[^>]*?\\s)?${name}\\s*=\\s*(["'])${literal}\\1`)));
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
