/**
 * Static types of the compiled subset, with the reference typechecker's assignability
 * rule (an unknown type on either side is accepted, so only certain mismatches are
 * reported) and display names ("number", "string[]", "(number) -> bool", "?").
 */

export type AtlasType =
  | { readonly kind: 'number' | 'string' | 'bool' | 'null' | 'void' | 'unknown' | 'json' }
  | { readonly kind: 'array'; readonly element: AtlasType }
  /** `typeParams`: a generic function's type parameters, inferred at each call. */
  | { readonly kind: 'function'; readonly params: readonly AtlasType[]; readonly returns: AtlasType; readonly typeParams?: readonly string[] }
  /** `Option<T>` or `Result<T, E>`. */
  | { readonly kind: 'generic'; readonly name: 'Option' | 'Result'; readonly args: readonly AtlasType[] }
  /**
   * A generic function's type parameter (`T` in `fn id<T>(x: T) -> T`). Inside the
   * function it is accepted wherever a type is expected, like the unknown type; at a call
   * it is inferred from the arguments (`generics.ts`).
   */
  | { readonly kind: 'param'; readonly name: string };

export type FunctionType = Extract<AtlasType, { kind: 'function' }>;

export type PrimitiveKind = 'number' | 'string' | 'bool' | 'null' | 'void' | 'unknown' | 'json';

export const T = {
  number: { kind: 'number' },
  string: { kind: 'string' },
  bool: { kind: 'bool' },
  null: { kind: 'null' },
  void: { kind: 'void' },
  unknown: { kind: 'unknown' },
  json: { kind: 'json' },
} as const satisfies Record<PrimitiveKind, AtlasType>;

export function arrayOf(element: AtlasType): AtlasType {
  return { kind: 'array', element };
}

/** Unknown, or a type parameter, which is checked no more than unknown is. */
export function isUnknown(t: AtlasType): boolean {
  return t.kind === 'unknown' || t.kind === 'param';
}

/** Whether a value of type `from` may be stored where `to` is expected. */
export function isAssignable(from: AtlasType, to: AtlasType): boolean {
  if (isUnknown(from) || isUnknown(to)) return true;
  if (from.kind === 'generic' && to.kind === 'generic') {
    return from.name === to.name && from.args.length === to.args.length && from.args.every((a, i) => isAssignable(a, to.args[i]!));
  }
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
    case 'generic': return `${t.name}<${t.args.map(displayType).join(', ')}>`;
    case 'param': return t.name;
    case 'unknown': return '?';
    default: return t.kind;
  }
}
