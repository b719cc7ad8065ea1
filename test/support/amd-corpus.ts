import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from '../../src/media/g711.ts';
import { readWav } from '../../src/media/wav-reader.ts';
import { writeWav } from '../../src/media/wav-writer.ts';

/*
 * A labelled answer-detection corpus built from Debian's espeak-ng (voices) and sox (rate
 * conversion, tones, noise): people answering with a few words and waiting, machines reading a
 * greeting and beeping, fax tones, SIT, silence; noise mixed at 10–20 dB SNR, some clips through
 * a G.711 round trip. The recipe is generated from a fixed seed; the clips are cached under
 * .cache/amd-corpus/<hash of the recipe and tool versions>/ (gitignored), so the first run
 * builds them (a few seconds, in parallel) and later runs only read them.
 */

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RATE = 8000;
/** Bump when the way clips are made changes without the recipe changing. */
const CORPUS_VERSION = 2;

/** What a clip is, as the test expects the analyser to say. */
export type CorpusLabel = 'human' | 'machine' | 'fax' | 'invalid_number' | 'silence';

/** One clip of the corpus. */
export interface CorpusClip {
  name: string;
  label: CorpusLabel;
  file: string;
  /** Machines: when the beep ends (ms from the start of the clip). */
  beepEndMs?: number;
  /** How it was made, for reading a confusion. */
  recipe: ClipRecipe;
}

type Part =
  | { kind: 'speech'; text: string; voice: string; speed: number; pitch: number }
  | { kind: 'silence'; ms: number }
  | { kind: 'tone'; hz: number; ms: number; level: number };

interface ClipRecipe {
  label: CorpusLabel;
  parts: Part[];
  /** Speech RMS in dBFS (tones keep their own level). */
  speechDbfs: number;
  noise: { color: 'whitenoise' | 'pinknoise'; snrDb: number } | null;
  codec: 'pcm16' | 'mulaw' | 'alaw';
}

const HUMAN_PHRASES = [
  'Hello?',
  'Hello.',
  'Yes?',
  'Hi, this is John.',
  'Hello, who is this?',
  'Speaking.',
  'Yeah, hello?',
  'Hi.',
  'Good morning.',
  'Hello, Sarah speaking.',
  'Yes, hello?',
  'Hey, what is up?',
];

const HUMAN_SECOND_PHRASES = ['Hello?', 'Anybody there?', 'Hello, can you hear me?', 'Who is this?'];

const SHORT_GREETINGS = ['Please leave a message.', 'Leave a message after the tone.', 'Not available.'];

const MACHINE_GREETINGS = [
  "Hi, you've reached John Smith. I can't take your call right now, please leave a message after the tone.",
  'Thank you for calling. Please leave your name, number and a short message after the beep.',
  'The person you are calling is not available. Please record your message after the tone.',
  "Hello, this is Maria. Sorry I missed your call. Leave a message and I'll call you back.",
  "You have reached the voicemail of extension four two one. I'm away from my desk, please leave a message.",
  "Hi, it's Tom. I can't get to the phone. Leave a message.",
  'Welcome to the mailbox of Doctor Adams. Please leave a detailed message after the tone and I will return your call.',
  "Hey, you've reached Alex. Leave a message.",
];

const VOICES = [
  'en-us',
  'en-gb',
  'en-gb-scotland',
  'en-029',
  'en-us+f3',
  'en-gb+f4',
  'en-us+m3',
  'en-gb-x-rp+f2',
];

