/**
 * Static types of the compiled subset, with the reference typechecker's assignability
 * rule (an unknown type on either side is accepted, so only certain mismatches are
 * reported) and display names ("number", "string[]", "(number) -> bool", "?").
 */

export type AtlasType =
  | { readonly kind: 'number' | 'string' | 'bool' | 'null' | 'void' | 'unknown' }
  | { readonly kind: 'array'; readonly element: AtlasType }
  | { readonly kind: 'function'; readonly params: readonly AtlasType[]; readonly returns: AtlasType };

export type FunctionType = Extract<AtlasType, { kind: 'function' }>;

export type PrimitiveKind = 'number' | 'string' | 'bool' | 'null' | 'void' | 'unknown';

export const T = {
  number: { kind: 'number' },
  string: { kind: 'string' },
  bool: { kind: 'bool' },
  null: { kind: 'null' },
  void: { kind: 'void' },
  unknown: { kind: 'unknown' },
} as const satisfies Record<PrimitiveKind, AtlasType>;

export function arrayOf(element: AtlasType): AtlasType {
  return { kind: 'array', element };
}

export function isUnknown(t: AtlasType): boolean {
  return t.kind === 'unknown';
}

/** Whether a value of type `from` may be stored where `to` is expected. */
export function isAssignable(from: AtlasType, to: AtlasType): boolean {
  if (from.kind === 'unknown' || to.kind === 'unknown') return true;
  if (from.kind === 'array' && to.kind === 'array') return isAssignable(from.element, to.element);
  if (from.kind === 'function' && to.kind === 'function') {
    return from.params.length === to.params.length
      && from.params.every((p, i) => isAssignable(p, to.params[i]!))
      && isAssignable(from.returns, to.returns);
  }
  return from.kind === to.kind;
}

/** Whether two types can hold a common value (the condition `==` and `!=` check). */
export function overlaps(a: AtlasType, b: AtlasType): boolean {
  return isAssignable(a, b) || isAssignable(b, a);
}

export function displayType(t: AtlasType): string {
  switch (t.kind) {
    case 'array': return `${displayType(t.element)}[]`;
    case 'function': return `(${t.params.map(displayType).join(', ')}) -> ${displayType(t.returns)}`;
    case 'unknown': return '?';
    default: return t.kind;
  }
}
