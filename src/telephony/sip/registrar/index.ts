/** Registrar (RFC 3261 §10): bindings store and REGISTER handling with digest authentication. */
export { type Binding, type BindingChange, BindingStore } from './binding-store.ts';
export { Registrar, type RegistrarAccount, type RegistrarOptions } from './registrar.ts';
