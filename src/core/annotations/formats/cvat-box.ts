import type { TrackBox } from '../../../shared/annotations';
import { coordinate, escapeXml, xmlAttributes } from './xml-text';

/** What CVAT writes as `source` for boxes drawn by hand; not kept as an extra, since it is the default. */
export const DEFAULT_SOURCE = 'manual';

/** The <attribute> children of a CVAT box: the person's track_id, then the box's own attributes. */
export function cvatBoxAttributes(box: TrackBox, trackId: number, indent: string): string {
  const values = { track_id: String(trackId), ...box.attributes };
  return Object.entries(values)
    .map(([name, value]) => `${indent}<attribute name="${escapeXml(name)}">${escapeXml(value)}</attribute>\n`)
    .join('');
}

/**
 * The geometry and flags CVAT puts on every <box>, and the XML attributes kept from an import. CVAT for
 * images marks each box's `source`; CVAT for video marks it on the track instead.
 */
export function cvatBoxXmlAttributes(box: TrackBox, withSource: boolean): string {
  const kept = { ...(withSource ? { source: DEFAULT_SOURCE } : {}), ...box.extra?.xmlAttributes };
  return (
    `occluded="${box.occluded ? 1 : 0}" xtl="${coordinate(box.xtl)}" ytl="${coordinate(box.ytl)}" xbr="${coordinate(box.xbr)}" ybr="${coordinate(box.ybr)}" z_order="${box.zOrder}"` +
    xmlAttributes(kept)
  );
}
