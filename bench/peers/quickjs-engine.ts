/**
 * quickjs-emscripten: QuickJS compiled to WebAssembly. The module is loaded once, like an
 * import; each run gets a new context, disposed at the end. Host calls marshal numbers in
 * and out through handles, the library's way of calling into the VM.
 */
import { getQuickJS, type QuickJSContext, type QuickJSHandle } from 'quickjs-emscripten';
import type { HostFunction, PeerEngine } from './engine.js';

const quickJs = await getQuickJS();

function newContext(print: (line: string) => void): QuickJSContext {
  const vm = quickJs.newContext();
  const printFn = vm.newFunction('print', (...args: QuickJSHandle[]) => {
    print(args.map((arg) => String(vm.dump(arg))).join(' '));
  });
  vm.setProp(vm.global, 'print', printFn);
  printFn.dispose();
  return vm;
}

function evaluate(vm: QuickJSContext, source: string): void {
  vm.unwrapResult(vm.evalCode(source, 'peer.js')).dispose();
}

export const quickJsEngine: PeerEngine = {
  name: 'quickjs-emscripten',
  language: 'js',
  async runProgram(source) {
    const lines: string[] = [];
    const vm = newContext((line) => lines.push(line));
    try {
      evaluate(vm, source);
      return lines;
    } finally {
      vm.dispose();
    }
  },
  async hostFunction(source, name): Promise<HostFunction> {
    const vm = newContext(() => undefined);
    evaluate(vm, source);
    const fn = vm.getProp(vm.global, name);
    const call = (a: number, b: number): number => {
      const [x, y] = [vm.newNumber(a), vm.newNumber(b)];
      const result = vm.unwrapResult(vm.callFunction(fn, vm.undefined, x, y));
      const value = vm.getNumber(result);
      result.dispose();
      x.dispose();
      y.dispose();
      return value;
    };
    return { call, close: async () => { fn.dispose(); vm.dispose(); } };
  },
};
