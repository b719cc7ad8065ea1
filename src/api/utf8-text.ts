const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A body's bytes as text, or the byte offset of the first sequence that is not UTF-8
 * (RFC 3629 §4: overlongs, surrogates and code points past U+10FFFF included). Node's
 * `toString('utf8')` would replace such bytes with U+FFFD and the request would store text
 * the client never sent. `ignoreBOM` keeps a BOM in the text, so JSON.parse still refuses it.
 */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { invalidAt: number } {
  try {
    return { text: strictUtf8.decode(bytes) };
  } catch {
    return { invalidAt: firstInvalidOffset(bytes) };
  }
}

/** The slow path, only for a body the decoder refused: walks the sequences to find the bad one. */
function firstInvalidOffset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    let length: number;
    let min: number;
    let max: number;
    if (lead < 0x80) {
      i += 1;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) [length, min, max] = [2, 0x80, 0xbf];
    else if (lead === 0xe0) [length, min, max] = [3, 0xa0, 0xbf];
    else if (lead === 0xed) [length, min, max] = [3, 0x80, 0x9f];
    else if (lead >= 0xe1 && lead <= 0xef) [length, min, max] = [3, 0x80, 0xbf];
    else if (lead === 0xf0) [length, min, max] = [4, 0x90, 0xbf];
    else if (lead === 0xf4) [length, min, max] = [4, 0x80, 0x8f];
    else if (lead >= 0xf1 && lead <= 0xf3) [length, min, max] = [4, 0x80, 0xbf];
    else return i;
    // The second byte's range excludes overlongs and surrogates; later ones are plain continuations.
    const second = bytes[i + 1];
    if (second === undefined || second < min || second > max) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return bytes.length;
}