/** A small deterministic generator (mulberry32), so the recipe is the same on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The recipe of every clip (deterministic). */
export function corpusRecipe(counts = { human: 44, machine: 30, fax: 4, sit: 4, silence: 4 }): Array<{
  name: string;
  recipe: ClipRecipe;
}> {
  const rnd = random(16);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const between = (lo: number, hi: number) => Math.round(lo + rnd() * (hi - lo));
  const noise = (): ClipRecipe['noise'] =>
    rnd() < 0.6 ? { color: rnd() < 0.5 ? 'whitenoise' : 'pinknoise', snrDb: between(10, 20) } : null;
  const codec = (): ClipRecipe['codec'] => {
    const r = rnd();
    return r < 0.3 ? 'mulaw' : r < 0.5 ? 'alaw' : 'pcm16';
  };
  const voice = () => ({ voice: pick(VOICES), pitch: between(25, 75) });
  const clips: Array<{ name: string; recipe: ClipRecipe }> = [];
  for (let i = 0; i < counts.human; i++) {
    const text = HUMAN_PHRASES[i % HUMAN_PHRASES.length] as string;
    const speech = (words: string): Part => ({
      kind: 'speech',
      text: words,
      speed: between(140, 200),
      ...voice(),
    });
    // Every fifth person says a second thing after a short pause, as people do when no one answers.
    const second =
      i % 5 === 4
        ? [{ kind: 'silence', ms: between(300, 600) } as Part, speech(pick(HUMAN_SECOND_PHRASES))]
        : [];
    clips.push({
      name: `human-${String(i).padStart(2, '0')}`,
      recipe: {
        label: 'human',
        parts: [
          { kind: 'silence', ms: between(150, 1200) },
          speech(text),
          ...second,
          { kind: 'silence', ms: 4000 },
        ],
        speechDbfs: between(-28, -16),
        noise: noise(),
        codec: codec(),
      },
    });
  }
  for (let i = 0; i < counts.machine; i++) {
    // Every sixth machine has a short greeting: the beep, not its length, gives it away.
    const short = i % 6 === 5;
    const text = (short ? pick(SHORT_GREETINGS) : MACHINE_GREETINGS[i % MACHINE_GREETINGS.length]) as string;
    clips.push({
      name: `machine-${String(i).padStart(2, '0')}`,
      recipe: {
        label: 'machine',
        parts: [
          { kind: 'silence', ms: between(100, 900) },
          { kind: 'speech', text, speed: between(150, 210), ...voice() },
          { kind: 'silence', ms: between(200, 800) },
          {
            kind: 'tone',
            hz: pick([440, 800, 1000, 1000, 1200, 1400, 1800]),
            ms: between(200, 900),
            level: -12,
          },
          { kind: 'silence', ms: 2000 },
        ],
        speechDbfs: between(-26, -16),
        noise: noise(),
        codec: codec(),
      },
    });
  }
  for (let i = 0; i < counts.fax; i++) {
    const cng = i % 2 === 0;
    const tone = (hz: number, ms: number): Part => ({ kind: 'tone', hz, ms, level: between(-20, -10) });
    clips.push({
      name: `fax-${i}`,
      recipe: {
        label: 'fax',
        parts: cng
          ? [
              { kind: 'silence', ms: between(100, 800) },
              tone(1100, 500),
              { kind: 'silence', ms: 3000 },
              tone(1100, 500),
            ]
          : [{ kind: 'silence', ms: between(100, 800) }, tone(2100, 3000), { kind: 'silence', ms: 500 }],
        speechDbfs: -20,
        noise: noise(),
        codec: codec(),
      },
    });
  }
  for (let i = 0; i < counts.sit; i++) {
    const level = between(-20, -12);
    const short = i % 2 === 0;
    clips.push({
      name: `sit-${i}`,
      recipe: {
        label: 'invalid_number',
        parts: [
          { kind: 'silence', ms: between(100, 600) },
          { kind: 'tone', hz: short ? 913.8 : 985.2, ms: short ? 274 : 380, level },
          { kind: 'tone', hz: short ? 1370.6 : 1428.5, ms: short ? 274 : 274, level },
          { kind: 'tone', hz: 1776.7, ms: 380, level },
          { kind: 'silence', ms: 300 },
          { kind: 'speech', text: 'The number you have dialed is not in service.', speed: 160, ...voice() },
          { kind: 'silence', ms: 1000 },
        ],
        speechDbfs: -20,
        noise: noise(),
        codec: codec(),
      },
    });
  }
  for (let i = 0; i < counts.silence; i++)
    clips.push({
      name: `silence-${i}`,
      recipe: {
        label: 'silence',
        parts: [{ kind: 'silence', ms: 6000 }],
        speechDbfs: -20,
        noise: i === 0 ? null : { color: i % 2 ? 'whitenoise' : 'pinknoise', snrDb: between(10, 20) },
        codec: codec(),
      },
    });
  return clips;
}

