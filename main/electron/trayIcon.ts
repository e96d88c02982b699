/**
 * The tray icon, drawn in code (no image asset to ship or keep in step): a disc with an upward arrow,
 * as PNG bytes for nativeImage.createFromBuffer. On macOS it is a template image (black and alpha; the
 * menu bar tints it); elsewhere a blue disc with a white arrow, legible on light and dark panels.
 */
import { deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes straight RGBA pixels (row by row) as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter, no interlace
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Whether (x, y) in a unit square lies on the arrow: a head (triangle) over a stem. */
function onArrow(x: number, y: number): boolean {
  const head = y >= 0.2 && y <= 0.52 && Math.abs(x - 0.5) <= (y - 0.2) * 0.75;
  const stem = y > 0.5 && y <= 0.8 && Math.abs(x - 0.5) <= 0.085;
  return head || stem;
}

/** The icon at `size` px, 4x4 supersampled. `template`: black disc, arrow cut out. */
export function drawTrayIcon(size: number, template: boolean): Buffer {
  const disc: Rgb = template ? [0, 0, 0] : [37, 99, 235];
  const arrow: Rgb | null = template ? null : [255, 255, 255];
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let inDisc = 0;
      let inArrow = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          if ((x - 0.5) ** 2 + (y - 0.5) ** 2 > 0.47 ** 2) continue;
          if (onArrow(x, y)) inArrow += 1;
          else inDisc += 1;
        }
      }
      const total = samples * samples;
      const discAlpha = inDisc / total;
      const arrowAlpha = arrow ? inArrow / total : 0;
      const alpha = discAlpha + arrowAlpha;
      const offset = (py * size + px) * 4;
      if (alpha === 0) continue;
      for (let channel = 0; channel < 3; channel++) {
        pixels[offset + channel] = Math.round((disc[channel]! * discAlpha + (arrow?.[channel] ?? 0) * arrowAlpha) / alpha);
      }
      pixels[offset + 3] = Math.round(alpha * 255);
    }
  }
  return encodePng(size, size, pixels);
}
