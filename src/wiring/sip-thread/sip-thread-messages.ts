/**
 * The messages between the node's thread and the SIP thread (sip-thread.ts). Each side gathers
 * what it has to say over one turn of its event loop and posts it as ONE array, so the threads
 * exchange a message per batch of legs, not per SIP event (a bridged call is ~15 SIP messages
 * and a dozen leg events).
 */
import type { LegEvent, LegRequest } from '../../domain/telephony.ts';
import type { SipListenInfo } from '../../telephony/sip-driver/listen-addresses.ts';
import type { SipDriverOptions } from '../../telephony/sip-driver.ts';

/** What the SIP thread is started with: the driver's settings that are data (hooks stay here). */
export type SipThreadSettings = Omit<
  SipDriverOptions,
  NoteHook | 'directory' | 'nonceLedger' | 'now' | 'onBindingsWritten'
>;

/** The node thread's hooks the SIP thread awaits an answer from (the store behind them). */
export type SipAsk =
  | { hook: 'tenantTrunk'; tenantId: string }
  | { hook: 'allTrunks' }
  | { hook: 'deviceUsers'; username: string }
  | { hook: 'useNonce'; nonce: string; nc: number; expiresAt: number }
  | { hook: 'bindingsWritten'; written: Parameters<NonNullable<SipDriverOptions['onBindingsWritten']>>[0] };

/** The node thread's hooks the SIP thread only tells (metrics, log lines). */
export type SipNote = {
  [K in NoteHook]: { hook: K; value: Parameters<NonNullable<SipDriverOptions[K]>>[0] };
}[NoteHook];

/** The driver's hooks that only report (no answer awaited). */
export type NoteHook =
  | 'onError'
  | 'onTransactionEvent'
  | 'onDroppedMessage'
  | 'onTrunkHealth'
  | 'onRegisterRefused'
  | 'onEveryRegisterRefusal'
  | 'onBindingChange';

/** The driver's methods, as the node thread asks the SIP thread (`id` numbers the answer). */
export type SipCommand =
  | { op: 'dial'; request: LegRequest }
  | { op: 'bridge'; id: number; a: string; b: string }
  | { op: 'play'; id: number; legId: string; audio: Int16Array }
  | { op: 'hold'; id: number; legId: string }
  | { op: 'hangup'; id: number; legId: string }
  | { op: 'close'; id: number }
  /** The answer to the SIP thread's `ask` number `id`. */
  | { op: 'answer'; id: number; ok: true; value: unknown }
  | { op: 'answer'; id: number; ok: false; error: Error };

/** What the SIP thread reports. */
export type SipReport =
  | { kind: 'leg'; legId: string; event: LegEvent }
  | { kind: 'done'; id: number; ok: true; value: unknown }
  | { kind: 'done'; id: number; ok: false; error: Error }
  | ({ kind: 'ask'; id: number } & SipAsk)
  | ({ kind: 'note' } & SipNote);

/** The SIP thread's first message: its socket is bound (or it could not start). */
export type SipThreadStart =
  | { ready: true; listenInfo: SipListenInfo; address: { host: string; port: number } }
  | { ready: false; error: Error };

/** How a leg ends that the SIP driver could not place (its request failed on the way). */
export const LEG_NOT_PLACED: LegEvent = {
  type: 'ended',
  status: 500,
  reason: 'Server Internal Error',
  by: 'local',
};

/** A failure as an Error, so that it crosses threads with its message (a thrown string would not say much). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
