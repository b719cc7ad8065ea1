/**
 * Why a file could not be read as audio. The media library knows nothing of pconn's error tree:
 * callers map `reason` (the CLI to a message and an exit code, the API to a 4xx problem).
 */
export type WavFormatReason =
  | 'not_wav'
  | 'truncated'
  | 'unsupported_format'
  | 'unsupported_layout'
  | 'too_large'
  | 'empty';

/** A WAV file that cannot be decoded: the message names what was found and what is accepted. */
export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
  /** The kind of problem, stable for callers to map. */
  readonly reason: WavFormatReason;
  /** The WAV format tag found (e.g. 85 for MPEG Layer 3), when the file got that far. */
  readonly formatTag: number | undefined;

  constructor(reason: WavFormatReason, message: string, formatTag?: number) {
    super(message);
    this.reason = reason;
    this.formatTag = formatTag;
  }
}
