/** The speech and noise media_legs' far ends send (and media_frame_cost analyses). */

/**
 * What the far ends say, `seconds` long: an 8 s cycle of a person's "hello" (two syllables of a
 * voiced buzz) then line noise, and a machine's long greeting and its beep then noise, all over
 * noise 25 dB below the speech. The detector meets silence, words, people, machines and beeps
 * (without the beep a machine verdict would wait 30 s for one, in the cheaper beep-only mode).
 */
export function contactAudio(seconds: number): Int16Array {
  const out = new Int16Array(8000 * seconds);
  let seed = 1;
  const noise = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  // Syllables in the cycle (start s, length s): a hello at 0.2 s, a greeting of ten from 4 s.
  const syllables: Array<[number, number]> = [
    [0.2, 0.22],
    [0.5, 0.3],
    ...Array.from({ length: 10 }, (_, k): [number, number] => [4 + k * 0.3, 0.22]),
  ];
  for (let i = 0; i < out.length; i++) {
    const t = (i % 64000) / 8000;
    let v = 60 * noise();
    for (const [start, length] of syllables) {
      if (t < start || t >= start + length) continue;
      const pitch = 120 + ((Math.round(start * 10) * 37) % 60);
      const envelope = Math.sin((Math.PI * (t - start)) / length) ** 0.5;
      for (let h = 1; h <= 8; h++)
        v += (1500 * envelope * Math.sin(2 * Math.PI * pitch * h * t + h)) / h ** 0.5;
    }
    // The machine's beep: 1000 Hz for 300 ms after its greeting.
    if (t >= 7.3 && t < 7.6) v += 6000 * Math.sin(2 * Math.PI * 1000 * t);
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return out;
}
