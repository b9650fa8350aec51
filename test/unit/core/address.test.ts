import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDirectAddress, parseAddress, resolveBusTargets, unixPath } from '../../../src/core/address.ts';

const none = (): boolean => false;
const all = (): boolean => true;

describe('resolveBusTargets', () => {
  it('an explicit address wins over the environment', () => {
    const r = resolveBusTargets({ bus: 'system', address: 'unix:path=/x', env: { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/y' }, uid: 0, exists: all });
    assert.deepEqual(r.targets.map((t) => t.address), ['unix:path=/x']);
  });
  it("full (a bus daemon needed: RefUnit, logind): never systemd's private socket, even as root", () => {
    const r = resolveBusTargets({ bus: 'system', env: {}, uid: 0, exists: all, full: true });
    assert.deepEqual(r.targets.map((t) => [t.address, t.direct]), [['unix:path=/run/dbus/system_bus_socket', false]]);
  });
  it('system: DBUS_SYSTEM_BUS_ADDRESS beats the private socket', () => {
    const r = resolveBusTargets({ bus: 'system', env: { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/y' }, uid: 0, exists: all });
    assert.deepEqual(r.targets.map((t) => t.address), ['unix:path=/y']);
    assert.equal(r.targets[0]!.direct, false);
  });
  it("system as root: systemd's private socket first, then the bus", () => {
    const r = resolveBusTargets({ bus: 'system', env: {}, uid: 0, exists: all });
    assert.deepEqual(
      r.targets.map((t) => [t.address, t.direct]),
      [
        ['unix:path=/run/systemd/private', true],
        ['unix:path=/run/dbus/system_bus_socket', false],
      ],
    );
  });
  it('system without root, or without the socket: only the bus', () => {
    for (const [uid, exists] of [[1000, all], [0, none]] as const) {
      const r = resolveBusTargets({ bus: 'system', env: {}, uid, exists });
      assert.deepEqual(r.targets.map((t) => t.address), ['unix:path=/run/dbus/system_bus_socket']);
    }
  });
  it('user: DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus, else a reason', () => {
    assert.equal(resolveBusTargets({ bus: 'user', env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/s', XDG_RUNTIME_DIR: '/r' }, uid: 1, exists: all }).targets[0]!.address, 'unix:path=/s');
    assert.equal(resolveBusTargets({ bus: 'user', env: { XDG_RUNTIME_DIR: '/run/user/1' }, uid: 1, exists: all }).targets[0]!.address, 'unix:path=/run/user/1/bus');
    const r = resolveBusTargets({ bus: 'user', env: {}, uid: 1, exists: all });
    assert.equal(r.targets.length, 0);
    assert.match(r.reason ?? '', /DBUS_SESSION_BUS_ADDRESS/);
  });
});

describe('address parsing', () => {
  it('finds the unix path, unescaping %XX', () => {
    assert.equal(unixPath('unix:path=/run/a%20b'), '/run/a b');
    assert.equal(unixPath('unix:guid=1,path=/x;tcp:host=a'), '/x');
    assert.equal(unixPath('tcp:host=a,port=1'), undefined);
  });
  it('knows direct addresses', () => {
    assert.equal(isDirectAddress('unix:path=/run/systemd/private'), true);
    assert.equal(isDirectAddress('unix:path=/run/user/0/systemd/private'), true);
    assert.equal(isDirectAddress('unix:path=/run/dbus/system_bus_socket'), false);
  });
  it('parseAddress: the first entry this client opens (unix path, abstract, socket; tcp), else why not', () => {
    assert.deepEqual(parseAddress('unix:path=/run/a%20b'), { path: '/run/a b' });
    assert.deepEqual(parseAddress('unix:abstract=/tmp/dbus-x,guid=1'), { path: '\0/tmp/dbus-x' });
    assert.deepEqual(parseAddress('launchd:env=X;unix:socket=/s'), { path: '/s' });
    assert.deepEqual(parseAddress('tcp:host=10.0.0.1,port=5555'), { host: '10.0.0.1', port: 5555 });
    assert.deepEqual(parseAddress('tcp:port=5555'), { host: 'localhost', port: 5555 });
    assert.match((parseAddress('tcp:host=a,port=x') as { error: string }).error, /no valid port/);
    assert.match((parseAddress('unixexec:path=ssh') as { error: string }).error, /transport 'unixexec' is not supported \(unix: and tcp: are\)/);
    assert.match((parseAddress('unix:guid=1') as { error: string }).error, /names no path/);
    assert.match((parseAddress('nonsense') as { error: string }).error, /has no transport/);
    assert.deepEqual(parseAddress(''), { error: 'empty address' });
  });
});
