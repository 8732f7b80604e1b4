/**
 * The implementation of the math builtins that are not exact IEEE operations: `sin`, `cos`,
 * `tan`, `asin`, `acos`, `atan`, `log` and `pow` (docs/math-builtins.md §5). The interpreter
 * takes them from the native addon, whose functions are the very ones native code calls, so a
 * program prints the same digits whether or not its math got hot; they are the host C
 * library's, as the reference's are. V8's `Math.*` differs from them by an ulp in a few per
 * cent of inputs, which changes printed output.
 *
 * Without the addon (not built, or not loadable on this platform) the library is `Math.*`
 * with the C99 special cases of `pow` restored: every special value (NaN, ±∞, ±0) is exact,
 * finite results may differ from the host library's by at most 1 ulp. Nothing is compiled
 * then either, so the interpreter still agrees with itself.
 *
 * This is the VM layer's one use of the addon, as a numeric library: it loads the addon
 * lazily, at the first call of one of these functions, so programs without them never do.
 */
import { addon } from '../jit/native/addon.js';

export interface MathLibrary {
  /** `'host'`: the addon's (the C library's); `'javascript'`: the `Math.*` fallback. */
  readonly source: 'host' | 'javascript';
  readonly sin: (x: number) => number;
  readonly cos: (x: number) => number;
  readonly tan: (x: number) => number;
  readonly asin: (x: number) => number;
  readonly acos: (x: number) => number;
  readonly atan: (x: number) => number;
  readonly log: (x: number) => number;
  readonly pow: (x: number, y: number) => number;
}

export type LibraryFunctionName = Exclude<keyof MathLibrary, 'source'>;

/**
 * `Math.*`, with `pow`'s two C99 special cases that differ from ECMAScript:
 * `pow(1, y)` is 1 for every y and `pow(-1, ±∞)` is 1 (docs/math-builtins.md §2.8).
 */
export const JAVASCRIPT_MATH: MathLibrary = {
  source: 'javascript',
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  log: Math.log,
  pow: (x, y) => (x === 1 || (x === -1 && Math.abs(y) === Infinity) ? 1 : x ** y),
};

/**
 * The addon's functions on this thread: each is an argument-less callback that reads its
 * operands from a two-slot buffer shared with Rust and leaves its result in slot 0, because
 * converting arguments and results through N-API would cost several times the crossing.
 */
function hostLibrary(): MathLibrary {
  const native = addon();
  const cells = native.createMathBuffer();
  const unary = (name: LibraryFunctionName) => {
    const call = native.mathFunction(name);
    return (x: number) => {
      cells[0] = x;
      call();
      return cells[0]!;
    };
  };
  const powCall = native.mathFunction('pow');
  return {
    source: 'host',
    sin: unary('sin'),
    cos: unary('cos'),
    tan: unary('tan'),
    asin: unary('asin'),
    acos: unary('acos'),
    atan: unary('atan'),
    log: unary('log'),
    pow: (x, y) => {
      cells[0] = x;
      cells[1] = y;
      powCall();
      return cells[0]!;
    },
  };
}

let library: MathLibrary | undefined;

/** This thread's math library: the host's when the addon loads, else `JAVASCRIPT_MATH`. */
export function mathLibrary(): MathLibrary {
  if (library === undefined) {
    try {
      library = hostLibrary();
    } catch {
      library = JAVASCRIPT_MATH;
    }
  }
  return library;
}
