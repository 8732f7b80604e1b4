/**
 * Type-argument inference for calls of generic functions, as the reference's: each
 * argument's type is unified with its parameter's, binding type parameters (a parameter
 * bound twice must unify with its first binding; the unknown type unifies with anything
 * and binds a parameter to itself); the call's type is the return type with the bindings
 * substituted.
 */
import type { AtlasType } from './types.js';

export type Bindings = Map<string, AtlasType>;

/** Unifies `expected` (a parameter's type) with `actual`; false when they cannot match. */
export function unify(expected: AtlasType, actual: AtlasType, bindings: Bindings): boolean {
  const e = substitute(expected, bindings);
  const a = substitute(actual, bindings);
  if (e.kind === 'param') return bind(e.name, a, bindings);
  if (a.kind === 'param') return bind(a.name, e, bindings);
  if (e.kind === 'unknown' || a.kind === 'unknown') return true;
  switch (e.kind) {
    case 'array': return a.kind === 'array' && unify(e.element, a.element, bindings);
    case 'function':
      return a.kind === 'function' && e.params.length === a.params.length
        && e.params.every((p, i) => unify(p, a.params[i]!, bindings)) && unify(e.returns, a.returns, bindings);
    case 'generic':
      return a.kind === 'generic' && e.name === a.name && e.args.length === a.args.length
        && e.args.every((arg, i) => unify(arg, a.args[i]!, bindings));
    default: return e.kind === a.kind;
  }
}

function bind(name: string, type: AtlasType, bindings: Bindings): boolean {
  const existing = bindings.get(name);
  if (existing !== undefined) return unify(existing, type, bindings);
  if (type.kind !== 'param' && mentions(type, name)) return false; // T = Option<T> has no solution
  if (type.kind === 'param' && type.name === name) return true;
  bindings.set(name, type);
  return true;
}

function mentions(type: AtlasType, name: string): boolean {
  switch (type.kind) {
    case 'param': return type.name === name;
    case 'array': return mentions(type.element, name);
    case 'generic': return type.args.some((arg) => mentions(arg, name));
    case 'function': return type.params.some((p) => mentions(p, name)) || mentions(type.returns, name);
    default: return false;
  }
}

/** `type` with every bound type parameter replaced by its binding. */
export function substitute(type: AtlasType, bindings: Bindings): AtlasType {
  switch (type.kind) {
    case 'param': {
      const bound = bindings.get(type.name);
      return bound === undefined || bound === type ? type : substitute(bound, bindings);
    }
    case 'array': return { kind: 'array', element: substitute(type.element, bindings) };
    case 'generic': return { kind: 'generic', name: type.name, args: type.args.map((arg) => substitute(arg, bindings)) };
    case 'function':
      return { kind: 'function', params: type.params.map((p) => substitute(p, bindings)), returns: substitute(type.returns, bindings) };
    default: return type;
  }
}
