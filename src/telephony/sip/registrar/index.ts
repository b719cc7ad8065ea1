/** Registrar (RFC 3261 §10): bindings store and REGISTER handling with digest authentication. */
export { type Binding, type BindingChange, BindingStore, type BindingsWritten } from './binding-store.ts';
/** Password-guessing brake (per user and per source host). */
export {
  type Lockout,
  type LockoutScope,
  RegisterLockout,
  type RegisterLockoutOptions,
} from './register-lockout.ts';
/** What a refused REGISTER, and a new or removed binding, are reported as. */
export type { BindingChangeReport, RegisterRefusal, RegisterRefusalReason } from './register-refusal.ts';
/** The REGISTER handler and the challenges it sends by default. */
export {
  DEFAULT_REGISTER_LOCKOUT,
  DEFAULT_REGISTRAR_ALGORITHMS,
  Registrar,
  type RegistrarAccount,
  type RegistrarOptions,
} from './registrar.ts';
