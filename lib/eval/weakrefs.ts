/*
 * The weakref module's types as a program sees them (CPython 3.11,
 * Objects/weakrefobject.c): `weakref.ref` is the type ReferenceType
 * (called to make a ref), `weakref.proxy` makes a ProxyType or a
 * CallableProxyType, and a proxy forwards what is done to it to its
 * referent (proxy_getattr, proxy_setattr, proxy_str, proxy_call ...),
 * raising ReferenceError once the referent is gone.
 *
 * Invariants: every function returns a new reference; a proxy never
 * holds a reference to its referent (it only borrows it while forwarding).
 */
import type { CMethod } from '../objects/types/cfunction.js';
import type { PyTypeObject } from '../objects/type.js';
import { callObject, hexAddress, isCallable, raise, typeName } from './abstract.js';
import type { Vm } from './vm.js';

/** proxy_checkref: the live referent of a proxy (borrowed), or ReferenceError. */
export function proxyReferent(vm: Vm, proxy: number): number {
  const o = vm.interp.weakref.get(proxy);
  if (o === vm.interp.singletons.None) raise(vm, 'ReferenceError', 'weakly-referenced object no longer exists');
  return o;
}

/** proxy_repr. */
export function proxyRepr(vm: Vm, proxy: number): string {
  const o = vm.interp.weakref.get(proxy);
  return `<weakproxy at ${hexAddress(vm, proxy)} to ${typeName(vm, o)} at ${hexAddress(vm, o)}>`;
}

/** The constructors of ReferenceType (weakref.ref(ob[, callback])). */
export function weakrefConstructors(vm: Vm): Array<[PyTypeObject, CMethod]> {
  const W = vm.interp.weakref;
  return [
    [
      W.type,
      (_s, args, kwnames) => {
        if (kwnames !== 0 && vm.interp.tuple.size(kwnames) > 0) raise(vm, 'TypeError', 'ref() takes no keyword arguments');
        if (args.length < 1 || args.length > 2) raise(vm, 'TypeError', `__new__ expected at most 2 arguments, got ${args.length}`);
        if (!W.supportsWeakrefs(args[0]!)) raise(vm, 'TypeError', `cannot create weak reference to '${typeName(vm, args[0]!)}' object`);
        return W.newRef(args[0]!, args.length > 1 ? args[1]! : undefined);
      },
    ],
  ];
}

/** weakref.proxy(ob[, callback]) (weakref_proxy in Modules/_weakref.c). */
export const weakrefProxy =
  (vm: Vm): CMethod =>
  (_s, args) => {
    if (args.length < 1 || args.length > 2) raise(vm, 'TypeError', `proxy expected at most 2 arguments, got ${args.length}`);
    const ob = args[0]!;
    if (!vm.interp.weakref.supportsWeakrefs(ob)) raise(vm, 'TypeError', `cannot create weak reference to '${typeName(vm, ob)}' object`);
    return vm.interp.weakref.newProxy(ob, args[1] ?? 0, isCallable(vm, ob));
  };

/** proxy_call: the referent called. */
export function proxyCall(vm: Vm, proxy: number, args: readonly number[], kwnames: number): number {
  return callObject(vm, proxyReferent(vm, proxy), args, kwnames);
}
