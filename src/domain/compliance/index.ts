/** Pure compliance rules: calling windows across zones and DST, DNC, consent, attempt caps. */
export {
  type CallingWindow,
  isWithinWindow,
  nextCommonOpening,
  nextWindowOpening,
} from './calling-window.ts';
export { type CallFacts, type Decision, evaluateCall, type RuleResult } from './evaluate-call.ts';
export { isValidTimeZone, type ZoneResolution, zoneForContact } from './zone-for-contact.ts';
