/**
 * wasmoon: Lua 5.4 compiled to WebAssembly. The factory (the compiled module) is made once,
 * like a module import; each run gets a new Lua state, closed at the end. Host calls go
 * through the function proxy `global.get` returns, wasmoon's way of calling Lua from JS.
 */
import { type LuaEngine, LuaFactory } from 'wasmoon';
import type { HostFunction, PeerEngine } from './engine.js';

const factory = new LuaFactory();

async function newState(print: (...values: unknown[]) => void): Promise<LuaEngine> {
  const lua = await factory.createEngine();
  lua.global.set('print', print);
  return lua;
}

export const wasmoonEngine: PeerEngine = {
  name: 'wasmoon',
  language: 'lua',
  async runProgram(source) {
    const lines: string[] = [];
    const lua = await newState((...values) => lines.push(values.map(String).join('\t')));
    try {
      lua.doStringSync(source);
      return lines;
    } finally {
      lua.global.close();
    }
  },
  async hostFunction(source, name): Promise<HostFunction> {
    const lua = await newState(() => undefined);
    lua.doStringSync(source);
    const fn: unknown = lua.global.get(name);
    if (typeof fn !== 'function') throw new Error(`wasmoon: ${name} is not a function`);
    return { call: fn as HostFunction['call'], close: async () => lua.global.close() };
  },
};
