/**
 * The syntax tree of the Atlas subset (docs/bytecode.md §6.3). Every node carries the span the
 * reference parser gives it, because the code generator copies those spans into the
 * debug table (docs/bytecode.md §6.5): binary nodes run from the left operand's start to the right
 * operand's end, a parenthesised expression includes its parentheses, statements end at
 * their `;` or `}`.
 */
import type { Span } from '../bytecode/bytecode.js';

// ---- types -------------------------------------------------------------------------

export type TypeNode =
  | { readonly kind: 'named'; readonly name: string; readonly span: Span }
  | { readonly kind: 'array'; readonly element: TypeNode; readonly span: Span }
  /** `Name<A, B>` (`Option<number>`, `Result<number, string>`). */
  | { readonly kind: 'generic'; readonly name: string; readonly args: readonly TypeNode[]; readonly span: Span }
  | { readonly kind: 'function'; readonly params: readonly TypeNode[]; readonly returns: TypeNode; readonly span: Span };

// ---- expressions -------------------------------------------------------------------

export interface Identifier {
  readonly kind: 'identifier';
  readonly name: string;
  readonly span: Span;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type LogicalOp = '&&' | '||';
export type BinaryOp = ArithmeticOp | ComparisonOp | LogicalOp;
export type UnaryOp = '-' | '!';

export interface IndexExpr {
  readonly kind: 'index';
  readonly target: Expr;
  readonly index: Expr;
  /** target..`]` */
  readonly span: Span;
}

export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly span: Span }
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  | { readonly kind: 'bool'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'null'; readonly span: Span }
  | Identifier
  | { readonly kind: 'group'; readonly inner: Expr; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly operand: Expr; readonly span: Span }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
  | { readonly kind: 'call'; readonly callee: Expr; readonly args: readonly Expr[]; readonly span: Span }
  | { readonly kind: 'array'; readonly elements: readonly Expr[]; readonly span: Span }
  | IndexExpr
  | MemberExpr;

/**
 * `target.name(args)`, a method call (docs/language.md: arrays and json). `args` is
 * undefined for `target.name` without parentheses. The span runs from the target's start
 * to the `)` (or the name).
 */
export interface MemberExpr {
  readonly kind: 'member';
  readonly target: Expr;
  readonly name: Identifier;
  readonly args: readonly Expr[] | undefined;
  readonly span: Span;
}

export type ExprKind = Expr['kind'];

/** The expressions directly inside `e`, in source order (for walks that only act on some kinds). */
export function subexpressions(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'number': case 'string': case 'bool': case 'null': case 'identifier': return [];
    case 'group': return [e.inner];
    case 'unary': return [e.operand];
    case 'binary': return [e.left, e.right];
    case 'call': return [e.callee, ...e.args];
    case 'array': return e.elements;
    case 'index': return [e.target, e.index];
    case 'member': return [e.target, ...(e.args ?? [])];
  }
}

// ---- statements --------------------------------------------------------------------

/** What may stand left of `=`, `op=`, `++`, `--` (docs/bytecode.md §6.3 simpleStmt). */
export type AssignTarget = Identifier | IndexExpr;

export interface Block {
  readonly statements: readonly Stmt[];
  /** `{`..`}` */
  readonly span: Span;
}

export interface VarDecl {
  readonly kind: 'var';
  /** `var` is mutable, `let` is not. */
  readonly mutable: boolean;
  readonly name: Identifier;
  readonly type: TypeNode | undefined;
  readonly init: Expr;
  readonly span: Span;
}

export type Stmt =
  | VarDecl
  | { readonly kind: 'expr'; readonly expr: Expr; readonly span: Span }
  | { readonly kind: 'assign'; readonly target: AssignTarget; readonly value: Expr; readonly span: Span }
  | { readonly kind: 'compound'; readonly op: ArithmeticOp; readonly target: AssignTarget; readonly value: Expr; readonly span: Span }
  | { readonly kind: 'increment'; readonly op: '++' | '--'; readonly target: AssignTarget; readonly span: Span }
  | { readonly kind: 'return'; readonly value: Expr | undefined; readonly span: Span }
  | { readonly kind: 'if'; readonly cond: Expr; readonly then: Block; readonly otherwise: Block | undefined; readonly span: Span }
  | { readonly kind: 'while'; readonly cond: Expr; readonly body: Block; readonly span: Span }
  /** `for x in iterable { … }`: `for`..`}`. */
  | { readonly kind: 'forIn'; readonly variable: Identifier; readonly iterable: Expr; readonly body: Block; readonly span: Span }
  | { readonly kind: 'for'; readonly init: Stmt; readonly cond: Expr; readonly step: Stmt; readonly body: Block; readonly span: Span }
  | { readonly kind: 'break'; readonly span: Span }
  | { readonly kind: 'continue'; readonly span: Span }
  /** A standalone `{ … }` statement (the reference discards its contents, quirk Q5). */
  | { readonly kind: 'block'; readonly block: Block; readonly span: Span };

export type StmtKind = Stmt['kind'];

// ---- items -------------------------------------------------------------------------

export interface Param {
  readonly name: Identifier;
  readonly type: TypeNode;
  readonly span: Span;
}

export interface FnDecl {
  readonly kind: 'fn';
  readonly name: Identifier;
  /** `fn id<T, U>(…)`: the type parameters' names, empty when not generic. */
  readonly typeParams: readonly Identifier[];
  readonly params: readonly Param[];
  /** Absent means the function returns null (docs/bytecode.md §6.3). */
  readonly returnType: TypeNode | undefined;
  readonly body: Block;
  /** `fn`..`}` */
  readonly span: Span;
}

export type Item = FnDecl | Stmt;

export interface Program {
  readonly items: readonly Item[];
}

/** The span that reaches from `a`'s start to `b`'s end (the reference's `Span::merge`). */
export function mergeSpans(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** The reference's dummy span for parser-made filler (missing `for` clauses). */
export const DUMMY_SPAN: Span = { start: 0, end: 0 };
