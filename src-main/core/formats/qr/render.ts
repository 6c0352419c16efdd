// QR images of a payload, rendered with `qrcode`: PNG and SVG files, and half blocks for a terminal.
import QRCode from 'qrcode';
import { InvalidInputError } from '../../errors.js';
import { assertNoSecret } from './payload.js';

// Level M: about 15% of the code may be damaged or covered and it still reads.
const ERROR_CORRECTION = 'M';

function renderError(error: unknown): never {
  // qrcode says "The amount of data is too big to be stored in a QR Code" for long payloads.
  throw new InvalidInputError(`cannot make a QR code of this payload: ${(error as Error).message}`);
}

export async function renderQrPng(payload: string, options: { readonly scale?: number } = {}): Promise<Buffer> {
  assertNoSecret(payload);
  const scale = options.scale ?? 8;
  if (!Number.isInteger(scale) || scale < 1 || scale > 64) throw new InvalidInputError(`QR scale must be a whole number from 1 to 64, got ${scale}`);
  return QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: ERROR_CORRECTION, scale, margin: 4 }).catch(renderError);
}

export async function renderQrSvg(payload: string): Promise<string> {
  assertNoSecret(payload);
  return QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: ERROR_CORRECTION, margin: 4 }).catch(renderError);
}

/** Half-block characters with explicit black-on-white colours, so it scans on dark terminals too. */
export async function renderQrTerminal(payload: string): Promise<string> {
  assertNoSecret(payload);
  return QRCode.toString(payload, { type: 'terminal', small: true, errorCorrectionLevel: ERROR_CORRECTION }).catch(renderError);
}
