// The rules that turn a Transfer Family home into a thru-sftp home (src/migrate/home-mapping.ts).
import { describe, expect, it } from 'vitest';
import { mapHome, mapHomes } from '../../src/migrate/home-mapping.js';

// Asymmetric matchers are typed any; inside object literals they need a type.
const matching = (re: RegExp): string => expect.stringMatching(re) as string;

const path = (homeDirectory?: string) => ({ username: 'alice', homeDirectoryType: 'PATH', homeDirectory });
const logical = (...mappings: { Entry: string; Target: string; Type?: string }[]) => ({ username: 'alice', homeDirectoryType: 'LOGICAL', mappings });

describe('mapHome', () => {
  it('takes the last folder of a PATH home or a LOGICAL "/" mapping by default', () => {
    expect(mapHome(path('/bucket/prefix/alice'))).toEqual({ ok: true, home: '/alice', source: '/bucket/prefix/alice' });
    expect(mapHome(path('/bucket//prefix/alice/'))).toEqual({ ok: true, home: '/alice', source: '/bucket/prefix/alice' });
    expect(mapHome(logical({ Entry: '/', Target: '/bucket/home/alice', Type: 'DIRECTORY' }))).toEqual({ ok: true, home: '/alice', source: '/bucket/home/alice' });
    expect(mapHome({ username: 'alice', homeDirectory: '/bucket/alice' })).toMatchObject({ ok: true, home: '/alice' });
  });

  it('keeps the path below --base', () => {
    expect(mapHome(path('/bucket/home/alice/in'), '/bucket/home')).toMatchObject({ ok: true, home: '/alice/in' });
    expect(mapHome(path('/bucket/home'), '/bucket/home/')).toMatchObject({ ok: true, home: '/' });
    expect(mapHome(path('/bucket'), '/')).toMatchObject({ ok: true, home: '/bucket' });
    expect(mapHome(path('/bucket/homes/alice'), '/bucket/home')).toEqual({ ok: false, source: '/bucket/homes/alice', reason: 'the home path /bucket/homes/alice is outside --base /bucket/home' });
  });

  it('substitutes ${transfer:UserName} and refuses other variables', () => {
    expect(mapHome(logical({ Entry: '/', Target: '/bucket/home/${Transfer:UserName}' }))).toMatchObject({ ok: true, home: '/alice', source: '/bucket/home/alice' });
    expect(mapHome(path('/bucket/${transfer:HomeBucket}/x'))).toMatchObject({ ok: false, reason: matching(/uses \$\{transfer:HomeBucket\}/) });
  });

  it('refuses what has no single home', () => {
    expect(mapHome(path(undefined))).toMatchObject({ ok: false, reason: matching(/no home directory/) });
    expect(mapHome(path('/'))).toMatchObject({ ok: false, reason: matching(/no home directory/) });
    expect(mapHome(path('/bucket'))).toMatchObject({ ok: false, reason: 'the home is the whole bucket /bucket: pass --base /bucket to map it to "/"' });
    expect(mapHome(logical())).toMatchObject({ ok: false, reason: 'LOGICAL home without mappings' });
    expect(mapHome(logical({ Entry: '/alice', Target: '/bucket/alice' }))).toMatchObject({ ok: false, reason: matching(/virtual folders \(\/alice -> \/bucket\/alice\)/) });
    expect(mapHome(logical({ Entry: '/', Target: '/bucket/alice.csv', Type: 'FILE' }))).toMatchObject({ ok: false, reason: matching(/to a file/) });
    expect(mapHome(path('/bucket/../other/alice'))).toMatchObject({ ok: false, reason: matching(/without "\." or "\.\."/) });
    expect(mapHome(path('bucket/alice'))).toMatchObject({ ok: false });
  });
});

describe('mapHomes', () => {
  it('refuses every user whose different source would share a home, and keeps shared sources shared', () => {
    const homes = mapHomes([
      { username: 'a', homeDirectory: '/b1/x/in' },
      { username: 'b', homeDirectory: '/b1/y/in' },
      { username: 'c', homeDirectory: '/b1/team' },
      { username: 'd', homeDirectory: '/b1/team/' },
    ]);
    expect(homes.get('a')).toMatchObject({ ok: false, reason: '/b1/x/in and b (/b1/y/in) would share the home /in: pass --base so that their folders stay apart' });
    expect(homes.get('b')).toMatchObject({ ok: false });
    expect(homes.get('c')).toMatchObject({ ok: true, home: '/team' });
    expect(homes.get('d')).toMatchObject({ ok: true, home: '/team' });
    expect(mapHomes([{ username: 'a', homeDirectory: '/b1/x/in' }, { username: 'b', homeDirectory: '/b1/y/in' }], '/b1').get('a')).toMatchObject({ ok: true, home: '/x/in' });
  });
});
