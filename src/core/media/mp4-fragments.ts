// Where the fragments of a fragmented MP4 lie, so that the window can fetch and play one fragment (one
// keyframe's group of frames) at a time instead of asking its media player to seek in a large file.

import { open } from 'node:fs/promises';
import type { FragmentIndex } from '../../shared/project';
import { WorkbenchError } from '../../shared/errors';

/**
 * Reads the top-level boxes of `path`: its header (ftyp and moov, which a player takes first), and each
 * fragment (a moof and the mdat after it). `framesPerFragment` is what the file was made with.
 */
export async function readFragmentIndex(path: string, framesPerFragment: number): Promise<FragmentIndex> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const head = Buffer.alloc(16);
    const fragments: number[] = [];
    let header = 0;
    let codec: string | null = null;
    let end = 0;
    for (let offset = 0; offset < size;) {
      await file.read(head, 0, 16, offset);
      const type = head.toString('latin1', 4, 8);
      const length = head.readUInt32BE(0) === 1 ? Number(head.readBigUInt64BE(8)) : head.readUInt32BE(0) || size - offset;
      if (length < 8) throw new WorkbenchError('io-error', `${path} is not an MP4 file: a box at byte ${offset} is ${length} bytes long`, { file: path });
      if (type === 'moov') {
        header = offset + length;
        codec = avcCodec((await file.read(Buffer.alloc(length), 0, length, offset)).buffer);
      }
      if (type === 'moof') fragments.push(offset);
      if (type === 'mdat') end = offset + length;
      offset += length;
    }
    if (!codec || fragments.length === 0) throw new WorkbenchError('io-error', `${path} is not a fragmented H.264 MP4 file`, { file: path });
    return { codec, header, fragments, end, framesPerFragment };
  } finally {
    await file.close();
  }
}

/** The codec string a MediaSource asks for ("avc1.64001f"): profile, constraints and level from the avcC box. */
function avcCodec(moov: Buffer): string | null {
  const at = moov.indexOf('avcC');
  return at < 0 ? null : `avc1.${moov.subarray(at + 5, at + 8).toString('hex')}`;
}
