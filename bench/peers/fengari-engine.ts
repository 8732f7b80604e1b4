/**
 * fengari: Lua 5.3 written in JavaScript. Each run gets a new Lua state, closed at the end;
 * host calls use its C-like stack API (push the function and arguments, call, pop), the
 * only way it offers.
 */
import fengari, { type LuaState } from 'fengari';
import type { HostFunction, PeerEngine } from './engine.js';

const { lua, lauxlib, lualib, to_luastring, to_jsstring } = fengari;

/** Lua's `print` replaced by one that hands each line, formatted by Lua's own `tostring`, to `print`. */
function newState(print: (line: string) => void): LuaState {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  lua.lua_pushjsfunction(L, (state) => {
    const parts: string[] = [];
    const count = lua.lua_gettop(state);
    for (let i = 1; i <= count; i++) {
      parts.push(to_jsstring(lauxlib.luaL_tolstring(state, i)));
      lua.lua_pop(state, 1); // luaL_tolstring pushed the string
    }
    print(parts.join('\t'));
    return 0;
  });
  lua.lua_setglobal(L, to_luastring('print'));
  return L;
}

/** Runs the top of the stack with `nargs` arguments; a Lua error becomes a JS error. */
function protectedCall(L: LuaState, nargs: number, nresults: number): void {
  if (lua.lua_pcall(L, nargs, nresults, 0) !== lua.LUA_OK) throw new Error(`fengari: ${lua.lua_tojsstring(L, -1)}`);
}

function load(L: LuaState, source: string): void {
  if (lauxlib.luaL_loadstring(L, to_luastring(source)) !== lua.LUA_OK) throw new Error(`fengari: ${lua.lua_tojsstring(L, -1)}`);
  protectedCall(L, 0, 0);
}

export const fengariEngine: PeerEngine = {
  name: 'fengari',
  language: 'lua',
  async runProgram(source) {
    const lines: string[] = [];
    const L = newState((line) => lines.push(line));
    try {
      load(L, source);
      return lines;
    } finally {
      lua.lua_close(L);
    }
  },
  async hostFunction(source, name): Promise<HostFunction> {
    const L = newState(() => undefined);
    load(L, source);
    const luaName = to_luastring(name);
    const call = (a: number, b: number): number => {
      lua.lua_getglobal(L, luaName);
      lua.lua_pushnumber(L, a);
      lua.lua_pushnumber(L, b);
      protectedCall(L, 2, 1);
      const value = lua.lua_tonumber(L, -1);
      lua.lua_pop(L, 1);
      return value;
    };
    return { call, close: async () => lua.lua_close(L) };
  },
};
