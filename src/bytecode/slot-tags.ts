/**
 * What the flow analysis knows about a frame's stack slots: which slots statically hold a
 * function constant (a tag: the constant's index); every other slot is UNKNOWN.
 *
 * Only the known slots are stored, as an immutable list of (height, tag) pairs by increasing
 * height (height = slot index from the frame base), all below the current depth, and at most
 * MAX_KNOWN_SLOTS of them. So every operation costs at most that bound — a local deep below a
 * tall stack is found without walking the stack, and a state is copied only when a known slot
 * changes — which keeps the analysis linear in the code length. Past the bound the oldest
 * known slot is forgotten (becomes UNKNOWN): a call through it is then just not resolved
 * statically, which is always safe.
 */

/** The tag of a slot whose value is not statically one function constant. */
export const UNKNOWN = -1;

/** The most slots a state remembers as known. */
export const MAX_KNOWN_SLOTS = 32;

export interface KnownSlot {
  readonly height: number;
  readonly tag: number;
}

/** The known slots of a state, by increasing height, all below its depth. */
export type Slots = readonly KnownSlot[];

/** A frame's entry state: its arguments are not known. */
export const NO_KNOWN_SLOTS: Slots = [];

/** The slots after pushing `tag` on a stack of `depth` values. */
export function push(slots: Slots, depth: number, tag: number): Slots {
  if (tag === UNKNOWN) return slots;
  const kept = slots.length >= MAX_KNOWN_SLOTS ? slots.slice(1) : slots;
  return [...kept, { height: depth, tag }];
}

/** The slots after popping a stack of `depth` values down to `base` (pushed results are UNKNOWN). */
export function popTo(slots: Slots, base: number): Slots {
  let keep = slots.length;
  while (keep > 0 && slots[keep - 1]!.height >= base) keep--;
  return keep === slots.length ? slots : slots.slice(0, keep);
}

/** The tag of the slot at `height`. */
export function tagAt(slots: Slots, height: number): number {
  for (let i = slots.length - 1; i >= 0 && slots[i]!.height >= height; i--) {
    if (slots[i]!.height === height) return slots[i]!.tag;
  }
  return UNKNOWN;
}

/** `slots` with the slot at `height` (below the depth) tagged `tag`; `slots` itself if it already is. */
export function withTag(slots: Slots, height: number, tag: number): Slots {
  if (tagAt(slots, height) === tag) return slots;
  const others = slots.filter((s) => s.height !== height);
  if (tag === UNKNOWN) return others;
  const kept = others.length >= MAX_KNOWN_SLOTS ? others.slice(1) : others;
  const at = kept.findIndex((s) => s.height > height);
  return at < 0 ? [...kept, { height, tag }] : [...kept.slice(0, at), { height, tag }, ...kept.slice(at)];
}

/** Slot-wise meet of two states of one depth: equal tags survive. Returns `known` if unchanged. */
export function mergeSlots(known: Slots, incoming: Slots): Slots {
  if (known === incoming) return known;
  const merged = known.filter((s) => tagAt(incoming, s.height) === s.tag);
  return merged.length === known.length ? known : merged;
}