async function toolVersions(): Promise<string> {
  const espeak = await run('espeak-ng', ['--version']);
  const sox = await run('sox', ['--version']);
  return `${espeak.stdout.trim()} ${sox.stdout.trim()}`;
}

/** Runs `jobs` with at most `limit` at a time. */
async function inParallel<T>(jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await (jobs[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

function readPcm(path: string): Int16Array {
  const wav = readWav(readFileSync(path));
  if (wav.sampleRate !== RATE) throw new Error(`${path}: ${wav.sampleRate} Hz, expected ${RATE}`);
  return wav.samples;
}

function rms(samples: Float64Array | Int16Array): number {
  let sum = 0;
  for (const v of samples) sum += v * v;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** RMS of the speech's active part (frames within 30 dB of the loudest), as speech levels are measured. */
function activeRms(samples: Float64Array): number {
  const frames: number[] = [];
  for (let at = 0; at + 160 <= samples.length; at += 160) frames.push(rms(samples.subarray(at, at + 160)));
  const loudest = Math.max(...frames, 1);
  const active = frames.filter((f) => f > loudest / 31.6);
  return Math.sqrt(active.reduce((s, f) => s + f * f, 0) / Math.max(1, active.length));
}

async function buildClip(
  outDir: string,
  finalDir: string,
  work: string,
  name: string,
  recipe: ClipRecipe,
  noises: Record<string, Int16Array>,
  seed: number,
): Promise<CorpusClip> {
  const pieces: Float64Array[] = [];
  let beepEndMs: number | undefined;
  let speechPower = 0;
  let speechSamples = 0;
  let at = 0;
  for (const [index, part] of recipe.parts.entries()) {
    let piece: Float64Array;
    if (part.kind === 'silence') piece = new Float64Array(Math.round((part.ms * RATE) / 1000));
    else if (part.kind === 'tone') {
      const file = join(work, `${name}-${index}.wav`);
      const amplitude = 10 ** (part.level / 20);
      await run('sox', [
        '-n',
        '-r',
        String(RATE),
        '-b',
        '16',
        '-c',
        '1',
        file,
        'synth',
        String(part.ms / 1000),
        'sine',
        String(part.hz),
        'vol',
        amplitude.toFixed(4),
      ]);
      piece = Float64Array.from(readPcm(file));
      if (recipe.label === 'machine') beepEndMs = Math.round(((at + piece.length) * 1000) / RATE);
    } else {
      const raw = join(work, `${name}-${index}-raw.wav`);
      const file = join(work, `${name}-${index}.wav`);
      await run('espeak-ng', [
        '-v',
        part.voice,
        '-s',
        String(part.speed),
        '-p',
        String(part.pitch),
        '-w',
        raw,
        part.text,
      ]);
      // sox's own resampler, so the corpus does not lean on pconn's
      await run('sox', [raw, '-r', String(RATE), '-b', '16', '-c', '1', file]);
      const speech = Float64Array.from(readPcm(file));
      const gain = (32768 * 10 ** (recipe.speechDbfs / 20)) / Math.max(1, activeRms(speech));
      for (let i = 0; i < speech.length; i++) speech[i] = (speech[i] ?? 0) * gain;
      const level = activeRms(speech);
      speechPower += level * level * speech.length;
      speechSamples += speech.length;
      piece = speech;
    }
    pieces.push(piece);
    at += piece.length;
  }
  const mixed = new Float64Array(at);
  let offset = 0;
  for (const piece of pieces) {
    mixed.set(piece, offset);
    offset += piece.length;
  }
  if (recipe.noise) {
    // Noise against the speech level (or a -20 dBFS talker when the clip has no speech).
    const signalRms = speechSamples ? Math.sqrt(speechPower / speechSamples) : 32768 * 0.1;
    const source = noises[recipe.noise.color] as Int16Array;
    const gain = signalRms / 10 ** (recipe.noise.snrDb / 20) / Math.max(1, rms(source));
    const start = Math.floor(random(seed)() * (source.length - mixed.length));
    for (let i = 0; i < mixed.length; i++) mixed[i] = (mixed[i] ?? 0) + gain * (source[start + i] ?? 0);
  }
  let pcm: Int16Array = Int16Array.from(mixed, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
  if (recipe.codec === 'mulaw') pcm = decodeMulaw(encodeMulaw(pcm));
  if (recipe.codec === 'alaw') pcm = decodeAlaw(encodeAlaw(pcm));
  // G.711 clips are stored as G.711 WAV (formats 7/6), so reading them is exercised too.
  writeFileSync(join(outDir, `${name}.wav`), writeWav(pcm, RATE, recipe.codec));
  return {
    name,
    label: recipe.label,
    file: join(finalDir, `${name}.wav`),
    ...(beepEndMs !== undefined ? { beepEndMs } : {}),
    recipe,
  };
}

/**
 * The corpus, built on first use and cached. Needs espeak-ng and sox on PATH (callers skip or
 * fail with test/e2e/support/required-tool.ts first).
 */
export async function loadAmdCorpus(): Promise<CorpusClip[]> {
  const recipe = corpusRecipe();
  const hash = createHash('sha256')
    .update(JSON.stringify({ CORPUS_VERSION, recipe, tools: await toolVersions() }))
    .digest('hex')
    .slice(0, 16);
  const dir = join(ROOT, '.cache', 'amd-corpus', hash);
  const index = join(dir, 'clips.json');
  if (existsSync(index)) return JSON.parse(readFileSync(index, 'utf8')) as CorpusClip[];
  // One build per machine even when several test files start at once: the first to take the lock
  // builds, the others wait for its finished folder instead of spending the same CPU again.
  const lock = `${dir}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  while (!takeLock(lock)) {
    if (existsSync(index)) return JSON.parse(readFileSync(index, 'utf8')) as CorpusClip[];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    if (existsSync(index)) return JSON.parse(readFileSync(index, 'utf8')) as CorpusClip[];
    return await buildCorpus(recipe, dir, index);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Takes the build lock (a folder naming its holder's pid, made atomically). A lock whose holder
 * died (a killed test run) is taken over, so a crash never leaves later runs waiting forever.
 */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock, { recursive: false });
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  let holder = Number.NaN;
  try {
    holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // The holder made the folder but has not written its pid yet: wait for it (unless it died
    // in that instant long ago).
    if (ageMs(lock) < 60_000) return false;
  }
  if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) return false;
  // Taken over by renaming the dead holder's lock away first, so two waiters cannot both take it.
  try {
    renameSync(lock, `${lock}.stale-${process.pid}`);
  } catch {
    return false;
  }
  rmSync(`${lock}.stale-${process.pid}`, { recursive: true, force: true });
  return takeLock(lock);
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function buildCorpus(
  recipe: ReturnType<typeof corpusRecipe>,
  dir: string,
  index: string,
): Promise<CorpusClip[]> {
  // Built in a private folder and renamed into place, so a concurrent run never reads half a corpus.
  const building = `${dir}.building-${process.pid}`;
  const work = join(building, 'work');
  mkdirSync(work, { recursive: true });
  const noises: Record<string, Int16Array> = {};
  for (const color of ['whitenoise', 'pinknoise']) {
    const file = join(work, `${color}.wav`);
    await run('sox', [
      '-n',
      '-r',
      String(RATE),
      '-b',
      '16',
      '-c',
      '1',
      file,
      'synth',
      '30',
      color,
      'vol',
      '0.3',
    ]);
    noises[color] = readPcm(file);
  }
  const clips = await inParallel(
    recipe.map(
      ({ name, recipe: r }, i) =>
        () =>
          buildClip(building, dir, work, name, r, noises, i + 1),
    ),
    Math.max(2, cpus().length * 2),
  );
  rmSync(work, { recursive: true, force: true });
  writeFileSync(join(building, 'clips.json'), JSON.stringify(clips, null, 1));
  try {
    renameSync(building, dir);
  } catch (error) {
    // Another run finished first: use its corpus (the same recipe, so the same clips).
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(index)) throw error;
  }
  return clips;
}
