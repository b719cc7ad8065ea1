/**
 * media_frame_cost (a reference for media_legs): the CPU of each part of a leg's 20 ms, in one
 * process without sockets, best CPU time of 15 rounds of 20,000 frames — the answer detector on speech
 * over noise, the receiving half (parse, account, reorder, decode to the frame listener) and the
 * sending half (a frame played: copy, encode, header). media_legs_floor gives the sockets' share.
 */
import { AnswerDetector } from '../src/media/answer-detector.ts';
import { encodeG711 } from '../src/media/g711.ts';
import { serializeRtp } from '../src/telephony/rtp/rtp-packet.ts';
import { RtpReceiver } from '../src/telephony/rtp/rtp-receiver.ts';
import { RtpSender } from '../src/telephony/rtp/rtp-sender.ts';
import { contactAudio } from './support/contact-audio.ts';

const FRAMES = 20_000;

/**
 * Best µs of CPU per frame of `round` (which handles FRAMES frames) over 15 rounds: CPU time,
 * not wall time, so the time this process waits for a core on a busy machine does not count.
 */
function microsPerFrame(round: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 15; r++) {
    const started = process.cpuUsage();
    round();
    const used = process.cpuUsage(started);
    best = Math.min(best, used.user + used.system);
  }
  return best / FRAMES;
}

export async function mediaFrameCost(): Promise<string> {
  const audio = contactAudio(Math.ceil((FRAMES * 160) / 8000));
  const frames = Array.from({ length: FRAMES }, (_, i) => audio.subarray(i * 160, i * 160 + 160));
  const analysis = microsPerFrame(() => {
    let detector = new AnswerDetector();
    for (const frame of frames) {
      detector.push(frame);
      if (!detector.listening) detector = new AnswerDetector();
    }
  });
  const packets = frames.map((frame, i) =>
    serializeRtp({
      payloadType: 0,
      sequence: i & 0xffff,
      timestamp: i * 160,
      ssrc: 1,
      payload: encodeG711('PCMU', frame),
    }),
  );
  const receiving = microsPerFrame(() => {
    const receiver = new RtpReceiver({ onFrame: () => {} });
    for (let i = 0; i < packets.length; i++) receiver.receive(packets[i] as Buffer, i * 20);
  });
  const sending = microsPerFrame(() => {
    const sender = new RtpSender({
      codec: 'PCMU',
      payloadType: 0,
      ssrc: 1,
      send: () => true,
      sendWhenIdle: true,
    });
    void sender.play(audio);
    for (let i = 0; i < FRAMES; i++) sender.tick(i * 20, 20);
  });
  const f = (n: number) => n.toFixed(2);
  return `media_frame_cost: analysis ${f(analysis)} µs, receiving half ${f(receiving)} µs, sending half ${f(sending)} µs per 20 ms frame (reference; no sockets: media_legs_floor measures those)`;
}
