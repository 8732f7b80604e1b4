// The contract between the addon (native/src) and its TypeScript wrapper (src/jit/native/),
// checked in one place: what the wrapper mirrors by hand must equal what the Rust side
// reports, and the committed declarations (native/native.d.ts, which types the loader) must
// name exactly what the built addon exports. A change on either side alone fails here.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as NativeAddon from '../native/native.js';
import {
  COMPILE_THREAD_PRIORITIES, CONSTANT_KINDS, EXIT_HEADER_KIND, EXIT_SLOT_KINDS, INVOKE_AREA, InvokeStatus, MAX_FUNCTIONS, NATIVE_TYPES, nativeAddonPath,
  type NativeExit, type NativeInputRule, type RefusalReason, TrapCode,
} from '../src/jit/native.js';
import { BUILTIN_GLOBAL_NAMES } from '../src/jit/builtin-globals.js';
import { DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_SIZE } from '../src/vm/index.js';

const addon = createRequire(import.meta.url)(nativeAddonPath()) as typeof NativeAddon;
const contract = addon.contract();

// Each member of a union the wrapper declares, listed once: a name missing here or unknown
// to the union is a compile error, so these lists are the unions.
const REFUSAL_REASONS: Record<RefusalReason, true> = {
  UnsupportedOpcode: true, NonNumberConstant: true, FrameUnderflow: true, SetLocalUnderflow: true,
  MissingTerminator: true, JumpOutOfBody: true, MergeMismatch: true, UnknownCallee: true, UntypedValue: true,
  CalleeReturnType: true, TooLarge: true, AlwaysExits: true,
};
const INPUT_RULES: Record<NativeInputRule, true> = {
  InvalidRange: true, UnknownOpcode: true, TruncatedInstruction: true, ConstantOutOfRange: true,
  LocalOutOfRange: true, StackUnderflow: true,
};
const EXITS: Record<NativeExit, true> = { return: true, halt: true, trap: true, sideExit: true };

const sorted = (names: readonly string[]): string[] => [...names].sort();

/** An export of the addon as the runtime object it is (the declarations make enums `const`). */
function exported(name: string): Record<string, unknown> {
  return { ...(addon as unknown as Record<string, object>)[name] };
}

/** A TypeScript numeric enum without its reverse (number → name) entries. */
function forward(enumObject: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(enumObject).filter(([key]) => Number.isNaN(Number(key))));
}

test('the invoke area has the layout the Rust side reports', (t) => {
  const { argSlots, valueSlot, f64Length, controlByteOffset, controlWords, control, exitKindsByteOffset, globalsByteOffset, globalSlots } = contract;
  t.deepEqual({ argSlots, valueSlot, f64Length, controlByteOffset, controlWords, control, exitKindsByteOffset, globalsByteOffset, globalSlots }, INVOKE_AREA);
});

test('status and trap codes are the Rust enums', (t) => {
  t.deepEqual(exported('InvokeStatus'), { ...InvokeStatus });
  t.deepEqual(exported('TrapCode'), forward(TrapCode));
});

test('value and constant kinds have the Rust codes', (t) => {
  t.deepEqual(contract.valueKinds, NATIVE_TYPES);
  t.deepEqual(contract.constantKinds, CONSTANT_KINDS);
  t.deepEqual(contract.exitSlotKinds, EXIT_SLOT_KINDS);
  t.is(contract.exitHeaderKind, EXIT_HEADER_KIND);
  t.deepEqual(contract.builtinGlobals, BUILTIN_GLOBAL_NAMES, 'math builtins and constants have the Rust codes');
  // A Return's status is its value kind's code.
  t.is(NATIVE_TYPES[InvokeStatus.Bool], 'bool');
});

test('the names that cross as strings are the Rust ones', (t) => {
  t.deepEqual(sorted(contract.refusalReasons), sorted(Object.keys(REFUSAL_REASONS)));
  t.deepEqual(sorted(contract.inputRules), sorted(Object.keys(INPUT_RULES)));
  t.deepEqual(sorted(contract.exits), sorted(Object.keys(EXITS)));
  t.deepEqual(contract.compilePriorities, COMPILE_THREAD_PRIORITIES);
});

test('limits agree: module size, and the interpreter defaults the invoke area starts with', (t) => {
  t.is(addon.MAX_FUNCTIONS, MAX_FUNCTIONS);
  t.is(contract.defaultFramesLeft, DEFAULT_MAX_CALL_DEPTH);
  t.is(contract.defaultSlotsLeft, DEFAULT_MAX_STACK_SIZE);
});

test('the committed native.d.ts declares exactly what the built addon exports', (t) => {
  const declarations = readFileSync(new URL('../../native/native.d.ts', import.meta.url), 'utf8');
  const declared = [...declarations.matchAll(/^export declare (?:function|const enum|const) (\w+)/gm)].map((m) => m[1]!);
  t.deepEqual(sorted(declared), sorted(Object.keys(addon)));
  // The enums' values too: they are all the declarations carry besides names and types.
  for (const [, name, body] of declarations.matchAll(/^export declare const enum (\w+) \{([^}]*)\}/gm)) {
    const members = Object.fromEntries([...body!.matchAll(/^\s*(\w+) = (\d+),?$/gm)].map((m) => [m[1]!, Number(m[2])]));
    t.deepEqual(members, exported(name!), name);
  }
});
