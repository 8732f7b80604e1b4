/**
 * The part of fengari's C-like API the peer benchmark uses (fengari ships no types). Lua
 * strings are byte arrays (`Uint8Array`), converted with `to_luastring`/`to_jsstring`.
 */
declare module 'fengari' {
  export type LuaString = Uint8Array;
  /** A Lua state (`lua_State *`). */
  export interface LuaState {
    readonly __luaState: never;
  }

  interface Lua {
    readonly LUA_OK: number;
    lua_close(L: LuaState): void;
    lua_gettop(L: LuaState): number;
    lua_pop(L: LuaState, n: number): void;
    lua_pushjsfunction(L: LuaState, fn: (L: LuaState) => number): void;
    lua_pushnumber(L: LuaState, n: number): void;
    lua_setglobal(L: LuaState, name: LuaString): void;
    lua_getglobal(L: LuaState, name: LuaString): number;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_tonumber(L: LuaState, index: number): number;
    lua_tojsstring(L: LuaState, index: number): string;
  }

  interface Lauxlib {
    luaL_newstate(): LuaState;
    luaL_loadstring(L: LuaState, source: LuaString): number;
    luaL_tolstring(L: LuaState, index: number): LuaString;
  }

  interface Lualib {
    luaL_openlibs(L: LuaState): void;
  }

  const fengari: {
    readonly lua: Lua;
    readonly lauxlib: Lauxlib;
    readonly lualib: Lualib;
    to_luastring(text: string): LuaString;
    to_jsstring(bytes: LuaString): string;
  };
  export default fengari;
}
