/**
 * What the flow analysis knows about each stack slot of a frame: a tag per slot, either the
 * index of the function constant the slot statically holds or UNKNOWN. A frame's tags are an
 * immutable linked stack (top first): successors share tails, so the per-instruction copy the
 * analysis keeps costs one node per push instead of a copy of the whole stack.
 */

/** The tag of a slot whose value is not statically one function constant. */
export const UNKNOWN = -1;

/** An immutable stack of slot tags (top first); `null` is the empty stack. */
export interface Slots {
  readonly tag: number;
  readonly below: Slots | null;
}

/** `depth` UNKNOWN slots: a frame's entry state (its arguments are not known). */
export function unknownSlots(depth: number): Slots | null {
  let slots: Slots | null = null;
  for (let i = 0; i < depth; i++) slots = { tag: UNKNOWN, below: slots };
  return slots;
}

export function push(slots: Slots | null, tag: number): Slots {
  return { tag, below: slots };
}

/** Pops `pops` slots and pushes `pushes` UNKNOWN ones; the caller guarantees the depth. */
export function popPush(slots: Slots | null, pops: number, pushes: number): Slots | null {
  let out = slots;
  for (let i = 0; i < pops; i++) out = out!.below;
  for (let i = 0; i < pushes; i++) out = { tag: UNKNOWN, below: out };
  return out;
}

/** The tag `index` slots below the top (0 = top); the caller guarantees the slot exists. */
export function nth(slots: Slots | null, index: number): number {
  let node = slots;
  for (let i = 0; i < index; i++) node = node!.below;
  return node!.tag;
}

/** `slots` with the tag `index` below the top replaced (`slots` itself when it already is `tag`). */
export function replaceAt(slots: Slots, index: number, tag: number): Slots {
  // Iterative, because frames can be deep: copy the `index` nodes above the replaced one.
  const above: number[] = [];
  let node = slots;
  for (let i = 0; i < index; i++) {
    above.push(node.tag);
    node = node.below!;
  }
  if (node.tag === tag) return slots;
  let out: Slots = { tag, below: node.below };
  for (let i = above.length - 1; i >= 0; i--) out = { tag: above[i]!, below: out };
  return out;
}

/** Slot-wise meet: equal tags survive, differing ones become UNKNOWN. Returns `known` if unchanged. */
export function mergeSlots(known: Slots | null, incoming: Slots | null, depth: number): Slots | null {
  if (known === incoming) return known;
  const tags: number[] = [];
  let changed = false;
  let a = known;
  let b = incoming;
  for (let i = 0; i < depth && a !== b; i++) {
    const tag = a!.tag === b!.tag ? a!.tag : UNKNOWN;
    if (tag !== a!.tag) changed = true;
    tags.push(tag);
    a = a!.below;
    b = b!.below;
  }
  if (!changed) return known;
  let out = a; // the shared (or exhausted) tail
  for (let i = tags.length - 1; i >= 0; i--) out = { tag: tags[i]!, below: out };
  return out;
}
